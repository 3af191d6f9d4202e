/**
 * Lexer reads the tokens of one framed command (RFC 9051 section 9): atoms, numbers, quoted strings,
 * literals, flags, sequence sets, dates and parenthesised lists, byte by byte over the RawCommand pieces.
 * Args (args.ts) adds the mailbox, SEARCH and FETCH readers on top to form the ArgReader.
 */
import {
  ASTRING_CHAR,
  ATOM_CHAR,
  CHAR_CLASS,
  HIGH_CHAR,
  SEQ_CHAR,
  TAG_CHAR,
} from './chars.js';
import { parseDate, parseDateTime } from './datetime.js';
import { MAX_NESTING_DEPTH } from '../limits.js';
import { parseSequenceSet } from './sequence-set.js';
import { ParseError, type RawCommand, type SequenceSet } from './types.js';

const EMPTY = Buffer.alloc(0);
const MAX_NUMBER = 0xffffffff;
const MAX_NUMBER64 = Number.MAX_SAFE_INTEGER;

/** System flags by lower-case name without the backslash, in canonical case (RFC 9051 section 2.3.2). */
const SYSTEM_FLAGS: Record<string, string> = {
  seen: '\\Seen',
  answered: '\\Answered',
  flagged: '\\Flagged',
  deleted: '\\Deleted',
  draft: '\\Draft',
  recent: '\\Recent',
};

/**
 * Lexer is a cursor over a RawCommand: `li` is the index of the current line piece and `pos` the offset in
 * it; when a line piece is used up and a literal follows, the next token is that literal. Every reader
 * throws ParseError on malformed input and never moves past the command. Method contracts are those of
 * ArgReader (types.ts); the extra methods (peekByte, peekWord, take, mark/reset, enter/leave) serve the
 * SEARCH and FETCH parsers.
 */
export class Lexer {
  protected li = 0;
  protected pos = 0;
  protected buf: Buffer;
  private depth = 0;

  constructor(protected readonly raw: RawCommand) {
    this.buf = raw.lines[0] ?? EMPTY;
  }

  atEnd(): boolean {
    return this.pos >= this.buf.length && this.li >= this.raw.literals.length;
  }

  end(): void {
    if (!this.atEnd()) throw new ParseError('Unexpected characters after arguments');
  }

  space(): void {
    if (this.pos < this.buf.length && this.buf[this.pos] === 0x20) this.pos++;
    else throw new ParseError(this.atEnd() ? 'Missing arguments' : 'Expected a single SP between arguments');
  }

  tryChar(ch: string): boolean {
    if (this.pos < this.buf.length && this.buf[this.pos] === ch.charCodeAt(0)) {
      this.pos++;
      return true;
    }
    return false;
  }

  peek(): string | null {
    return this.pos < this.buf.length ? String.fromCharCode(this.buf[this.pos]!) : null;
  }

  /** peekByte is the next byte, or -1 at the end of a line piece (end of command or a literal next). */
  peekByte(): number {
    return this.pos < this.buf.length ? this.buf[this.pos]! : -1;
  }

  atLiteral(): boolean {
    return this.pos >= this.buf.length && this.li < this.raw.literals.length;
  }

  /** mark returns the cursor position, for reset(). */
  mark(): number {
    return this.li * 0x100000000 + this.pos;
  }

  /** reset moves the cursor back to a position from mark(). */
  reset(m: number): void {
    this.li = Math.floor(m / 0x100000000);
    this.pos = m % 0x100000000;
    this.buf = this.raw.lines[this.li] ?? EMPTY;
  }

  /** enter counts one level of parenthesis or recursion; throws ParseError beyond MAX_NESTING_DEPTH. */
  enter(): void {
    if (++this.depth > MAX_NESTING_DEPTH) throw new ParseError('Arguments nested too deeply');
  }

  /** leave undoes enter(). */
  leave(): void {
    this.depth--;
  }

  /** take consumes one or more bytes whose class has any bit of `cls` and returns them (a view, no copy). */
  take(cls: number, what: string): Buffer {
    const b = this.buf;
    const start = this.pos;
    let i = start;
    while (i < b.length && (CHAR_CLASS[b[i]!]! & cls) !== 0) i++;
    if (i === start) throw new ParseError(`Expected ${what}`);
    this.pos = i;
    return b.subarray(start, i);
  }

  /** word is take() decoded as Latin-1 (the classes it is used with are ASCII). */
  word(cls: number, what: string): string {
    const b = this.take(cls, what);
    return b.toString('latin1');
  }

  /** peekWord returns the upper-cased atom at the cursor without consuming it ('' when none). */
  peekWord(): string {
    const b = this.buf;
    let i = this.pos;
    while (i < b.length && (CHAR_CLASS[b[i]!]! & ATOM_CHAR) !== 0) i++;
    return b.toString('latin1', this.pos, i).toUpperCase();
  }

