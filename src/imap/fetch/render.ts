/**
 * renderFetch builds one `* n FETCH (...)` response (RFC 9051 section 7.5.2) as pieces for
 * ResponseWriter.write: response text as strings, message bytes as Buffers inside literals, never
 * decoded to a string. Pure: all data comes in the FetchMessage.
 */
import { withoutNul } from '../../mime/bytes.js';
import { buildPreview } from '../../mime/preview.js';
import { flagList, formatDateTime, imapString, literalPieces } from '../../protocol/encoder.js';
import type { FetchItem, Section } from '../../protocol/types.js';
import type { MimePart } from '../../mime/types.js';
import type { MessageMeta, MessageRecord } from '../../store/types.js';
import { no, type ImapError } from '../errors.js';
import { emailObjectId } from '../objectid.js';
import { binaryBytes, isBinaryData } from './binary.js';
import { sectionLabel } from './items.js';
import { applyPartial, sectionBytes } from './sections.js';
import { encodeBodyStructure } from './structure.js';
import { envelopeText } from '../../protocol/envelope.js';
import { hasRawOctets, rawOctets } from '../../protocol/octets.js';

/**
 * FetchMessage is what one message's response is built from: its sequence number and UID, the flags and
 * modseq the session knows (`meta`), the flags FLAGS shows (`flags`: meta's plus \Recent where the session
 * has it, SelectedMailbox.flagsOf), the stored record (null when no item needs it) and the message bytes
 * (null when no item needs them).
 */
export interface FetchMessage {
  seq: number;
  uid: number;
  meta: MessageMeta;
  flags: readonly string[];
  record: MessageRecord | null;
  body: Buffer | null;
}

/** RFC822.HEADER is BODY.PEEK[HEADER] and RFC822.TEXT is BODY[TEXT] (RFC 9051 section 6.4.5). */
const HEADER: Section = { part: [], text: { kind: 'header' } };
const TEXT: Section = { part: [], text: { kind: 'text' } };

/** headerPiece is header-derived response text as it goes out: the string, or its bytes when it carries raw octets (octets.ts). */
function headerPiece(s: string): string | Buffer {
  return hasRawOctets(s) ? rawOctets(s) : s;
}

/** Collects response pieces, merging adjacent strings so the writer gets few pieces. */
class Pieces {
  readonly out: Array<string | Buffer> = [];
  private text = '';
  str(s: string): void {
    this.text += s;
  }
  buf(b: Buffer): void {
    if (this.text) this.out.push(this.text);
    this.text = '';
    this.out.push(b);
  }
  /** header holds header-derived response text: as a string, or as bytes when it carries raw octets (octets.ts). */
  header(s: string): void {
    this.piece(headerPiece(s));
  }
  /** piece holds a piece of headerPiece: a string as text, bytes as they are. */
  piece(p: string | Buffer): void {
    if (typeof p === 'string') this.str(p);
    else this.buf(p);
  }
  literal(data: Buffer, literal8 = false): void {
    const [marker, bytes] = literalPieces(data, literal8);
    this.str(marker as string);
    if (data.length > 0) this.buf(bytes as Buffer);
  }
  finish(): Array<string | Buffer> {
    if (this.text) this.out.push(this.text);
    this.text = '';
    return this.out;
  }
}

/** unknownCte is the NO [UNKNOWN-CTE] a BINARY item gets for a part whose transfer encoding cannot be decoded (RFC 3516 section 4.3, RFC 9051 section 7.5.2). */
export function unknownCte(section: readonly number[], uid: number): ImapError {
  return no(`Unknown Content-Transfer-Encoding in part [${section.join('.')}] of UID ${uid}`, 'UNKNOWN-CTE');
}

/**
 * The BODY and BODYSTRUCTURE items of the structures rendered last, by structure (the store's structure
 * cache hands out the same object while it keeps it) and form (bit 1: BODYSTRUCTURE, bit 2: UTF8=ACCEPT):
 * as text, or as bytes when it carries raw octets. A client asks for them message by message, and again.
 * They go with the structure: each form about the size of its stored JSON, which STRUCTURE_CACHE_OCTETS bounds.
 */
const STRUCTURE_ITEMS = new WeakMap<MimePart, Array<string | Buffer | undefined>>();

/** Writes BODY or BODYSTRUCTURE (`extended`) of `structure` into `p`, encoded once per structure and form. */
function structureItem(p: Pieces, structure: MimePart, extended: boolean, utf8: boolean): void {
  let forms = STRUCTURE_ITEMS.get(structure);
  if (forms === undefined) {
    forms = [];
    STRUCTURE_ITEMS.set(structure, forms);
  }
  const form = (extended ? 1 : 0) | (utf8 ? 2 : 0);
  let item = forms[form];
  if (item === undefined) {
    item = headerPiece(`${extended ? 'BODYSTRUCTURE' : 'BODY'} ${encodeBodyStructure(structure, extended, utf8)}`);
    forms[form] = item;
  }
  p.piece(item);
}

