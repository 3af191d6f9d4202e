/**
 * The Sieve lexer and parser (RFC 5228 section 8): source text to a syntax tree of commands, tests and
 * arguments, each with its 1-based line and column. Nothing here knows what a command means; the checker
 * (check.ts) does.
 */
import { SieveCompileError } from './types.js';

/** Position is a 1-based line and column in the script source. */
export interface Position {
  line: number;
  column: number;
}

/** SieveArgument is one argument (RFC 5228 section 8.2): a string, a string list, a number or a tag (name lower-cased, no colon). */
export type SieveArgument =
  | ({ kind: 'string'; value: string } & Position)
  | ({ kind: 'list'; values: string[] } & Position)
  | ({ kind: 'number'; value: number } & Position)
  | ({ kind: 'tag'; name: string } & Position);

/** TestNode is a test (RFC 5228 section 8.2 `test`): its identifier (lower-cased), arguments and nested tests. */
export interface TestNode extends Position {
  name: string;
  args: SieveArgument[];
  tests: TestNode[];
  /** Whether the nested tests were written as a parenthesised test-list (anyof/allof) rather than a single test (not). */
  testList: boolean;
}

/** CommandNode is a command: a test node plus its block (null when it ended with ";"). */
export interface CommandNode extends TestNode {
  block: CommandNode[] | null;
}

type Token =
  | ({ t: 'id'; v: string } & Position)
  | ({ t: 'tag'; v: string } & Position)
  | ({ t: 'num'; v: number } & Position)
  | ({ t: 'str'; v: string } & Position)
  | ({ t: 'sym'; v: string } & Position)
  | ({ t: 'eof' } & Position);

const QUANTIFIERS: Record<string, number> = { k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 };

/** Deepest nesting of blocks and tests: bounds the parser's recursion. */
const MAX_NESTING = 64;

/** tokenize splits `src` into tokens (RFC 5228 section 8.1). Throws SieveCompileError at the first bad character. */
function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (): Position => ({ line, column: i - lineStart + 1 });
  const fail = (msg: string, p: Position = pos()): never => {
    throw new SieveCompileError(msg, p.line, p.column);
  };
  const newline = (at: number): void => {
    line++;
    lineStart = at + 1;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') { newline(i); i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const p = pos();
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end === -1) fail('unterminated /* comment', p);
      for (let j = i; j < end; j++) if (src[j] === '\n') newline(j);
      i = end + 2;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      const word = src.slice(i, j);
      if (word.toLowerCase() === 'text' && src[j] === ':') {
        i = j + 1;
        out.push({ t: 'str', v: multiLine(), ...p });
        continue;
      }
      out.push({ t: 'id', v: word.toLowerCase(), ...p });
      i = j;
      continue;
    }
    if (c === ':') {
      let j = i + 1;
      if (!/[A-Za-z_]/.test(src[j] ?? '')) fail('a tag needs a name after ":"', p);
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      out.push({ t: 'tag', v: src.slice(i + 1, j).toLowerCase(), ...p });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i;
      while (j < src.length && /[0-9]/.test(src[j]!)) j++;
      let n = Number(src.slice(i, j));
      const q = QUANTIFIERS[(src[j] ?? '').toLowerCase()];
      if (q !== undefined) { n *= q; j++; }
      if (/[A-Za-z_]/.test(src[j] ?? '')) fail(`bad number "${src.slice(i, j + 1)}"`, p);
      if (n > 2 ** 53) fail('number too large', p);
      out.push({ t: 'num', v: n, ...p });
      i = j;
      continue;
    }
    if (c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) fail('unterminated string', p);
        const d = src[i]!;
        if (d === '"') { i++; break; }
        if (d === '\\' && i + 1 < src.length) {
          // RFC 5228 section 2.4.2: "\\" and "\"" are escapes; any other backslash is dropped.
          i++;
          const e = src[i]!;
          if (e === '\n') newline(i);
          v += e;
          i++;
          continue;
        }
        if (d === '\n') newline(i);
        v += d;
        i++;
      }
      // Line breaks inside a quoted string are CRLF in the value whatever the file used (RFC 5228 section 2.4.2).
      out.push({ t: 'str', v: v.replace(/\r?\n/g, '\r\n'), ...p });
      continue;
    }
    if ('[](){},;'.includes(c)) {
      out.push({ t: 'sym', v: c, ...p });
      i++;
      continue;
    }
    fail(`unexpected character "${c}"`, p);
  }
  out.push({ t: 'eof', ...pos() });
  return out;

  /** multiLine reads a text: string after "text:" (RFC 5228 section 2.4.2, 8.1): lines up to a lone ".", dot-stuffing undone. */
  function multiLine(): string {
    while (src[i] === ' ' || src[i] === '\t') i++;
    if (src[i] === '#') while (i < src.length && src[i] !== '\n') i++;
    if (src[i] === '\r') i++;
    if (src[i] !== '\n') fail('text: must be followed by a line break');
    newline(i);
    i++;
    const lines: string[] = [];
    for (;;) {
      if (i >= src.length) fail('unterminated text: string (a line with only "." ends it)');
      let nl = src.indexOf('\n', i);
      if (nl === -1) nl = src.length;
      let text = src.slice(i, nl);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (nl < src.length) newline(nl);
      i = nl + 1;
      if (text === '.') break;
      lines.push(text.startsWith('.') ? text.slice(1) : text);
    }
    return lines.map((l) => l + '\r\n').join('');
  }
}