  /** tag reads a `tag` (RFC 9051: 1*<ASTRING-CHAR except "+">). */
  tag(): string {
    return this.word(TAG_CHAR, 'tag');
  }

  atom(): string {
    return this.word(ATOM_CHAR, 'atom');
  }

  number(): number {
    return this.digits(MAX_NUMBER, false);
  }

  number64(): number {
    return this.digits(MAX_NUMBER64, false);
  }

  nzNumber(): number {
    return this.digits(MAX_NUMBER, true);
  }

  private digits(max: number, nz: boolean): number {
    const b = this.buf;
    const start = this.pos;
    let i = start;
    let v = 0;
    while (i < b.length) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      if (v > max) throw new ParseError('Number out of range');
      i++;
    }
    if (i === start) throw new ParseError('Expected number');
    if (nz && b[start] === 0x30) throw new ParseError('Expected non-zero number');
    this.pos = i;
    return v;
  }

  /** quoted reads a quoted string (RFC 9051 `quoted`; `\"` and `\\` are the only escapes; UTF-8 allowed). */
  private quoted(): Buffer {
    const b = this.buf;
    const start = this.pos + 1;
    let i = start;
    let escaped = false;
    for (;;) {
      if (i >= b.length) throw new ParseError('Unterminated quoted string');
      const c = b[i]!;
      if (c === 0x22) break;
      if (c === 0x5c) {
        const next = b[i + 1];
        if (next !== 0x22 && next !== 0x5c) throw new ParseError('Invalid escape in quoted string');
        escaped = true;
        i += 2;
        continue;
      }
      if (c === 0 || c === 0x0d || c === 0x0a) throw new ParseError('Invalid character in quoted string');
      i++;
    }
    this.pos = i + 1;
    if (!escaped) return b.subarray(start, i);
    const out = Buffer.allocUnsafe(i - start);
    let o = 0;
    for (let k = start; k < i; k++) {
      let c = b[k]!;
      if (c === 0x5c) c = b[++k]!;
      out[o++] = c;
    }
    return out.subarray(0, o);
  }

  literal(): { data: Buffer; literal8: boolean } {
    if (!this.atLiteral()) throw new ParseError('Expected literal');
    const data = this.raw.literals[this.li]!;
    const literal8 = this.raw.literal8[this.li] ?? false;
    this.li++;
    this.buf = this.raw.lines[this.li] ?? EMPTY;
    this.pos = 0;
    return { data, literal8 };
  }

  string(): Buffer {
    if (this.atLiteral()) {
      const { data, literal8 } = this.literal();
      if (literal8) throw new ParseError('literal8 is only allowed for message data');
      return data;
    }
    if (this.peekByte() === 0x22) return this.quoted();
    throw new ParseError('Expected string');
  }

  nstring(): Buffer | null {
    if (this.peekByte() !== 0x22 && !this.atLiteral() && this.peekWord() === 'NIL') {
      this.pos += 3;
      return null;
    }
    return this.string();
  }

  /**
   * astringBytes reads an astring as bytes. Unquoted astrings may also carry 8-bit bytes (UTF-8), which
   * RFC 9051 does not allow but some clients send (lenient on input).
   */
  astringBytes(cls = ASTRING_CHAR): Buffer {
    if (this.atLiteral() || this.peekByte() === 0x22) return this.string();
    return this.take(cls | HIGH_CHAR, 'astring');
  }

  astring(): string {
    return this.astringBytes().toString('utf8');
  }

  list<T>(item: () => T): T[] {
    if (!this.tryChar('(')) throw new ParseError('Expected "("');
    this.enter();
    const out: T[] = [];
    if (!this.tryChar(')')) {
      for (;;) {
        out.push(item());
        if (this.tryChar(')')) break;
        this.space();
      }
    }
    this.leave();
    return out;
  }

  flag(): string {
    if (!this.tryChar('\\')) return this.atom();
    if (this.tryChar('*')) return '\\*';
    const name = this.word(ATOM_CHAR, 'flag name');
    return SYSTEM_FLAGS[name.toLowerCase()] ?? '\\' + name;
  }

  flagList(): string[] {
    return this.list(() => this.flag());
  }

  sequenceSet(): SequenceSet {
    return parseSequenceSet(this.word(SEQ_CHAR, 'sequence set'));
  }

  dateTime(): number {
    if (this.peekByte() !== 0x22) throw new ParseError('Expected quoted date-time');
    return parseDateTime(this.quoted().toString('latin1'));
  }

  date(): string {
    const text = this.peekByte() === 0x22 ? this.quoted().toString('latin1') : this.word(ATOM_CHAR, 'date');
    return parseDate(text);
  }
}
