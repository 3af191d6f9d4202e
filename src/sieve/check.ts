/**
 * The checker (RFC 5228 section 2.10.5 and 3.2, and each extension's syntax): holds the parsed script to
 * grammar.ts, so that a script that compiles can only fail at run time for reasons the run decides (a
 * missing include, a limit, incompatible actions). Its output, Node, is what the interpreter walks.
 */
import { SIEVE_EXTENSIONS, SieveCompileError, type SieveExtension } from './types.js';
import type { CommandNode, Position, SieveArgument, TestNode } from './parse.js';
import { ADDRESS_HEADERS, COMMANDS, DATE_PARTS, RELATIONS, TESTS, type ArgType, type Spec } from './grammar.js';

/** Node is a checked command or test: tags by name (their argument, or null for a flag tag), positionals in order. */
export interface Node extends Position {
  name: string;
  tags: Map<string, SieveArgument | null>;
  pos: SieveArgument[];
  tests: Node[];
  block: Node[] | null;
}

/** CheckOptions: whether outgoing mail is possible (redirect, vacation). */
export interface CheckOptions {
  outgoing: boolean;
}

/** COMPARATORS maps a comparator name (RFC 4790) to the capability it needs, if any. */
const COMPARATORS: Record<string, SieveExtension | null> = {
  'i;octet': null,
  'i;ascii-casemap': null,
  'i;ascii-numeric': 'comparator-i;ascii-numeric',
};

function fail(msg: string, at: Position): never {
  throw new SieveCompileError(msg, at.line, at.column);
}

/** isVariableName: an identifier, optionally with a namespace prefix such as "global." (RFC 5229 section 3). */
export function isVariableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name);
}

/**
 * decodeEncodedCharacters replaces "${hex:...}" and "${unicode:...}" in `s` (RFC 5228 section 2.4.2.4);
 * sequences that are not well formed stay as they are. Throws SieveCompileError (at `at`) for a code point
 * outside Unicode's scalar values.
 */
