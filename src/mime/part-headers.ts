/**
 * The MIME header fields of a message's body parts as search text for the TEXT key, which RFC 9051
 * section 6.4.4 matches against "the header (including MIME header fields) or body of the message".
 * The stored search text holds the top-level header and the decoded text parts, not the Content-* fields
 * of the parts below; those are rebuilt here from the body structure parsed at delivery (parameter values
 * already RFC 2231-decoded), so no message has to be read again.
 */
import { decodeHeaderValue } from './decode.js';
import type { MimeParams, MimePart } from './types.js';

function params(list: MimeParams): string {
  return list.map(([name, value]) => `; ${name}=${value}`).join('');
}

/** Writes one part's MIME header fields (RFC 2045 section 3, RFC 2183, RFC 3282, RFC 2557, RFC 1864) as "Name: value" lines. */
function partFields(part: MimePart, out: string[]): void {
  out.push(`Content-Type: ${part.type}/${part.subtype}${params(part.params)}`);
  if (part.encoding !== null) out.push(`Content-Transfer-Encoding: ${part.encoding}`);
  if (part.id !== null) out.push(`Content-ID: ${part.id}`);
  if (part.description !== null) out.push(`Content-Description: ${decodeHeaderValue(part.description)}`);
  if (part.disposition !== null) out.push(`Content-Disposition: ${part.disposition.value}${params(part.disposition.params)}`);
  if (part.language !== null && part.language.length > 0) out.push(`Content-Language: ${part.language.join(', ')}`);
  if (part.location !== null) out.push(`Content-Location: ${part.location}`);
  if (part.md5 !== null) out.push(`Content-MD5: ${part.md5}`);
}

function walk(part: MimePart, out: string[]): void {
  for (const child of part.parts) {
    partFields(child, out);
    walk(child, out);
  }
  // An attached message's own header is in the stored body text already; its parts are not.
  if (part.message !== null) walk(part.message, out);
}

/**
 * partHeaderText returns the MIME header fields of every body part below the root of `root` (the root's
 * own are in the message header), one "Name: value" line each, joined with "\n"; "" for a one-part message.
 */
export function partHeaderText(root: MimePart): string {
  const out: string[] = [];
  walk(root, out);
  return out.join('\n');
}
