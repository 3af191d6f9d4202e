/**
 * buildPreview makes the PREVIEW text of RFC 8970 from a stored message and its body structure: the
 * start of the first displayable text part, HTML reduced to its text, whitespace collapsed, at most
 * PREVIEW_CHARS characters. Reads at most PREVIEW_SOURCE_OCTETS of the part, so it stays cheap for
 * large messages (RFC 8970 expects previews to be cheap to produce).
 */
import { decodeCharset } from './charset.js';
import { decodeTransferEncoding } from './decode.js';
import type { MimePart } from './types.js';

/** PREVIEW_CHARS: the longest preview in characters (Unicode code points), the 256 of RFC 8970. */
export const PREVIEW_CHARS = 256;

/** Octets of the (encoded) text part read for a preview: enough for 256 characters after HTML markup and base64. */
const PREVIEW_SOURCE_OCTETS = 64 * 1024;

/** A part a mail reader shows inline as text: text/plain or text/html, not an attachment. */
function isDisplayText(part: MimePart): boolean {
  return part.type === 'text' && (part.subtype === 'plain' || part.subtype === 'html') && part.disposition?.value !== 'attachment';
}

/**
 * findTextPart returns the first displayable text leaf in reading order. In multipart/alternative the
 * plain version is preferred (it needs no markup removal); encapsulated messages are attachments and skipped.
 */
function findTextPart(part: MimePart): MimePart | null {
  if (part.message !== null) return null;
  if (part.parts.length === 0) return isDisplayText(part) ? part : null;
  if (part.subtype === 'alternative') {
    const found = part.parts.map(findTextPart).filter((p): p is MimePart => p !== null);
    return found.find((p) => p.subtype === 'plain') ?? found[0] ?? null;
  }
  for (const child of part.parts) {
    const found = findTextPart(child);
    if (found) return found;
  }
  return null;
}

/** Named character references of HTML 4 for U+00A0..U+00FF, in code point order (names are case-sensitive). */
const LATIN1_ENTITIES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para ' +
  'middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute ' +
  'Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute ' +
  'THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ' +
  'ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';

/** The named references a preview decodes: markup characters, Latin-1 and the common typographic ones. */
const ENTITIES: ReadonlyMap<string, string> = new Map([
  ...LATIN1_ENTITIES.split(' ').map((name, i): [string, string] => [name, String.fromCharCode(0xa0 + i)]),
  ...Object.entries({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", ndash: '\u2013', mdash: '\u2014', lsquo: '\u2018' }),
  ...Object.entries({ rsquo: '\u2019', ldquo: '\u201c', rdquo: '\u201d', bull: '\u2022', hellip: '\u2026', euro: '\u20ac', trade: '\u2122' }),
]);

/** htmlText removes markup: invisible elements, comments, tags; decodes the common entities. */
function htmlText(html: string): string {
  return html
    .replace(/<(style|script|head|title)\b[\s\S]*?(<\/\1\s*>|$)/gi, ' ')
    .replace(/<!--[\s\S]*?(-->|$)/g, ' ')
    .replace(/<[^>]*(>|$)/g, ' ')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES.get(name) ?? whole;
    });
}

/**
 * buildPreview returns the preview of a message (RFC 8970): UTF-8 text of at most 256
 * characters without line breaks or runs of white space; "" when the message has no displayable text part.
 */
export function buildPreview(raw: Buffer, root: MimePart): string {
  const part = findTextPart(root);
  if (!part || part.bodyEnd <= part.bodyStart) return '';
  const source = raw.subarray(part.bodyStart, Math.min(part.bodyEnd, part.bodyStart + PREVIEW_SOURCE_OCTETS));
  const bytes = decodeTransferEncoding(source, part.encoding) ?? source;
  const charset = part.params.find(([name]) => name === 'charset')?.[1] ?? null;
  let text = decodeCharset(bytes, charset);
  if (part.subtype === 'html') text = htmlText(text);
  // Control characters and every kind of white space become one space (RFC 8970: no line breaks).
  text = text.replace(/[\s\p{Cc}\p{Cf}]+/gu, ' ').trim();
  const chars = Array.from(text);
  return chars.length <= PREVIEW_CHARS ? text : chars.slice(0, PREVIEW_CHARS).join('').trimEnd();
}
