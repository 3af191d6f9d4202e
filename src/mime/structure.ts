/**
 * Body structure with byte offsets (RFC 2045, RFC 2046 section 5, RFC 9051 section 6.4.5 and 7.5.2
 * BODYSTRUCTURE). One top-down pass: each multipart finds its own delimiter lines with indexOf inside
 * its body, so a child never reaches past the next delimiter of any ancestor.
 */
import type { MimePart } from './types.js';
import type { HeaderField } from './header.js';
import { parseHeaderFields, trimWsp } from './header.js';
import { parseContentType, parseDisposition, parseLanguage } from './params.js';
import { buildEnvelope } from './envelope.js';
import { bytesText, countLines, findBlankLine, CR, LF } from './bytes.js';
import { MAX_MIME_DEPTH, MAX_MIME_PARTS } from '../limits.js';

/** StructureResult is the tree plus the parsed header fields of every part in it. */
export interface StructureResult {
  root: MimePart;
  /** Header fields of each part; the envelope and search text read those of message nodes. */
  partFields: Map<MimePart, HeaderField[]>;
}

interface Ctx {
  raw: Buffer;
  parts: number;
  partFields: Map<MimePart, HeaderField[]>;
}

const DASH = 0x2d;
const SP = 0x20;
const TAB = 0x09;

/** Content-* fields of one part, first occurrence of each (as Dovecot does). */
function contentFields(fields: HeaderField[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fields) {
    if (f.key.startsWith('content-') && !out.has(f.key)) out.set(f.key, f.value);
  }
  return out;
}

function rawText(v: string | undefined): string | null {
  return v === undefined ? null : bytesText(v, 'raw');
}

/**
 * The Content-Transfer-Encoding token as written (comments and quotes removed), or null for the
 * default. As in Dovecot: a value of several words ("8 bit") is no token at all and leaves the default
 * (RFC 2045 section 6.1: "7BIT" is assumed when no valid mechanism is named); an empty value is ""
 * (present but unknown, so BINARY answers NO [UNKNOWN-CTE], RFC 2045 section 6.4).
 */
function transferEncodingText(v: string | undefined): string | null {
  if (v === undefined) return null;
  const words = trimWsp(v.replace(/\([^()]*\)/g, ' ')).replace(/^"|"$/g, '').split(';')[0]!.trim();
  if (words === '') return '';
  if (/\s/.test(words)) return null;
  return bytesText(words, 'raw');
}

/**
 * parsePart parses the part whose header starts at `start`. Its content nominally ends at
 * `contentEnd` (before the line break owned by the next delimiter); the header's blank line may use
 * that line break, so the blank line is searched up to `searchEnd`.
 */
function parsePart(ctx: Ctx, start: number, contentEnd: number, searchEnd: number, depth: number, digest: boolean): MimePart {
  const { raw } = ctx;
  ctx.parts++;
  const blank = findBlankLine(raw, start, searchEnd);
  // A blank line made of the line break that belongs to the next delimiter (RFC 2046 section 5.1.1)
  // ends the header but is not part of it; Dovecot's BODY[n.MIME] stops before it too.
  const headerEnd = blank === -1 ? contentEnd : Math.min(blank, contentEnd);
  const bodyEnd = Math.max(headerEnd, contentEnd);
  const fields = parseHeaderFields(raw, start, headerEnd);
  const content = contentFields(fields);
  const ctRaw = content.get('content-type');
  const ct = parseContentType(ctRaw ?? null);
  let type: string;
  let subtype: string;
  if (ct !== null) {
    type = ct.type;
    subtype = ct.subtype;
  } else if (ctRaw === undefined && digest) {
    type = 'message'; // RFC 2046 section 5.1.5
    subtype = 'rfc822';
  } else {
    type = 'text'; // absent or unparseable: RFC 2045 section 5.2 default, as Dovecot does
    subtype = 'plain';
  }
  const encodingText = transferEncodingText(content.get('content-transfer-encoding'));
  const encoding = encodingText === null ? null : encodingText.toLowerCase();
  const part: MimePart = {
    headerStart: start,
    headerEnd,
    bodyStart: headerEnd,
    bodyEnd,
    bodyLines: countLines(raw, headerEnd, bodyEnd),
    type,
    subtype,
    params: ct?.params ?? [],
    id: rawText(content.get('content-id')),
    description: rawText(content.get('content-description')),
    encoding,
    md5: rawText(content.get('content-md5')),
    disposition: parseDisposition(content.get('content-disposition') ?? null),
    language: parseLanguage(content.get('content-language') ?? null),
    location: rawText(content.get('content-location')),
    parts: [],
    message: null,
    envelope: null,
  };
  // The header's spelling, kept only where it differs, so that stored structures stay small.
  if (ct !== null && ct.typeText !== type) part.typeText = ct.typeText;
  if (ct !== null && ct.subtypeText !== subtype) part.subtypeText = ct.subtypeText;
  if (encodingText !== null && encodingText !== encoding) part.encodingText = encodingText;
  const isMultipart = type === 'multipart';
  const isMessage = type === 'message' && (subtype === 'rfc822' || subtype === 'global');
  if (isMultipart && (ct?.boundary ?? '') === '') {
    // Without a boundary nothing can be split: the body is plain text (RFC 2046 section 5.1.1).
    part.type = 'text';
    part.subtype = 'plain';
    delete part.typeText;
    delete part.subtypeText;
  } else if ((isMultipart || isMessage) && (depth >= MAX_MIME_DEPTH || ctx.parts >= MAX_MIME_PARTS)) {
    // Past the limits a container is an opaque leaf, so a hostile message cannot make the tree unbounded.
    part.type = 'application';
    part.subtype = 'octet-stream';
    delete part.typeText;
    delete part.subtypeText;
    part.params = [];
  } else if (isMultipart) {
    splitMultipart(ctx, part, ct!.boundary!, depth, subtype === 'digest');
  } else if (isMessage) {
    const inner = parsePart(ctx, part.bodyStart, part.bodyEnd, part.bodyEnd, depth + 1, false);
    part.message = inner;
    part.envelope = buildEnvelope(ctx.partFields.get(inner) ?? []);
  }
  ctx.partFields.set(part, fields);
  return part;
}

