/**
 * Message data in POP3 multi-line responses (RFC 1939 section 3): every line that begins with "." gets
 * another "." before it (byte-stuffing), and the response ends with a line holding only ".". And TOP's
 * slice of a message (RFC 1939 section 7): its header, the blank line, and the first n lines of the body.
 * Pure functions over Buffers; the bytes are never decoded.
 */
import { findBlankLine } from '../mime/bytes.js';

const DOT = 0x2e;
const LF = 0x0a;
const CR = 0x0d;
const LF_DOT = Buffer.from('\n.', 'latin1');
const TERMINATOR = Buffer.from('.\r\n', 'latin1');
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n', 'latin1');

/**
 * ByteStuffer byte-stuffs data given in consecutive chunks. A line begins at the start of the data and
 * after every LF: after CRLF as RFC 1939 says, and also after a bare LF (a message added over IMAP APPEND
 * may have one), because clients that read lines up to LF (fetchmail, Python's poplib) would otherwise
 * take a "." line inside such a message for the end of the response.
 */
export class ByteStuffer {
  private atLineStart = true;
  private last = -1;
  private beforeLast = -1;

  /** stuff returns `chunk` with "." put before each line-initial "." (`chunk` itself when it has none). */
  stuff(chunk: Buffer): Buffer {
    const len = chunk.length;
    if (len === 0) return chunk;
    const at: number[] = [];
    if (this.atLineStart && chunk[0] === DOT) at.push(0);
    for (let i = chunk.indexOf(LF_DOT); i >= 0; i = chunk.indexOf(LF_DOT, i + 1)) at.push(i + 1);
    this.beforeLast = len > 1 ? chunk[len - 2]! : this.last;
    this.last = chunk[len - 1]!;
    this.atLineStart = this.last === LF;
    if (at.length === 0) return chunk;
    const out = Buffer.allocUnsafe(len + at.length);
    let from = 0;
    let to = 0;
    for (const p of at) {
      to += chunk.copy(out, to, from, p);
      out[to++] = DOT;
      from = p;
    }
    chunk.copy(out, to, from);
    return out;
  }

  /**
   * end returns the termination line ".\r\n", with CRLF before it when the data so far does not end in
   * CRLF (the terminator must begin a line; RETR then sends 2 octets more than the message's size).
   */
  end(): Buffer {
    const endsWithCrlf = this.last === LF && this.beforeLast === CR;
    return this.last === -1 || endsWithCrlf ? TERMINATOR : CRLF_TERMINATOR;
  }
}

/**
 * topOf returns what TOP msg n sends of `raw` before stuffing (RFC 1939 section 7): the header up to and
 * including the blank line that ends it, then the first `lines` lines of the body (a line ends at LF). A
 * message without a blank line is all header and is returned whole. A slice of `raw`, never a copy.
 */
export function topOf(raw: Buffer, lines: number): Buffer {
  const bodyStart = findBlankLine(raw, 0, raw.length);
  if (bodyStart < 0) return raw;
  let end = bodyStart;
  for (let i = 0; i < lines && end < raw.length; i++) {
    const nl = raw.indexOf(LF, end);
    end = nl < 0 ? raw.length : nl + 1;
  }
  return raw.subarray(0, end);
}
