/**
 * CommandReader frames a ManageSieve client's byte stream into commands (RFC 5804 section 4): a line of
 * space-separated tokens (the command name, an atom; quoted strings; numbers), where a string may instead be
 * a literal announced at the end of a line as `{n+}` (non-synchronizing, what clients send) or `{n}`, whose n
 * octets follow the line break and after which the command line goes on. ManageSieve has no continuation
 * request for literals, so both forms are read at once. A SASL response during AUTHENTICATE is a line of one
 * string, framed the same way. No I/O: the connection pushes chunks and gets events back.
 *
 * Limits (src/limits.ts): command text up to MANAGESIEVE_MAX_LINE_OCTETS, at most
 * MANAGESIEVE_MAX_LITERALS_PER_COMMAND literals, each kept only up to `maxLiteral` octets (the script size
 * limit); a larger one is read and dropped (the command is answered NO (QUOTA/MAXSIZE)) up to
 * MANAGESIEVE_MAX_SKIPPED_LITERAL_OCTETS, beyond which the session ends. Memory per connection stays bounded.
 */
import { MANAGESIEVE_MAX_LINE_OCTETS, MANAGESIEVE_MAX_LITERALS_PER_COMMAND, MANAGESIEVE_MAX_SKIPPED_LITERAL_OCTETS } from '../limits.js';

/** Token is one element of a command: an atom (the command name), a string (quoted or literal, UTF-8 decoded), or a number (0 to 4294967295). */
export type Token = { kind: 'atom'; value: string } | { kind: 'string'; value: string } | { kind: 'number'; value: number };

/**
 * ReaderEvent is what one pushed chunk completes: a command's tokens; an `invalid` command (malformed
 * tokens; the session goes on); an `oversized` command (a literal over the limit was skipped); or a `fatal`
 * framing error after which nothing more can be read (the connection says BYE). `name` is the command's
 * first word as sent, when there is one.
 */
export type ReaderEvent =
  | { kind: 'command'; tokens: Token[] }
  | { kind: 'invalid'; name: string | null; message: string }
  | { kind: 'oversized'; name: string | null }
  | { kind: 'fatal'; message: string };

/** MAX_QUOTED_OCTETS: RFC 5804 section 4 allows at most 1024 octets in a quoted string. */
const MAX_QUOTED_OCTETS = 1024;
/** MAX_NUMBER: numbers are 32-bit unsigned (RFC 5804 section 4, `number`). */
const MAX_NUMBER = 4294967295;

const LF = 0x0a;
const CR = 0x0d;
const LITERAL_MARKER = /\{(\d{1,12})(\+?)\}$/;

type Part = { kind: 'text'; data: Buffer } | { kind: 'literal'; data: Buffer };

/** CommandReader keeps at most one command's text and literals (bounded as the module comment says). */
export class CommandReader {
  private lineParts: Buffer[] = [];
  private textSize = 0;
  private parts: Part[] = [];
  private literalLeft = -1;
  private literalChunks: Buffer[] = [];
  private skipping = false;
  private oversized = false;
  private failed = false;

  /** @param maxLiteral largest literal kept, in octets (the script size limit; at least MAX_QUOTED_OCTETS) */
  constructor(private readonly maxLiteral: number) {}

  /** midCommand is true while a command has begun and not ended (for the slowloris timer). */
  get midCommand(): boolean {
    return this.lineParts.length > 0 || this.parts.length > 0 || this.literalLeft >= 0;
  }