function need<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`renderFetch: ${what} was not loaded`);
  return value;
}

/** Writes one item's name and value into `p`. Throws ImapError NO [UNKNOWN-CTE] for BINARY of an unknown encoding. */
function renderItem(p: Pieces, item: FetchItem, m: FetchMessage, utf8: boolean): void {
  switch (item.type) {
    case 'uid':
      return p.str(`UID ${m.uid}`);
    case 'flags':
      return p.str(`FLAGS ${flagList(m.flags)}`);
    case 'modseq':
      return p.str(`MODSEQ (${m.meta.modseq})`);
    case 'internaldate':
      return p.str(`INTERNALDATE ${formatDateTime(need(m.record, 'record').internalDate)}`);
    case 'rfc822.size':
      return p.str(`RFC822.SIZE ${need(m.record, 'record').size}`);
    case 'savedate':
      return p.str(`SAVEDATE ${formatDateTime(need(m.record, 'record').saveDate)}`);
    case 'envelope': {
      const record = need(m.record, 'record');
      return p.header(`ENVELOPE ${envelopeText(record.envelopeText, utf8, () => record.envelope)}`);
    }
    case 'body':
      return structureItem(p, need(m.record, 'record').structure, false, utf8);
    case 'bodystructure':
      return structureItem(p, need(m.record, 'record').structure, true, utf8);
    case 'emailid':
      // RFC 8474 objectid: the stored body is shared by copies, as EMAILID must be.
      return p.str(`EMAILID (${emailObjectId(need(m.record, 'record').bodyId)})`);
    case 'threadid':
      return p.str('THREADID NIL'); // RFC 8474 section 5.2: NIL when the server does not thread.
    case 'preview':
      // Computed on the fly from the first text part, cheap enough that PREVIEW (LAZY) gets it too (RFC 8970).
      return p.str(`PREVIEW ${imapString(buildPreview(need(m.body, 'body'), need(m.record, 'record').structure), utf8)}`);
    case 'rfc822': {
      p.str('RFC822 ');
      return p.literal(withoutNul(need(m.body, 'body')));
    }
    case 'rfc822.header': {
      p.str('RFC822.HEADER ');
      return p.literal(withoutNul(sectionBytes(need(m.body, 'body'), need(m.record, 'record').structure, HEADER)));
    }
    case 'rfc822.text': {
      p.str('RFC822.TEXT ');
      return p.literal(withoutNul(sectionBytes(need(m.body, 'body'), need(m.record, 'record').structure, TEXT)));
    }
    case 'body.section': {
      const data = sectionBytes(need(m.body, 'body'), need(m.record, 'record').structure, item.section);
      p.str(`BODY[${sectionLabel(item.section)}]${item.partial ? `<${item.partial.offset}>` : ''} `);
      return p.literal(withoutNul(applyPartial(data, item.partial)));
    }
    case 'binary': {
      const data = binaryBytes(need(m.body, 'body'), need(m.record, 'record').structure, item.section);
      if (data === null) throw unknownCte(item.section, m.uid);
      const cut = applyPartial(data, item.partial);
      p.str(`BINARY[${item.section.join('.')}]${item.partial ? `<${item.partial.offset}>` : ''} `);
      // literal8 by what the whole section is, so every partial FETCH of it comes the same way.
      return p.literal(cut, isBinaryData(data));
    }
    case 'binary.size': {
      const data = binaryBytes(need(m.body, 'body'), need(m.record, 'record').structure, item.section);
      if (data === null) throw unknownCte(item.section, m.uid);
      return p.str(`BINARY.SIZE[${item.section.join('.')}] ${data.length}`);
    }
  }
}

/**
 * renderFetch returns the pieces of `* <seq> FETCH (<items>)\r\n` for one message, items in the order given.
 * `utf8`: IMAP4rev2 / UTF8=ACCEPT, so 8-bit header text may go in quoted strings.
 * Throws ImapError NO [UNKNOWN-CTE] (RFC 3516 section 4.3) before producing anything when a BINARY item
 * names a part whose transfer encoding cannot be decoded.
 */
export function renderFetch(m: FetchMessage, items: readonly FetchItem[], utf8: boolean): Array<string | Buffer> {
  const p = new Pieces();
  p.str(`* ${m.seq} FETCH (`);
  items.forEach((item, i) => {
    if (i > 0) p.str(' ');
    renderItem(p, item, m, utf8);
  });
  p.str(')\r\n');
  return p.finish();
}