/** findDelimiters returns the delimiter lines of `boundary` in raw[bs, be), stopping at the close delimiter. */
function findDelimiters(raw: Buffer, bs: number, be: number, boundary: string): Array<{ start: number; next: number; close: boolean }> {
  const view = raw.subarray(bs, be);
  const len = view.length;
  const needle = Buffer.from('--' + boundary, 'latin1');
  const out: Array<{ start: number; next: number; close: boolean }> = [];
  let pos = 0;
  for (;;) {
    const i = view.indexOf(needle, pos);
    if (i === -1) break;
    pos = i + 1;
    if (i > 0 && view[i - 1] !== LF) continue; // must start a line
    let a = i + needle.length;
    const close = view[a] === DASH && view[a + 1] === DASH;
    if (close) {
      a += 2;
    } else {
      // Only transport padding may follow (RFC 2046 section 5.1.1); this also keeps "--b" from
      // matching a nested "--b-inner" boundary.
      let j = a;
      while (j < len && (view[j] === SP || view[j] === TAB || view[j] === CR)) j++;
      if (j < len && view[j] !== LF) continue;
    }
    const nl = view.indexOf(LF, a);
    const next = nl === -1 ? len : nl + 1;
    out.push({ start: bs + i, next: bs + next, close });
    if (close) break;
    pos = next;
  }
  return out;
}

/**
 * splitMultipart fills part.parts. The line break before each delimiter belongs to the delimiter
 * (RFC 2046 section 5.1.1); preamble and epilogue belong to no part; a missing close delimiter ends
 * the last part at the end of the multipart body. A multipart with no delimiter gets one empty
 * text/plain child at its body end, as Dovecot reports one in BODYSTRUCTURE.
 */
function splitMultipart(ctx: Ctx, part: MimePart, boundary: string, depth: number, digest: boolean): void {
  const { raw } = ctx;
  const delims = findDelimiters(raw, part.bodyStart, part.bodyEnd, boundary);
  for (let k = 0; k < delims.length && !delims[k].close; k++) {
    if (ctx.parts >= MAX_MIME_PARTS) break;
    const start = delims[k].next;
    let contentEnd = part.bodyEnd;
    let searchEnd = part.bodyEnd;
    if (k + 1 < delims.length) {
      searchEnd = delims[k + 1].start;
      contentEnd = searchEnd;
      if (contentEnd > start && raw[contentEnd - 1] === LF) contentEnd--;
      if (contentEnd > start && raw[contentEnd - 1] === CR) contentEnd--;
    }
    part.parts.push(parsePart(ctx, start, contentEnd, searchEnd, depth + 1, digest));
  }
  if (part.parts.length === 0) {
    ctx.parts++;
    const at = part.bodyEnd;
    part.parts.push({
      headerStart: at, headerEnd: at, bodyStart: at, bodyEnd: at, bodyLines: 0,
      type: 'text', subtype: 'plain', params: [], id: null, description: null, encoding: null, md5: null,
      disposition: null, language: null, location: null, parts: [], message: null, envelope: null,
    });
  }
}

/**
 * parseStructure builds the body structure of raw[0, raw.length) (RFC 9051 section 7.5.2). Offsets
 * are exact byte offsets into `raw`; bare LF and CRLF are both line ends. Deeper than MAX_MIME_DEPTH
 * or past MAX_MIME_PARTS, containers become application/octet-stream leaves. May throw only on
 * internal bugs; parseMessage guards it.
 */
export function parseStructure(raw: Buffer): StructureResult {
  const ctx: Ctx = { raw, parts: 0, partFields: new Map() };
  const root = parsePart(ctx, 0, raw.length, raw.length, 0, false);
  return { root, partFields: ctx.partFields };
}
