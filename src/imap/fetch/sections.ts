/**
 * Body sections of FETCH BODY[...] (RFC 9051 section 6.4.5): slices of the stored message bytes located
 * with the byte offsets the MIME layer computed at delivery, so no section ever re-parses a message.
 *
 * Part numbering follows RFC 9051 section 6.4.5 and Dovecot where the RFC leaves room:
 * - a non-multipart part (or message) has exactly one part, "1", its own body;
 * - inside a message/rfc822 part the numbers continue into the encapsulated message: "n.1" is its first
 *   part (or its whole body when it is not multipart), "n.HEADER"/"n.TEXT" are its header and text;
 * - "n.MIME" is the part's own MIME header (for a message/rfc822 part too, as Dovecot does);
 * - a part that does not exist, or HEADER/TEXT of a part that is not message/rfc822, is an empty string.
 */
import type { MimePart } from '../../mime/types.js';
import type { Section } from '../../protocol/types.js';

const EMPTY = Buffer.alloc(0);
const CRLF = Buffer.from('\r\n');

/**
 * findPart walks part numbers (1-based, RFC 9051 section 6.4.5 `section-part`) from the root of a message
 * and returns the part they name, or null when there is no such part. An empty path names the root.
 */
export function findPart(root: MimePart, path: readonly number[]): MimePart | null {
  let part: MimePart | null = root;
  for (let i = 0; i < path.length && part; i++) {
    const num = path[i]!;
    const more = i < path.length - 1;
    if (part.type === 'multipart') {
      part = part.parts[num - 1] ?? null;
    } else if (num !== 1 || (more && !part.message)) {
      // Only "1" exists below a single part, and the path may go on only into an encapsulated message.
      part = null;
    }
    if (part && more && part.message) part = part.message;
  }
  return part;
}

/** The field names of a HEADER.FIELDS list, lower-cased; kept per list (one per FETCH item). */
const WANTED = new WeakMap<readonly string[], Set<string>>();

function wantedNames(list: readonly string[]): Set<string> {
  let w = WANTED.get(list);
  if (w === undefined) {
    w = new Set(list.map((n) => n.toLowerCase()));
    WANTED.set(list, w);
  }
  return w;
}

/** The bytes String.prototype.trim removes from a latin1 string: tab, LF, VT, FF, CR, space, NBSP. */
function isTrimmed(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0xa0;
}

/**
 * HeaderFields is the fields of a header block, in order: `names[i]` is the i-th field's name, lower-cased
 * (latin1), and its raw lines, folded continuations included, are octets `bounds[2i]` to `bounds[2i + 1]`
 * (exclusive) of the block.
 */
export interface HeaderFields {
  names: string[];
  bounds: Uint32Array;
}

/**
 * The field names seen, each kept as one string, so the fields of the many headers kept (FIELDS) share them:
 * at most NAMES_KEPT of them, the first seen (a few dozen names make up most headers).
 */
const NAMES = new Map<string, string>();
const NAMES_KEPT = 4096;

function keptName(name: string): string {
  const kept = NAMES.get(name);
  if (kept !== undefined) return kept;
  if (NAMES.size < NAMES_KEPT) NAMES.set(name, name);
  return name;
}

/**
 * headerFields splits a header block into its fields, in order, up to the blank line. A field's name is
 * what precedes its colon (the whole line without one), trimmed; a line that starts with a space or a tab
 * continues the field before it.
 */
export function headerFields(header: Buffer): HeaderFields {
  const names: string[] = [];
  const bounds: number[] = [];
  let pos = 0;
  while (pos < header.length) {
    let eol = header.indexOf(0x0a, pos);
    eol = eol < 0 ? header.length : eol + 1;
    const first = header[pos]!;
    if (first === 0x0a || (first === 0x0d && header[pos + 1] === 0x0a)) break;
    if ((first === 0x20 || first === 0x09) && names.length > 0) {
      bounds[bounds.length - 1] = eol;
      pos = eol;
      continue;
    }
    const colon = header.indexOf(0x3a, pos);
    let nameEnd = colon >= 0 && colon < eol ? colon : eol;
    let nameStart = pos;
    while (nameStart < nameEnd && isTrimmed(header[nameStart]!)) nameStart++;
    while (nameEnd > nameStart && isTrimmed(header[nameEnd - 1]!)) nameEnd--;
    names.push(keptName(header.toString('latin1', nameStart, nameEnd).toLowerCase()));
    bounds.push(pos, eol);
    pos = eol;
  }
  return { names, bounds: Uint32Array.from(bounds) };
}

