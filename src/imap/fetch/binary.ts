/**
 * FETCH BINARY[...] and BINARY.SIZE[...] (RFC 3516, RFC 9051 section 6.4.5): a part's body with its
 * Content-Transfer-Encoding removed. Multiparts and encapsulated messages may only have an identity
 * encoding (RFC 2045 section 6.4), so they are returned as stored; only leaf parts are decoded.
 * Decoded text/* parts go out with CRLF line ends (RFC 9051 section 7.5.2: a MUST for "textual line-oriented
 * sections", whatever line ends the encoded data carried). Decoded data holding a NUL or a CR that ends no
 * line is not line-oriented text but binary (RFC 2045 section 2.9): it goes out exactly as decoded, in a
 * literal8 (RFC 3516 section 4.2), as Dovecot sends it.
 */
import { toCrlf } from '../../mime/crlf.js';
import { decodeTransferEncoding } from '../../mime/decode.js';
import type { MimePart } from '../../mime/types.js';
import { bodyOf, filterHeader, findPart, headerOf } from './sections.js';

const EMPTY = Buffer.alloc(0);

/** Encodings that leave the bytes as they are (RFC 2045 section 6.1). */
const IDENTITY = new Set(['7bit', '8bit', 'binary']);

function isIdentity(encoding: string | null): boolean {
  // An empty Content-Transfer-Encoding names no mechanism: unknown, as in Dovecot (RFC 2045 section 6.4).
  return encoding === null || IDENTITY.has(encoding.toLowerCase());
}

function isContainer(part: MimePart): boolean {
  return part.type === 'multipart' || part.message !== null;
}

function decodePart(raw: Buffer, part: MimePart): Buffer | null {
  const body = bodyOf(raw, part);
  if (isContainer(part)) return body;
  const decoded = isIdentity(part.encoding) ? body : decodeTransferEncoding(body, part.encoding);
  if (decoded === null || part.type !== 'text' || isBinaryData(decoded)) return decoded;
  return toCrlf(decoded);
}

/**
 * isBinaryData tells whether decoded section data is binary rather than (8-bit) text (RFC 2045 sections 2.8
 * and 2.9: text has no NUL and no CR or LF outside a CRLF line end; a bare LF is taken as a line end, as
 * mail stored with LF ends has them). Such data is sent as a literal8 and never has its line ends changed.
 */
export function isBinaryData(data: Buffer): boolean {
  if (data.indexOf(0) >= 0) return true;
  for (let i = data.indexOf(0x0d); i !== -1; i = data.indexOf(0x0d, i + 1)) {
    if (data[i + 1] !== 0x0a) return true;
  }
  return false;
}

/**
 * binaryDecodable tells whether BINARY[path] of a message with structure `root` can be answered: false
 * when the named leaf part has a transfer encoding this server cannot decode (the command then fails with
 * NO [UNKNOWN-CTE], RFC 3516 section 4.3). Needs no message bytes, so FETCH can check before any side effect.
 */
export function binaryDecodable(root: MimePart, path: readonly number[]): boolean {
  const part = path.length > 0 ? findPart(root, path) : root;
  if (!part || isContainer(part) || isIdentity(part.encoding)) return true;
  // decodeTransferEncoding answers null for exactly the encodings it does not know, whatever the data.
  return decodeTransferEncoding(Buffer.alloc(0), part.encoding) !== null;
}

/**
 * binaryBytes returns the decoded octets of BINARY[path] (RFC 3516 section 4.2), or null when the part's
 * transfer encoding is unknown (the caller answers NO [UNKNOWN-CTE]). An empty path is the whole message:
 * its header (with Content-Transfer-Encoding rewritten to binary when the body was decoded) and decoded
 * body. A nonexistent part gives an empty Buffer, like BODY[].
 */
export function binaryBytes(raw: Buffer, root: MimePart, path: readonly number[]): Buffer | null {
  if (path.length > 0) {
    const part = findPart(root, path);
    return part ? decodePart(raw, part) : EMPTY;
  }
  if (isContainer(root)) return raw;
  if (isIdentity(root.encoding)) return root.type === 'text' ? toCrlf(raw) : raw;
  const body = decodePart(raw, root);
  if (body === null) return null;
  const header = filterHeader(headerOf(raw, root), ['content-transfer-encoding'], false);
  // filterHeader ends with the blank line; put the new field before it.
  return Buffer.concat([header.subarray(0, header.length - 2), Buffer.from('Content-Transfer-Encoding: binary\r\n\r\n'), body]);
}
