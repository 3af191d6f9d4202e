/**
 * Decoded text for SEARCH (RFC 9051 section 6.4.4): header fields with encoded-words decoded, and the
 * text of every text/* leaf with transfer encoding and charset undone, each capped in UTF-8 octets.
 */
import type { MimePart } from './types.js';
import type { HeaderField } from './header.js';
import { bytesText } from './bytes.js';
import { decodeCharset } from './charset.js';
import { decodeHeaderValue, decodeTransferEncoding } from './decode.js';
import { MAX_SEARCH_HEADER_OCTETS, MAX_SEARCH_TEXT_OCTETS } from '../limits.js';

/** Decoded output is at most ~6x smaller than its source (QP "=XX" is 3x, UTF-16 to ASCII 2x). */
const MAX_SOURCE_PER_OUTPUT_OCTET = 6;

/** truncateUtf8 cuts `s` to at most `max` UTF-8 octets without splitting a character. */
export function truncateUtf8(s: string, max: number): string {
  if (s.length * 3 <= max || Buffer.byteLength(s) <= max) return s;
  const buf = Buffer.from(s.length > max ? s.slice(0, max) : s);
  let cut = Math.min(max, buf.length);
  while (cut > 0 && (buf[cut] & 0xc0) === 0x80) cut--; // back off to the start of a character
  return buf.toString('utf8', 0, cut);
}

/** Capped accumulates strings up to a limit in UTF-8 octets. */
class Capped {
  private readonly chunks: string[] = [];
  private octets = 0;
  constructor(private readonly limit: number, private readonly separator: string) {}

  get remaining(): number {
    return this.limit - this.octets;
  }

  add(s: string): void {
    if (s === '') return;
    const piece = this.chunks.length > 0 ? this.separator + s : s;
    const cut = truncateUtf8(piece, this.remaining);
    if (cut !== '') this.chunks.push(cut);
    // Once anything was cut, the cap is reached: later pieces must not sneak in behind a truncation.
    this.octets = cut === piece ? this.octets + Buffer.byteLength(piece) : this.limit;
  }

  toString(): string {
    return this.chunks.join('');
  }
}

/** headerLines renders fields as "Name: decoded value\n"; raw 8-bit is UTF-8 when valid, else windows-1252. */
function headerLines(fields: HeaderField[], out: Capped): void {
  for (const f of fields) {
    if (out.remaining <= 0) return;
    out.add(`${f.name}: ${decodeHeaderValue(bytesText(f.value, 'windows-1252'))}\n`);
  }
}

const TEXTUAL_MESSAGE_SUBTYPES = new Set(['delivery-status', 'disposition-notification', 'feedback-report', 'external-body']);

function isTextual(part: MimePart): boolean {
  if (part.type === 'text') return true;
  // Delivery, disposition and feedback reports are plain text fields that users search for (RFC 3464,
  // RFC 8098, RFC 5965), as is the phantom header of message/external-body (RFC 2046 section 5.2.3).
  return part.type === 'message' && TEXTUAL_MESSAGE_SUBTYPES.has(part.subtype);
}

function walk(raw: Buffer, part: MimePart, fields: Map<MimePart, HeaderField[]>, out: Capped): void {
  if (out.remaining <= 0) return;
  if (part.message !== null) {
    const inner = new Capped(out.remaining, '');
    headerLines(fields.get(part.message) ?? [], inner);
    out.add(inner.toString());
    walk(raw, part.message, fields, out);
    return;
  }
  if (part.parts.length > 0) {
    for (const child of part.parts) walk(raw, child, fields, out);
    return;
  }
  if (!isTextual(part) || part.bodyEnd <= part.bodyStart) return;
  const limit = part.bodyStart + out.remaining * MAX_SOURCE_PER_OUTPUT_OCTET + 1024;
  const source = raw.subarray(part.bodyStart, Math.min(part.bodyEnd, limit));
  const bytes = decodeTransferEncoding(source, part.encoding);
  // RFC 2045 section 6.4: an unrecognized Content-Transfer-Encoding makes the part application/octet-stream.
  if (bytes === null) return;
  const charset = part.params.find(([name]) => name.toLowerCase() === 'charset')?.[1] ?? null;
  out.add(decodeCharset(bytes, charset));
}

/**
 * buildSearchText returns the search text of a parsed message: `headers` is its top-level fields as
 * "Name: value\n" (RFC 2047 decoded), capped at MAX_SEARCH_HEADER_OCTETS; `body` is the decoded text
 * of every text/* leaf, including those inside message/rfc822 parts (whose header lines come first),
 * joined with "\n" and capped at MAX_SEARCH_TEXT_OCTETS. HTML is kept as is.
 */
export function buildSearchText(raw: Buffer, root: MimePart, fields: Map<MimePart, HeaderField[]>): { headers: string; body: string } {
  const headers = new Capped(MAX_SEARCH_HEADER_OCTETS, '');
  headerLines(fields.get(root) ?? [], headers);
  const body = new Capped(MAX_SEARCH_TEXT_OCTETS, '\n');
  walk(raw, root, fields, body);
  return { headers: headers.toString(), body: body.toString() };
}