/**
 * The fields of the message headers read last, by the Buffer of the whole message they are in (the store's
 * body cache hands out the same Buffer while it keeps it, and the fields go with it) and the header's offset
 * in it: clients ask for a few fields of many messages, and often of the same ones again. About 0.6 KiB per
 * header of 27 fields (the corpus's average).
 */
const FIELDS = new WeakMap<Buffer, Map<number, HeaderFields>>();

function fieldsOf(raw: Buffer, msg: MimePart, header: Buffer): HeaderFields {
  let byOffset = FIELDS.get(raw);
  if (byOffset === undefined) {
    byOffset = new Map();
    FIELDS.set(raw, byOffset);
  }
  let fields = byOffset.get(msg.headerStart);
  if (fields === undefined) {
    fields = headerFields(header);
    byOffset.set(msg.headerStart, fields);
  }
  return fields;
}

/**
 * filterHeader returns the header fields whose names are (include true) or are not (include false) in
 * `names` (case-insensitive), as their raw lines including folded continuations, in message order,
 * followed by the blank line CRLF (RFC 9051 section 6.4.5 HEADER.FIELDS / HEADER.FIELDS.NOT).
 * A last line without line end gets a CRLF so the result is always a well-formed header block.
 * `names` is best the same array for every message of a FETCH: its lower-cased set is kept. `fields` is
 * headerFields(header), when the caller kept it.
 */
export function filterHeader(header: Buffer, names: readonly string[], include: boolean, fields = headerFields(header)): Buffer {
  const wanted = wantedNames(names);
  const pieces: Buffer[] = [];
  for (let i = 0; i < fields.names.length; i++) {
    if (wanted.has(fields.names[i]!) !== include) continue;
    const end = fields.bounds[2 * i + 1]!;
    pieces.push(header.subarray(fields.bounds[2 * i]!, end));
    if (header[end - 1] !== 0x0a) pieces.push(CRLF);
  }
  pieces.push(CRLF);
  return Buffer.concat(pieces);
}

function slice(raw: Buffer, start: number, end: number): Buffer {
  return raw.subarray(Math.max(0, start), Math.max(0, Math.min(end, raw.length)));
}

/** headerOf returns the raw header bytes of a part or message: [headerStart, headerEnd), blank line included. */
export function headerOf(raw: Buffer, part: MimePart): Buffer {
  return slice(raw, part.headerStart, part.headerEnd);
}

/** bodyOf returns the raw (still transfer-encoded) body bytes of a part: [bodyStart, bodyEnd). */
export function bodyOf(raw: Buffer, part: MimePart): Buffer {
  return slice(raw, part.bodyStart, part.bodyEnd);
}

/**
 * sectionBytes returns the octets of a body section (RFC 9051 section 6.4.5) of the message `raw`
 * (CRLF line endings, as stored) whose structure is `root`. Returned Buffers are views into `raw`
 * where possible (no copy). A nonexistent part gives an empty Buffer, as in Dovecot.
 */
export function sectionBytes(raw: Buffer, root: MimePart, section: Section): Buffer {
  const text = section.text;
  let msg: MimePart;
  if (section.part.length === 0) {
    switch (text.kind) {
      case 'all':
        return raw;
      case 'text':
        // The root's text is everything after its header, so HEADER + TEXT is exactly BODY[].
        return slice(raw, root.bodyStart, raw.length);
      case 'mime':
        return EMPTY; // MIME needs a part number (RFC 9051 section 6.4.5); the parser should not let it through.
      default:
        msg = root;
    }
  } else {
    const part = findPart(root, section.part);
    if (!part) return EMPTY;
    if (text.kind === 'all') return bodyOf(raw, part);
    if (text.kind === 'mime') return headerOf(raw, part);
    if (!part.message) return EMPTY;
    msg = part.message;
    if (text.kind === 'text') return bodyOf(raw, msg);
  }
  const header = headerOf(raw, msg);
  switch (text.kind) {
    case 'header':
      return header;
    case 'header.fields':
      return filterHeader(header, text.fields, true, fieldsOf(raw, msg, header));
    case 'header.fields.not':
      return filterHeader(header, text.fields, false, fieldsOf(raw, msg, header));
    default:
      return bodyOf(raw, msg);
  }
}

/**
 * applyPartial cuts `<offset.length>` (octets) out of section data (RFC 9051 section 6.4.5): an offset at
 * or beyond the end gives an empty string; a length running past the end is cut short. null: no partial.
 */
export function applyPartial(data: Buffer, partial: { offset: number; length: number } | null): Buffer {
  if (!partial) return data;
  if (partial.offset >= data.length) return EMPTY;
  return data.subarray(partial.offset, Math.min(data.length, partial.offset + partial.length));
}