/** Parser is a recursive descent over the tokens (RFC 5228 section 8.2). */
class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.i]!;
  }

  private fail(msg: string, at: Position = this.peek()): never {
    throw new SieveCompileError(msg, at.line, at.column);
  }

  private isSym(v: string): boolean {
    const t = this.peek();
    return t.t === 'sym' && t.v === v;
  }

  private describe(t: Token): string {
    switch (t.t) {
      case 'eof': return 'end of script';
      case 'str': return 'a string';
      case 'num': return 'a number';
      case 'tag': return `":${t.v}"`;
      default: return `"${t.v}"`;
    }
  }

  private enter(at: Position): void {
    if (++this.depth > MAX_NESTING) this.fail(`nesting deeper than ${MAX_NESTING}`, at);
  }

  script(): CommandNode[] {
    const cmds = this.commands();
    const t = this.peek();
    if (t.t !== 'eof') this.fail(`expected a command, found ${this.describe(t)}`);
    return cmds;
  }

  private commands(): CommandNode[] {
    const cmds: CommandNode[] = [];
    while (this.peek().t === 'id') cmds.push(this.command());
    return cmds;
  }

  private command(): CommandNode {
    const id = this.peek() as Token & { t: 'id' };
    this.i++;
    const { args, tests, testList } = this.arguments();
    let block: CommandNode[] | null = null;
    if (this.isSym(';')) {
      this.i++;
    } else if (this.isSym('{')) {
      const open = this.peek();
      this.enter(open);
      this.i++;
      block = this.commands();
      if (!this.isSym('}')) this.fail(`expected "}" or a command, found ${this.describe(this.peek())}`);
      this.i++;
      this.depth--;
    } else {
      this.fail(`expected ";" or "{" after ${id.v}, found ${this.describe(this.peek())}`);
    }
    return { name: id.v, line: id.line, column: id.column, args, tests, testList, block };
  }

  private arguments(): { args: SieveArgument[]; tests: TestNode[]; testList: boolean } {
    const args: SieveArgument[] = [];
    for (;;) {
      const t = this.peek();
      if (t.t === 'str') { args.push({ kind: 'string', value: t.v, line: t.line, column: t.column }); this.i++; continue; }
      if (t.t === 'num') { args.push({ kind: 'number', value: t.v, line: t.line, column: t.column }); this.i++; continue; }
      if (t.t === 'tag') { args.push({ kind: 'tag', name: t.v, line: t.line, column: t.column }); this.i++; continue; }
      if (t.t === 'sym' && t.v === '[') { args.push(this.stringList()); continue; }
      break;
    }
    const t = this.peek();
    if (t.t === 'id') return { args, tests: [this.test()], testList: false };
    if (t.t === 'sym' && t.v === '(') {
      this.enter(t);
      this.i++;
      const tests = [this.test()];
      while (this.isSym(',')) {
        this.i++;
        tests.push(this.test());
      }
      if (!this.isSym(')')) this.fail(`expected "," or ")" in the test list, found ${this.describe(this.peek())}`);
      this.i++;
      this.depth--;
      return { args, tests, testList: true };
    }
    return { args, tests: [], testList: false };
  }

  private test(): TestNode {
    const id = this.peek();
    if (id.t !== 'id') this.fail(`expected a test, found ${this.describe(id)}`);
    this.enter(id);
    this.i++;
    const { args, tests, testList } = this.arguments();
    this.depth--;
    return { name: id.v, line: id.line, column: id.column, args, tests, testList };
  }

  private stringList(): SieveArgument {
    const open = this.peek();
    this.i++;
    const values: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t.t !== 'str') this.fail(`expected a string in the list, found ${this.describe(t)}`);
      values.push(t.v);
      this.i++;
      if (this.isSym(',')) { this.i++; continue; }
      if (this.isSym(']')) { this.i++; break; }
      this.fail(`expected "," or "]" in the string list, found ${this.describe(this.peek())}`);
    }
    return { kind: 'list', values, line: open.line, column: open.column };
  }
}

/**
 * parseScript parses Sieve source (RFC 5228 section 8) into its commands. Throws SieveCompileError with the
 * 1-based line and column of the offending token.
 */
export function parseScript(source: string): CommandNode[] {
  return new Parser(tokenize(source)).script();
}