export function decodeEncodedCharacters(s: string, at: Position): string {
  if (!s.includes('${')) return s;
  return s.replace(/\$\{(hex|unicode):([\s0-9A-Fa-f]*)\}/gi, (whole, kind: string, body: string) => {
    const items = body.trim().split(/\s+/).filter((x) => x !== '');
    if (items.length === 0) return whole;
    if (kind.toLowerCase() === 'hex') {
      if (items.some((x) => x.length > 2)) return whole;
      return Buffer.from(items.map((x) => parseInt(x, 16))).toString('utf8');
    }
    let out = '';
    for (const x of items) {
      const cp = parseInt(x, 16);
      if (x.length > 8 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(`invalid unicode character ${x} in encoded-character`, at);
      out += String.fromCodePoint(cp);
    }
    return out;
  });
}

/** Checker walks one script's commands. */
class Checker {
  readonly requires = new Set<SieveExtension>();

  constructor(private readonly opts: CheckOptions) {}

  has(ext: SieveExtension): boolean {
    return this.requires.has(ext);
  }

  commands(cmds: CommandNode[], top: boolean): Node[] {
    const out: Node[] = [];
    let requiresAllowed = top;
    let prev: string | null = null;
    for (const c of cmds) {
      if (c.name === 'require') {
        if (!requiresAllowed) fail('require is only allowed at the start of the script', c);
        this.require(c);
        prev = 'require';
        continue;
      }
      requiresAllowed = false;
      if ((c.name === 'elsif' || c.name === 'else') && prev !== 'if' && prev !== 'elsif') fail(`${c.name} must follow if or elsif`, c);
      const node = this.node(c, own(COMMANDS, c.name), 'command');
      if (c.block !== null) node.block = this.commands(c.block, false);
      out.push(node);
      prev = c.name;
    }
    return out;
  }

  private require(c: CommandNode): void {
    if (c.tests.length > 0 || c.block !== null) fail('require takes a string list only', c);
    if (c.args.length !== 1 || (c.args[0]!.kind !== 'string' && c.args[0]!.kind !== 'list')) fail('require takes a string list', c);
    const arg = c.args[0]!;
    const names = arg.kind === 'string' ? [arg.value] : arg.kind === 'list' ? arg.values : [];
    for (const name of names) {
      const ext = SIEVE_EXTENSIONS.find((e) => e === name);
      if (ext === undefined) fail(`unsupported extension "${name}"`, arg);
      if (!this.opts.outgoing && (ext === 'vacation' || ext === 'vacation-seconds')) fail('vacation needs outgoing mail: set outgoing.smtp', arg);
      this.requires.add(ext);
      // RFC 6131 section 2: vacation-seconds implies vacation; RFC 5429: ereject brings no reject.
      if (ext === 'vacation-seconds') this.requires.add('vacation');
    }
  }

  private node(c: TestNode & { block?: CommandNode[] | null }, spec: Spec | undefined, what: 'command' | 'test'): Node {
    if (spec === undefined) fail(`unknown ${what} "${c.name}"`, c);
    if (spec.ext !== undefined && !spec.ext.some((e) => this.has(e))) fail(`${c.name} needs require "${spec.ext[0]}"`, c);
    if (spec.outgoing !== undefined && !this.opts.outgoing) fail(spec.outgoing, c);
    if (c.block !== undefined) {
      if (spec.block && c.block === null) fail(`${c.name} needs a block`, c);
      if (!spec.block && c.block !== null) fail(`${c.name} takes no block`, c);
    }
    const node: Node = { name: c.name, line: c.line, column: c.column, tags: new Map(), pos: [], tests: [], block: null };
    const groups = new Map<string, string>();
    const args = c.args.map((a) => this.decode(a));
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a.kind !== 'tag') {
        node.pos.push(a);
        continue;
      }
      if (node.pos.length > 0) fail(`tag :${a.name} must come before the positional arguments of ${c.name}`, a);
      const tag = own(spec.tags, a.name);
      if (tag === undefined) fail(`${c.name} has no tag :${a.name}`, a);
      if (tag.ext !== undefined && !tag.ext.some((e) => this.has(e))) fail(`:${a.name} needs require "${tag.ext[0]}"`, a);
      if (node.tags.has(a.name)) fail(`:${a.name} given twice`, a);
      if (tag.group !== undefined) {
        const other = groups.get(tag.group);
        if (other !== undefined) fail(`:${a.name} cannot be combined with :${other}`, a);
        groups.set(tag.group, a.name);
      }
      let value: SieveArgument | null = null;
      if (tag.arg !== undefined) {
        const next = args[i + 1];
        if (next === undefined || !fits(next, tag.arg)) fail(`:${a.name} needs a ${tag.arg} argument`, next ?? a);
        value = next;
        i++;
      }
      node.tags.set(a.name, value);
    }
    const min = spec.minPos ?? spec.pos.length;
    if (node.pos.length < min || node.pos.length > spec.pos.length) {
      fail(`${c.name} takes ${min === spec.pos.length ? min : `${min} to ${spec.pos.length}`} positional argument(s), got ${node.pos.length}`, node.pos[spec.pos.length] ?? c);
    }
    // With fewer positionals than declared, they fill the declared types from the end (setflag [name] list).
    const offset = spec.pos.length - node.pos.length;
    node.pos.forEach((p, i) => {
      const want = spec.pos[i + offset]!;
      if (!fits(p, want)) fail(`${c.name} needs a ${want} here`, p);
    });
    if (spec.tests === 0 && c.tests.length > 0) fail(`${c.name} takes no test`, c.tests[0]!);
    if (spec.tests === 1 && (c.tests.length !== 1 || c.testList)) fail(`${c.name} needs exactly one test`, c.tests[1] ?? c);
    if (spec.tests === 'list' && !c.testList) fail(`${c.name} needs a test list in parentheses`, c);
    node.tests = c.tests.map((t) => this.node(t, own(TESTS, t.name), 'test'));
    this.semantics(node);
    return node;
  }

  private decode(a: SieveArgument): SieveArgument {
    if (!this.has('encoded-character')) return a;
    if (a.kind === 'string') return { ...a, value: decodeEncodedCharacters(a.value, a) };
    if (a.kind === 'list') return { ...a, values: a.values.map((v) => decodeEncodedCharacters(v, a)) };
    return a;
  }

  /** semantics checks what the types alone do not: comparator names, relations, header names, date parts, zones. */
  private semantics(n: Node): void {
    const comparator = n.tags.get('comparator');
    const cmpName = comparator?.kind === 'string' ? comparator.value.toLowerCase() : 'i;ascii-casemap';
    if (comparator?.kind === 'string') {
      const need = COMPARATORS[cmpName];
      if (need === undefined) fail(`unknown comparator "${comparator.value}"`, comparator);
      if (need !== null && !this.has(need)) fail(`comparator "${comparator.value}" needs require "${need}"`, comparator);
    }
    if (cmpName === 'i;ascii-numeric') {
      for (const t of ['contains', 'matches']) if (n.tags.has(t)) fail(`:${t} cannot be used with i;ascii-numeric`, n);
    }
    for (const t of ['count', 'value']) {
      const rel = n.tags.get(t);
      if (rel?.kind === 'string' && !RELATIONS.has(rel.value.toLowerCase())) fail(`unknown relation "${rel.value}" (gt ge lt le eq ne)`, rel);
    }
    if (n.name !== 'duplicate' && n.tags.has('last') && !n.tags.has('index')) fail(':last needs :index', n);
    const index = n.tags.get('index');
    if (index?.kind === 'number' && index.value < 1) fail(':index must be 1 or more', index);
    switch (n.name) {
      case 'address':
        for (const h of listOf(n.pos[0]!)) {
          if (!h.includes('${') && !ADDRESS_HEADERS.has(h.toLowerCase())) fail(`address test on "${h}", which is not an address header`, n.pos[0]!);
        }
        break;
      case 'envelope':
        for (const p of listOf(n.pos[0]!)) {
          if (!p.includes('${') && !['from', 'to', 'auth'].includes(p.toLowerCase())) fail(`unknown envelope part "${p}" (from, to)`, n.pos[0]!);
        }
        break;
      case 'date':
      case 'currentdate': {
        const part = n.pos[n.pos.length - 2]!;
        if (part.kind === 'string' && !part.value.includes('${') && !DATE_PARTS.has(part.value.toLowerCase())) fail(`unknown date part "${part.value}"`, part);
        const zone = n.tags.get('zone');
        if (zone?.kind === 'string' && !zone.value.includes('${') && !/^[+-]\d{4}$/.test(zone.value)) fail(`bad :zone "${zone.value}" (+hhmm or -hhmm)`, zone);
        break;
      }
      case 'set': {
        const name = n.pos[0]!;
        if (name.kind === 'string' && !isVariableName(name.value)) fail(`bad variable name "${name.value}"`, name);
        if (name.kind === 'string' && name.value.includes('.') && !name.value.toLowerCase().startsWith('global.')) fail(`unknown variable namespace in "${name.value}"`, name);
        break;
      }
      case 'setflag':
      case 'addflag':
      case 'removeflag':
      case 'hasflag':
        if (n.pos.length === 2) {
          if (!this.has('variables')) fail(`${n.name} with a variable name needs require "variables"`, n.pos[0]!);
          for (const v of listOf(n.pos[0]!)) if (!isVariableName(v)) fail(`bad variable name "${v}"`, n.pos[0]!);
        }
        break;
      case 'global':
        if (!this.has('variables')) fail('global needs require "variables"', n);
        for (const v of listOf(n.pos[0]!)) if (!isVariableName(v) || v.includes('.')) fail(`bad variable name "${v}"`, n.pos[0]!);
        break;
      case 'redirect': {
        const a = n.pos[0]!;
        if (a.kind === 'string' && !a.value.includes('${') && !/^[^@\s<>]+@[^@\s<>]+$/.test(a.value.trim())) fail(`redirect to "${a.value}", which is not an address`, a);
        break;
      }
      case 'include': {
        const a = n.pos[0]!;
        if (a.kind === 'string' && (a.value === '' || a.value.includes('/'))) fail(`bad script name "${a.value}"`, a);
        break;
      }
      default:
        break;
    }
  }
}

/** own reads an own property only, so that "constructor" or "toString" is not a command. */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function fits(a: SieveArgument, want: ArgType): boolean {
  if (want === 'number') return a.kind === 'number';
  if (want === 'string') return a.kind === 'string';
  return a.kind === 'string' || a.kind === 'list';
}

/** listOf returns a string or string-list argument's strings. */
export function listOf(a: SieveArgument): string[] {
  if (a.kind === 'string') return [a.value];
  if (a.kind === 'list') return a.values;
  return [];
}

/** checkScript checks parsed commands and returns the checked tree and the capabilities required. Throws SieveCompileError. */
export function checkScript(cmds: CommandNode[], opts: CheckOptions): { nodes: Node[]; requires: SieveExtension[] } {
  const checker = new Checker(opts);
  const nodes = checker.commands(cmds, true);
  return { nodes, requires: [...checker.requires] };
}
