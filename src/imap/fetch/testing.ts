/**
 * Helpers for the fetch tests: hand-built MimePart nodes and messages with CRLF line ends.
 */
import type { Envelope, MimePart } from '../../mime/types.js';

/** part builds a MimePart with defaults (text/plain, no headers of note); offsets must be given where they matter. */
export function part(p: Partial<MimePart>): MimePart {
  return {
    headerStart: 0,
    headerEnd: 0,
    bodyStart: 0,
    bodyEnd: 0,
    bodyLines: 0,
    type: 'text',
    subtype: 'plain',
    params: [],
    id: null,
    description: null,
    encoding: null,
    md5: null,
    disposition: null,
    language: null,
    location: null,
    parts: [],
    message: null,
    envelope: null,
    ...p,
  };
}

/** envelope builds an Envelope with every member NIL unless given. */
export function envelope(e: Partial<Envelope>): Envelope {
  return {
    date: null,
    subject: null,
    from: null,
    sender: null,
    replyTo: null,
    to: null,
    cc: null,
    bcc: null,
    inReplyTo: null,
    messageId: null,
    ...e,
  };
}

/** crlf joins lines with CRLF (and ends with CRLF) and returns the bytes. */
export function crlf(...lines: string[]): Buffer {
  return Buffer.from(lines.map((l) => l + '\r\n').join(''), 'utf8');
}
