/**
 * String comparison for SORT and THREAD. RFC 5256 section 1: a server that implements SORT or THREAD
 * "MUST collate strings in accordance with the requirements of I18NLEVEL=1", whose default collation is
 * i;unicode-casemap (RFC 5255 section 4, RFC 5051): each character is mapped to its titlecase form, the
 * string is fully decomposed, and the results compare as UTF-8 octets. So "é" and "É" sort together, as
 * in Dovecot.
 */
import { octetsAsLatin1 } from '../../protocol/octets.js';

/** Titlecase forms that differ from upper case (the Latin digraphs; RFC 5051 uses the simple titlecase mapping). */
const TITLECASE: Readonly<Record<string, string>> = {
  '\u01C4': '\u01C5', '\u01C5': '\u01C5', '\u01C6': '\u01C5',
  '\u01C7': '\u01C8', '\u01C8': '\u01C8', '\u01C9': '\u01C8',
  '\u01CA': '\u01CB', '\u01CB': '\u01CB', '\u01CC': '\u01CB',
  '\u01F1': '\u01F2', '\u01F2': '\u01F2', '\u01F3': '\u01F2',
};

/** titlecase maps one code point by the simple titlecase mapping: one code point to one (no "ß" -> "SS"). */
function titlecase(ch: string): string {
  const t = TITLECASE[ch];
  if (t !== undefined) return t;
  const upper = ch.toUpperCase();
  return upper.length === ch.length || [...upper].length === 1 ? upper : ch;
}

/**
 * casemapKey returns the i;unicode-casemap form of `s` (RFC 5051 section 2: titlecase each character,
 * then decompose; NFKD here), which compareOctets orders. ASCII strings take a fast path (upper case).
 * Raw header octets in no known charset (protocol/octets.ts) compare as their ISO-8859-1 characters.
 */
export function casemapKey(raw: string): string {
  const s = octetsAsLatin1(raw);
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return /[a-z]/.test(s) ? s.toUpperCase() : s;
  let out = '';
  for (const ch of s) out += titlecase(ch);
  return out.normalize('NFKD');
}

/** lift moves UTF-16 surrogates above U+FFFF, where the code points they encode are. */
function lift(unit: number): number {
  return unit >= 0xd800 && unit < 0xe000 ? unit + 0x2800 : unit;
}

/**
 * compareOctets orders two strings as their UTF-8 octets would (negative, 0, positive). UTF-16 code
 * unit order equals it except that surrogates (U+10000 and up) must sort after U+E000-U+FFFF.
 */
export function compareOctets(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    return lift(x) - lift(y);
  }
  return a.length - b.length;
}
