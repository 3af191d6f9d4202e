/**
 * Encoding of IMAP response data (RFC 9051 section 4): strings as quoted strings or literals, NIL,
 * dates, sequence sets and mailbox names. Pure functions, no I/O.
 */
import { encodeModifiedUtf7 } from './mutf7.js';
import { octetLength } from './octets.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * imapString encodes a string as a quoted string when it can be one, else as a literal (RFC 9051 section 4.3).
 * A quoted string cannot hold CR, LF or NUL; it holds 8-bit (UTF-8) text only when `utf8` is true
 * (IMAP4rev2 / UTF8=ACCEPT); otherwise such text goes as a literal. Raw octets (octets.ts), which are no
 * UTF-8, always go in a literal, whose length counts them as one octet each: the caller sends the result
 * through rawOctets.
 */
export function imapString(value: string | Buffer, utf8 = false): string {
  const s = typeof value === 'string' ? value : value.toString('utf8');
  let needsLiteral = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 10 || c === 13 || (c > 127 && !utf8) || (c >= 0xdc80 && c <= 0xdcff)) {
      needsLiteral = true;
      break;
    }
  }
  if (needsLiteral) return `{${octetLength(s)}}\r\n${s}`;
  return '"' + s.replace(/[\\"]/g, (m) => '\\' + m) + '"';
}

/** nstring: NIL for null, else imapString. */
export function nstring(value: string | Buffer | null | undefined, utf8 = false): string {
  return value === null || value === undefined ? 'NIL' : imapString(value, utf8);
}

/** literalBytes returns the pieces of a literal `{n}\r\n<bytes>` for a Buffer, keeping bytes exact (8-bit safe). */
export function literalPieces(data: Buffer, literal8 = false): Array<string | Buffer> {
  return [`${literal8 ? '~' : ''}{${data.length}}\r\n`, data];
}

/** astring output: an atom when the value is a safe atom, else a string. */
export function astringOut(value: string, utf8 = false): string {
  if (value.length > 0 && /^[!#$&'+,\-.0-9:;<=>?@A-Z^_`a-z|}~\/]+$/.test(value) && value.toUpperCase() !== 'NIL') return value;
  return imapString(value, utf8);
}

/**
 * mailboxOut encodes a mailbox name for a response: UTF-8 when `utf8` (IMAP4rev2 / UTF8=ACCEPT), else
 * modified UTF-7 (RFC 3501 section 5.1.3); an atom when the name is one (as Dovecot sends INBOX), else a quoted string or literal.
 */
export function mailboxOut(name: string, utf8: boolean): string {
  return astringOut(utf8 ? name : encodeModifiedUtf7(name), utf8);
}

/** formatDateTime renders ms since epoch as an IMAP date-time in UTC, quoted: "21-Nov-2026 08:05:09 +0000" (RFC 9051 section 9 date-time). */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const p = (n: number): string => String(n).padStart(2, '0');
  return `"${day}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000"`;
}

/** formatSequenceSet renders numbers (any order, duplicates allowed) as a compact sequence-set "1:3,7,9:10"; empty input gives "". */
export function formatSequenceSet(nums: readonly number[]): string {
  if (nums.length === 0) return '';
  const sorted = [...new Set(nums)].sort((a, b) => a - b);
  const out: string[] = [];
  let start = sorted[0]!;
  let prev = start;
  for (let i = 1; i <= sorted.length; i++) {
    const n = sorted[i];
    if (n !== undefined && n === prev + 1) {
      prev = n;
      continue;
    }
    out.push(start === prev ? String(start) : `${start}:${prev}`);
    if (n !== undefined) start = prev = n;
  }
  return out.join(',');
}

/** flagList renders flags as "(\\Seen $Label1)". */
export function flagList(flags: readonly string[]): string {
  return `(${flags.join(' ')})`;
}

/**
 * AsciiBuffer builds a response of ASCII text in one Buffer, growing by doubling: numbers are written as
 * digits without making strings, for responses of 100,000 lines (FETCH of flags, SEARCH and SORT results).
 */
export class AsciiBuffer {
  private buf: Buffer;
  private at = 0;

  /** @param capacity the expected size in octets (it grows beyond it as needed) */
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, capacity));
  }

  /** The number of octets written. */
  get length(): number {
    return this.at;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.at + n));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }

  /** Appends one octet. */
  byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b;
  }

  /** Appends octets. */
  bytes(b: Buffer): void {
    this.room(b.length);
    for (let i = 0; i < b.length; i++) this.buf[this.at + i] = b[i]!;
    this.at += b.length;
  }

  /** Appends a non-negative integer (at most 2^53 - 1) in decimal. */
  number(n: number): void {
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    this.room(digits);
    let p = this.at + digits;
    while (n >= 10) {
      const q = Math.floor(n / 10);
      this.buf[--p] = 0x30 + (n - q * 10);
      n = q;
    }
    this.buf[--p] = 0x30 + n;
    this.at += digits;
  }

  /** The octets written so far (a view of the buffer: the builder must not be used after). */
  take(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

