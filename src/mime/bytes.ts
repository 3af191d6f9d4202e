/**
 * Byte-level helpers shared by the MIME parser: line scanning with indexOf over Buffers (never a
 * whole-body string) and the one rule for turning raw 8-bit header bytes into text; and the one rule for
 * NUL bytes in message data sent over IMAP and POP3.
 */
import { isUtf8 } from 'node:buffer';
import { escapeOctets } from '../protocol/octets.js';
import { iconv } from './libs.js';

/** LF is the line feed byte; a line ends at LF (with or without CR before it). */
export const LF = 0x0a;
/** CR is the carriage return byte. */
export const CR = 0x0d;

/**
 * findBlankLine returns the offset just past the first empty line ("\r\n" or "\n" alone) in
 * raw[start, end), or -1 when there is none (RFC 5322 section 2.1: the header ends at the first empty
 * line). An empty line at `start` itself (no header fields) is found too. Offsets are bytes.
 */
export function findBlankLine(raw: Buffer, start: number, end: number): number {
  if (start >= end) return -1;
  if (raw[start] === LF) return start + 1;
  if (raw[start] === CR && start + 1 < end && raw[start + 1] === LF) return start + 2;
  // A subarray bounds indexOf to this part, so a short part never scans the rest of a big message.
  const view = raw.subarray(start, end);
  const len = view.length;
  for (let i = view.indexOf(LF); i !== -1 && i + 1 < len; i = view.indexOf(LF, i + 1)) {
    const next = view[i + 1];
    if (next === LF) return start + i + 2;
    if (next === CR && i + 2 < len && view[i + 2] === LF) return start + i + 3;
  }
  return -1;
}

/**
 * countLines returns the number of lines in raw[start, end): LF-terminated lines plus one for a final
 * line without LF (RFC 9051 body-fld-lines). 0 for an empty range.
 */
export function countLines(raw: Buffer, start: number, end: number): number {
  if (start >= end) return 0;
  const view = raw.subarray(start, end);
  let n = 0;
  for (let i = view.indexOf(LF); i !== -1; i = view.indexOf(LF, i + 1)) n++;
  if (view[view.length - 1] !== LF) n++;
  return n;
}

/**
 * withoutNul returns `data` with every NUL byte replaced by 0x80 (a copy; `data` itself when it has no NUL).
 * A literal cannot carry NUL (RFC 9051 section 4.3), so, like Dovecot, IMAP sends BODY[] data this way
 * (BINARY[] keeps NULs and goes as literal8); POP3 RETR sends the same bytes as BODY[].
 */
export function withoutNul(data: Buffer): Buffer {
  if (data.indexOf(0) < 0) return data;
  const copy = Buffer.from(data);
  for (let i = copy.indexOf(0); i >= 0; i = copy.indexOf(0, i + 1)) copy[i] = 0x80;
  return copy;
}

/**
 * hasHighBit reports whether a latin1 (one char per byte) string holds any byte >= 0x80.
 */
export function hasHighBit(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(s);
}

/**
 * bytesText turns a latin1 string (one char per raw byte, as header fields are read) into text:
 * UTF-8 when the bytes are valid UTF-8 (RFC 6532 headers), otherwise `fallback`: "raw" keeps every 8-bit
 * byte as a raw octet (protocol/octets.ts), so ENVELOPE and BODYSTRUCTURE send the stored bytes back
 * unchanged; "windows-1252" is what mislabelled western mail really is (for SEARCH, which must compare text).
 * Pure-ASCII input is returned unchanged.
 */
export function bytesText(s: string, fallback: 'raw' | 'windows-1252'): string {
  if (!hasHighBit(s)) return s;
  const bytes = Buffer.from(s, 'latin1');
  if (isUtf8(bytes)) return bytes.toString('utf8');
  return fallback === 'raw' ? escapeOctets(s) : iconv().decode(bytes, 'windows-1252');
}