  /** push takes the next chunk and returns the events it completes, in order; after a `fatal` event, nothing more. */
  push(chunk: Buffer): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    let pos = 0;
    while (pos < chunk.length && !this.failed) {
      if (this.literalLeft >= 0) {
        const take = Math.min(this.literalLeft, chunk.length - pos);
        if (!this.skipping) this.literalChunks.push(chunk.subarray(pos, pos + take));
        this.literalLeft -= take;
        pos += take;
        if (this.literalLeft === 0) this.endLiteral();
        continue;
      }
      const nl = chunk.indexOf(LF, pos);
      const end = nl < 0 ? chunk.length : nl;
      this.textSize += end - pos;
      if (this.textSize > MANAGESIEVE_MAX_LINE_OCTETS) {
        events.push(this.fail('Command line too long.'));
        break;
      }
      if (end > pos) this.lineParts.push(chunk.subarray(pos, end));
      if (nl < 0) break;
      pos = nl + 1;
      const ev = this.endLine();
      if (ev) events.push(ev);
    }
    return events;
  }

  private fail(message: string): ReaderEvent {
    this.failed = true;
    this.lineParts = [];
    this.parts = [];
    this.literalChunks = [];
    return { kind: 'fatal', message };
  }

  /** endLine handles a line break outside a literal: a literal marker starts a literal, else the command ends. */
  private endLine(): ReaderEvent | null {
    let line = Buffer.concat(this.lineParts);
    this.lineParts = [];
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    const tail = line.subarray(Math.max(0, line.length - 16)).toString('latin1');
    const m = LITERAL_MARKER.exec(tail);
    if (m) {
      const n = Number(m[1]);
      this.parts.push({ kind: 'text', data: line.subarray(0, line.length - m[0].length) });
      if (this.parts.filter((p) => p.kind === 'literal').length >= MANAGESIEVE_MAX_LITERALS_PER_COMMAND) return this.fail('Too many literals in one command.');
      if (n > MANAGESIEVE_MAX_SKIPPED_LITERAL_OCTETS) return this.fail(`Literal too large: ${n} octets.`);
      if (n > this.maxLiteral) {
        this.skipping = true;
        this.oversized = true;
      }
      this.literalLeft = n;
      if (n === 0) this.endLiteral();
      return null;
    }
    this.parts.push({ kind: 'text', data: line });
    const parts = this.parts;
    const oversized = this.oversized;
    this.parts = [];
    this.textSize = 0;
    this.oversized = false;
    if (oversized) return { kind: 'oversized', name: firstWord(parts) };
    return tokenize(parts);
  }

  private endLiteral(): void {
    this.parts.push({ kind: 'literal', data: this.skipping ? Buffer.alloc(0) : Buffer.concat(this.literalChunks) });
    this.literalChunks = [];
    this.literalLeft = -1;
    this.skipping = false;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** decode reads UTF-8 strictly; null when the octets are not UTF-8. */
function decode(data: Buffer): string | null {
  try {
    return utf8.decode(data);
  } catch {
    return null;
  }
}

function firstWord(parts: Part[]): string | null {
  const first = parts[0];
  if (!first || first.kind !== 'text') return null;
  const m = /^[A-Za-z]+/.exec(first.data.toString('latin1'));
  return m ? m[0].toUpperCase() : null;
}

/** tokenize turns a command's text parts and literals into tokens, or an `invalid` event naming what is wrong. */
export function tokenize(parts: readonly Part[]): ReaderEvent {
  const tokens: Token[] = [];
  const name = firstWord(parts as Part[]);
  const invalid = (message: string): ReaderEvent => ({ kind: 'invalid', name, message });
  for (const part of parts) {
    if (part.kind === 'literal') {
      const value = decode(part.data);
      if (value === null) return invalid('String is not valid UTF-8.');
      tokens.push({ kind: 'string', value });
      continue;
    }
    const text = decode(part.data);
    if (text === null) return invalid('Command is not valid UTF-8.');
    let i = 0;
    while (i < text.length) {
      if (text[i] === ' ') {
        i++;
        continue;
      }
      if (text[i] === '"') {
        let value = '';
        let j = i + 1;
        for (;;) {
          if (j >= text.length) return invalid('Unterminated quoted string.');
          const ch = text[j]!;
          if (ch === '"') break;
          if (ch === '\\') {
            const next = text[j + 1];
            if (next !== '"' && next !== '\\') return invalid('Invalid escape in quoted string: only \\" and \\\\ are allowed.');
            value += next;
            j += 2;
            continue;
          }
          if (ch === '\0') return invalid('NUL in quoted string.');
          value += ch;
          j++;
        }
        if (Buffer.byteLength(value) > MAX_QUOTED_OCTETS) return invalid(`Quoted string longer than ${MAX_QUOTED_OCTETS} octets: send it as a literal.`);
        tokens.push({ kind: 'string', value });
        i = j + 1;
        if (i < text.length && text[i] !== ' ') return invalid('Expected a space after a quoted string.');
        continue;
      }
      let j = i;
      while (j < text.length && text[j] !== ' ') j++;
      const word = text.slice(i, j);
      i = j;
      if (/^\d+$/.test(word)) {
        const n = Number(word);
        if (n > MAX_NUMBER) return invalid('Number too large.');
        tokens.push({ kind: 'number', value: n });
      } else if (/^[A-Za-z][A-Za-z0-9_-]*$/.test(word)) {
        tokens.push({ kind: 'atom', value: word });
      } else {
        return invalid(`Unexpected characters: ${printable(word)}`);
      }
    }
  }
  return { kind: 'command', tokens };
}

/** printable shows at most 20 characters of client input, without control characters. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.slice(0, 20).replace(/[\x00-\x1f\x7f]/g, '?');
}
