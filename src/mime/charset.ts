/**
 * Charset conversion to JS strings (RFC 2045 section 5.1 "charset", RFC 2046 section 4.1.2) for the
 * search text and RFC 2231 parameter values. Labels follow what mail really carries, not only the
 * IANA registry.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { encodingJapanese, iconv } from './libs.js';

/** Labels whose bytes are not ASCII-transparent, so the pure-ASCII fast path must not apply. */
const NOT_ASCII_COMPATIBLE = /^(utf-?(16|32|7)|ucs-?[24]|unicode|iso-?2022|csiso2022|hz-)/;

/** Labels seen in mail that iconv-lite does not know under that name. */
const ALIASES: Record<string, string> = {
  'x-mac-roman': 'macintosh',
  'x-euc-jp': 'euc-jp',
  'x-euc': 'euc-jp',
  'x-gbk': 'gbk',
  'x-big5': 'big5',
  'ks_c_5601': 'cp949',
  'ks_c_5601-1989': 'cp949',
  'x-windows-949': 'cp949',
  'x-cp1250': 'windows-1250',
  'x-cp1251': 'windows-1251',
  'x-cp1252': 'windows-1252',
  'unicode-1-1-utf-8': 'utf-8',
  'utf-8-sig': 'utf-8',
};

/**
 * normalizeCharset lower-cases a charset label, strips quotes and an RFC 2231 language suffix
 * ("utf-8*en"), and maps known aliases. Returns "" for null/blank.
 */
export function normalizeCharset(charset: string | null): string {
  if (charset === null) return '';
  let s = charset.trim().toLowerCase();
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) s = s.slice(1, -1).trim();
  const star = s.indexOf('*');
  if (star !== -1) s = s.slice(0, star);
  return ALIASES[s] ?? s;
}

/** known wraps iconv-lite's encodingExists, whose type guard would otherwise narrow a miss to `never`. */
function known(cs: string): boolean {
  return iconv().encodingExists(cs);
}

function isAsciiLabel(cs: string): boolean {
  return cs === '' || cs === 'us-ascii' || cs === 'ascii' || cs === 'ansi_x3.4-1968' || cs === 'us' ||
    cs === 'iso646-us' || cs === 'default' || cs === '7bit' || cs === '8bit';
}

function isLatin1Label(cs: string): boolean {
  return cs === 'iso-8859-1' || cs === 'iso8859-1' || cs === 'iso_8859-1' || cs === 'latin1' ||
    cs === 'latin-1' || cs === 'l1' || cs === 'cp819' || cs === 'iso-ir-100' || cs === 'iso_8859-1:1987' ||
    cs === 'csisolatin1' || cs === 'ibm819';
}

/**
 * decodeCharset turns `bytes` in `charset` into a string. Rules, in order:
 * - no charset or a US-ASCII label: UTF-8 when the bytes are valid UTF-8, else windows-1252 (8-bit
 *   bytes in "us-ascii" mail are one or the other in practice);
 * - UTF-8: decoded with U+FFFD for invalid sequences;
 * - ISO-8859-1 labels: decoded as windows-1252, as the WHATWG Encoding Standard does, so 0x80 is "€";
 * - ISO-2022-JP: encoding-japanese (iconv-lite lacks it); everything else iconv-lite knows: iconv-lite;
 * - unknown label: UTF-8 when valid, else latin1.
 * Never throws.
 */
export function decodeCharset(bytes: Buffer, charset: string | null): string {
  const cs = normalizeCharset(charset);
  if (bytes.length === 0) return '';
  if (isAscii(bytes) && !NOT_ASCII_COMPATIBLE.test(cs)) return bytes.toString('latin1');
  if (isAsciiLabel(cs)) return isUtf8(bytes) ? bytes.toString('utf8') : iconv().decode(bytes, 'windows-1252');
  if (cs === 'utf-8' || cs === 'utf8') return bytes.toString('utf8');
  if (isLatin1Label(cs)) return iconv().decode(bytes, 'windows-1252');
  try {
    if (/^(iso-?2022-?jp|csiso2022jp|jis$)/.test(cs)) {
      return encodingJapanese().convert(bytes, { to: 'UNICODE', from: 'JIS', type: 'string' });
    }
    if (known(cs)) return iconv().decode(bytes, cs);
    if (cs.startsWith('x-') && known(cs.slice(2))) return iconv().decode(bytes, cs.slice(2));
  } catch {
    // A codec failing on hostile bytes falls through to the unknown-charset rule.
  }
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes.toString('latin1');
}
