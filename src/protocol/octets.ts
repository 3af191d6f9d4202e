/**
 * Raw octets in header text. A header field whose 8-bit bytes are not UTF-8 names no charset, so its text
 * cannot be known; yet ENVELOPE and BODYSTRUCTURE must carry the stored bytes unchanged (RFC 9051 section
 * 7.5.2, as Dovecot does). Such a byte is kept in the string as the code point U+DC00 + byte (U+DC80..U+DCFF,
 * lone low surrogates, which no decoded text ever holds), so it survives JSON and every string operation,
 * and turns back into the same byte on the wire (rawOctets). Pure functions, no I/O.
 */

const RAW = /[\uDC80-\uDCFF]/;
const RAW_ALL = /[\uDC80-\uDCFF]/g;

/** escapeOctets returns latin1 text (one char per byte) with every byte >= 0x80 kept as a raw octet (U+DC80..U+DCFF). */
export function escapeOctets(latin1: string): string {
  return latin1.replace(/[\x80-\xff]/g, (c) => String.fromCharCode(0xdc00 + c.charCodeAt(0)));
}

/** hasRawOctets tells whether `s` holds a raw octet (so it must go as a literal, and through rawOctets). */
export function hasRawOctets(s: string): boolean {
  return RAW.test(s);
}

/** rawOctets returns the bytes `s` stands for on the wire: each raw octet as its byte, all else UTF-8. */
export function rawOctets(s: string): Buffer {
  if (!RAW.test(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc80 || c > 0xdcff) continue;
    if (i > from) parts.push(Buffer.from(s.slice(from, i), 'utf8'));
    parts.push(Buffer.of(c - 0xdc00));
    from = i + 1;
  }
  if (from < s.length) parts.push(Buffer.from(s.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

/** octetLength is rawOctets(s).length without building the Buffer: the length of a literal holding `s`. */
export function octetLength(s: string): number {
  if (!RAW.test(s)) return Buffer.byteLength(s, 'utf8');
  let raw = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff) raw++;
  }
  // A lone surrogate counts 3 octets in UTF-8 (as U+FFFD); each raw octet is 1.
  return Buffer.byteLength(s, 'utf8') - raw * 2;
}

/** octetsAsLatin1 turns raw octets into the ISO-8859-1 characters of those bytes (for comparing, as SORT does). */
export function octetsAsLatin1(s: string): string {
  return RAW.test(s) ? s.replace(RAW_ALL, (c) => String.fromCharCode(c.charCodeAt(0) - 0xdc00)) : s;
}
