/**
 * Modified UTF-7 for mailbox names (RFC 3501 section 5.1.3, kept by RFC 9051 section 5.1 for clients that
 * have not enabled UTF-8). Printable US-ASCII except "&" stands for itself, "&" is "&-", and any other run
 * of characters is "&" + modified BASE64 of its UTF-16BE code units ("," for "/", no padding) + "-".
 */
import { ParseError } from './types.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

function isPrintable(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/**
 * encodeModifiedUtf7 encodes a mailbox name (any Unicode string) to modified UTF-7 (RFC 3501 section 5.1.3).
 * Never throws; lone surrogates are encoded as they are.
 */
export function encodeModifiedUtf7(name: string): string {
  let plain = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x26 || !isPrintable(c)) {
      plain = false;
      break;
    }
  }
  if (plain) return name;
  const out: string[] = [];
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (c === 0x26) {
      out.push('&-');
      i++;
    } else if (isPrintable(c)) {
      let j = i + 1;
      while (j < name.length && isPrintable(name.charCodeAt(j)) && name.charCodeAt(j) !== 0x26) j++;
      out.push(name.slice(i, j));
      i = j;
    } else {
      let j = i + 1;
      while (j < name.length && !isPrintable(name.charCodeAt(j))) j++;
      const units = Buffer.from(name.slice(i, j), 'utf16le').swap16();
      let b64 = units.toString('base64');
      let end = b64.length;
      while (end > 0 && b64.charCodeAt(end - 1) === 0x3d) end--; // "="
      b64 = b64.slice(0, end).replace(/\//g, ',');
      out.push('&', b64, '-');
      i = j;
    }
  }
  return out.join('');
}

/**
 * decodeModifiedUtf7 decodes a modified UTF-7 mailbox name (RFC 3501 section 5.1.3) to a Unicode string.
 * Throws ParseError on: a byte outside printable US-ASCII, an unterminated "&...", a character outside the
 * modified BASE64 alphabet, leftover non-zero bits or a partial UTF-16 unit, unpaired surrogates, and encoded
 * printable US-ASCII (which must stand for itself).
 */
export function decodeModifiedUtf7(s: string): string {
  let i = 0;
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x26) break;
    if (!isPrintable(c)) throw invalid('character outside printable US-ASCII');
  }
  if (i === n) return s;
  const out: string[] = [s.slice(0, i)];
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c !== 0x26) {
      if (!isPrintable(c)) throw invalid('character outside printable US-ASCII');
      let j = i + 1;
      while (j < n && s.charCodeAt(j) !== 0x26) {
        if (!isPrintable(s.charCodeAt(j))) throw invalid('character outside printable US-ASCII');
        j++;
      }
      out.push(s.slice(i, j));
      i = j;
      continue;
    }
    const dash = s.indexOf('-', i + 1);
    if (dash < 0) throw invalid('unterminated "&" sequence');
    if (dash === i + 1) out.push('&');
    else out.push(decodeRun(s, i + 1, dash));
    i = dash + 1;
  }
  return out.join('');
}

/** Decodes the modified BASE64 in s[start, end) to UTF-16 and checks it. */
function decodeRun(s: string, start: number, end: number): string {
  const units: number[] = [];
  let bits = 0;
  let nbits = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? VALUE[c]! : -1;
    if (v < 0) throw invalid('character outside modified BASE64');
    bits = (bits << 6) | v;
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push((bits >> nbits) & 0xffff);
      bits &= (1 << nbits) - 1;
    }
  }
  if (nbits >= 6 || bits !== 0) throw invalid('partial UTF-16 unit in modified BASE64');
  for (let k = 0; k < units.length; k++) {
    const u = units[k]!;
    if (isPrintable(u)) throw invalid('encoded printable US-ASCII');
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = units[k + 1];
      if (next === undefined || next < 0xdc00 || next > 0xdfff) throw invalid('unpaired surrogate');
      k++;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      throw invalid('unpaired surrogate');
    }
  }
  return String.fromCharCode(...units);
}

function invalid(why: string): ParseError {
  return new ParseError(`Mailbox name is not valid modified UTF-7: ${why}`);
}
