/**
 * buildPreview makes the PREVIEW text of RFC 8970 from a stored message and its body structure: the
 * start of the first displayable text part, HTML reduced to its text, whitespace collapsed, at most
 * PREVIEW_CHARS characters. Reads at most PREVIEW_SOURCE_OCTETS of the part, so it stays cheap for
 * large messages (RFC 8970 section 3 expects previews to be cheap to produce).
 */
import { decodeCharset } from './charset.js';
import { decodeTransferEncoding } from './decode.js';
import type { MimePart } from './types.js';

/** Longest preview in characters (Unicode code points): RFC 8970 section 3.1's 256. */
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

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

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
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
}

/**
 * buildPreview returns the preview of a message (RFC 8970 section 3.1): UTF-8 text of at most 256
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
  // Control characters and every kind of white space become one space (RFC 8970 section 3.1: no CR, LF).
  text = text.replace(/[\s\p{Cc}\p{Cf}]+/gu, ' ').trim();
  const chars = Array.from(text);
  return chars.length <= PREVIEW_CHARS ? text : chars.slice(0, PREVIEW_CHARS).join('').trimEnd();
}
