/**
 * Content decoding: Content-Transfer-Encoding (RFC 2045 section 6), charsets (RFC 2046 section 4.1.2)
 * and encoded-words in header values (RFC 2047). Lenient on input, because mail in the wild is.
 */
import { libmime } from './libs.js';

/** decodeCharset converts bytes in a charset to a string; see charset.ts for the rules. */
export { decodeCharset } from './charset.js';

const SP = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const EQ = 0x3d;

const B64 = new Int8Array(256).fill(-1);
const HEX = new Int8Array(256).fill(-1);
{
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) B64[alphabet.charCodeAt(i)] = i;
  const hex = '0123456789ABCDEF';
  for (let i = 0; i < 16; i++) {
    HEX[hex.charCodeAt(i)] = i;
    HEX[hex.toLowerCase().charCodeAt(i)] = i;
  }
}

/**
 * decodeTransferEncoding decodes a body per its Content-Transfer-Encoding (RFC 2045 section 6).
 * `encoding` is matched case-insensitively: null (no field), "7bit", "8bit" and "binary" return `body` itself;
 * "base64" skips every byte outside the alphabet and restarts after "=" padding (some mailers pad
 * each line); "quoted-printable" handles soft line breaks after CRLF or bare LF, drops trailing
 * whitespace (section 6.7 rule 3) and keeps a malformed "=" literally. Any other encoding
 * ("x-uuencode", "base9000", and "" from an empty field) returns null, which FETCH BINARY reports as UNKNOWN-CTE (RFC 3516).
 * Never throws.
 */
export function decodeTransferEncoding(body: Buffer, encoding: string | null): Buffer | null {
  if (encoding === null) return body;
  switch (encoding.trim().toLowerCase()) {
    case '7bit':
    case '8bit':
    case 'binary':
      return body;
    case 'base64':
      return decodeBase64(body);
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return null;
  }
}

function decodeBase64(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(Math.floor((body.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let n = 0;
  const flushPartial = (): void => {
    // 2 chars carry 1 byte, 3 chars carry 2; a lone char carries nothing (RFC 4648 section 4).
    if (n === 2) out[o++] = (acc >> 4) & 0xff;
    else if (n === 3) {
      out[o++] = (acc >> 10) & 0xff;
      out[o++] = (acc >> 2) & 0xff;
    }
    acc = 0;
    n = 0;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    const v = B64[c];
    if (v >= 0) {
      acc = (acc << 6) | v;
      if (++n === 4) {
        out[o++] = (acc >> 16) & 0xff;
        out[o++] = (acc >> 8) & 0xff;
        out[o++] = acc & 0xff;
        acc = 0;
        n = 0;
      }
    } else if (c === EQ) {
      flushPartial();
    }
  }
  flushPartial();
  return out.subarray(0, o);
}

function decodeQuotedPrintable(body: Buffer): Buffer {
  const len = body.length;
  const out = Buffer.allocUnsafe(len);
  let o = 0;
  let i = 0;
  while (i < len) {
    const c = body[i];
    if (c === EQ) {
      if (i + 2 < len && HEX[body[i + 1]] >= 0 && HEX[body[i + 2]] >= 0) {
        out[o++] = (HEX[body[i + 1]] << 4) | HEX[body[i + 2]];
        i += 3;
        continue;
      }
      let j = i + 1;
      while (j < len && (body[j] === SP || body[j] === TAB)) j++;
      if (j >= len) { i = j; continue; } // "=" at the very end: a soft break with no line after it
      if (body[j] === LF) { i = j + 1; continue; }
      if (body[j] === CR && (j + 1 >= len || body[j + 1] === LF)) { i = Math.min(j + 2, len); continue; }
      out[o++] = c; // not an escape: keep "=" as data, as RFC 2045 section 6.7 note (2) suggests
      i++;
      continue;
    }
    if (c === SP || c === TAB) {
      let j = i;
      while (j < len && (body[j] === SP || body[j] === TAB)) j++;
      const atEol = j >= len || body[j] === LF || (body[j] === CR && j + 1 < len && body[j + 1] === LF);
      // A byte loop: whitespace runs are short (between words), and a native copy per run cost more.
      if (!atEol) for (let k = i; k < j; k++) out[o++] = body[k];
      i = j;
      continue;
    }
    out[o++] = c;
    i++;
  }
  return out.subarray(0, o);
}

/**
 * decodeHeaderValue decodes RFC 2047 encoded-words in an unfolded header value that is already text
 * (8-bit bytes decoded by the caller); whitespace between adjacent encoded-words is dropped (RFC 2047
 * section 6.2). Unknown charsets decode as UTF-8. Returns `raw` unchanged when it holds no "=?" or on
 * any decoder error. Never throws.
 */
export function decodeHeaderValue(raw: string): string {
  if (!raw.includes('=?')) return raw;
  try {
    return libmime().decodeWords(raw);
  } catch {
    return raw;
  }
}
