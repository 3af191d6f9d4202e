/**
 * What a list of FETCH items (RFC 9051 section 6.4.5) needs from storage, decided once per command so the
 * FETCH loop loads records and bodies only when an item asks for them.
 */
import { astringOut } from '../../protocol/encoder.js';
import type { FetchItem, Section } from '../../protocol/types.js';
import type { RecordParts } from '../../store/types.js';

/**
 * FetchPlan: `record` when an item needs the MessageRecord (not just UID/FLAGS/MODSEQ from the view), and of
 * it `parts`, whether the body structure and the ENVELOPE text (the envelope itself only where the text
 * cannot serve, see fetchParts); `body` when it needs the message bytes;
 * `setsSeen` when a non-PEEK item implicitly sets \Seen.
 */
export interface FetchPlan {
  record: boolean;
  parts: RecordParts;
  body: boolean;
  setsSeen: boolean;
}

/** The items answered from the session's view alone (RFC 9051 section 6.4.5 FLAGS, UID; RFC 7162 MODSEQ). */
const VIEW_ONLY = new Set<FetchItem['type']>(['uid', 'flags', 'modseq']);

/** Items that read the body structure (the body items find their section or part through it). */
const STRUCTURE_ITEMS = new Set<FetchItem['type']>(['body', 'bodystructure', 'rfc822.header', 'rfc822.text', 'body.section', 'binary', 'binary.size', 'preview']);

/** Items that read the message bytes. */
const BODY_ITEMS = new Set<FetchItem['type']>(['rfc822', 'rfc822.header', 'rfc822.text', 'body.section', 'binary', 'binary.size', 'preview']);

/**
 * setsSeen tells whether an item implicitly sets \Seen (RFC 9051 section 6.4.5): BODY[...] and BINARY[...]
 * without .PEEK, RFC822 and RFC822.TEXT. RFC822.HEADER, BINARY.SIZE and the rest do not.
 */
export function setsSeen(item: FetchItem): boolean {
  switch (item.type) {
    case 'rfc822':
    case 'rfc822.text':
      return true;
    case 'body.section':
    case 'binary':
      return !item.peek;
    default:
      return false;
  }
}

/**
 * fetchParts: the record parts a FETCH reads for a session. A `utf8` session (IMAP4rev2, UTF8=ACCEPT) also
 * reads the envelope with its ENVELOPE text: the stored text is the form for other sessions, and one with
 * 8-bit text is encoded again from the envelope (protocol/envelope.ts envelopeText). No FETCH reads the
 * record's flags or modseq: FLAGS and MODSEQ answer from the session's view.
 */
export function fetchParts(plan: FetchPlan, utf8: boolean): RecordParts {
  // Flags and modseq come from the session's view (what the session has been told), not the record.
  return { ...plan.parts, envelope: plan.parts.envelope || (utf8 && plan.parts.envelopeText === true), meta: false };
}

/** planFetch computes the FetchPlan of an item list. */
export function planFetch(items: readonly FetchItem[]): FetchPlan {
  return {
    record: items.some((i) => !VIEW_ONLY.has(i.type)),
    parts: { structure: items.some((i) => STRUCTURE_ITEMS.has(i.type)), envelope: false, envelopeText: items.some((i) => i.type === 'envelope') },
    body: items.some((i) => BODY_ITEMS.has(i.type)),
    setsSeen: items.some(setsSeen),
  };
}

/**
 * withImplicitItems returns the items to answer: UID first for UID FETCH (RFC 9051 section 6.4.9: the
 * reply always includes UID) and MODSEQ for CHANGEDSINCE (RFC 7162 section 3.1.4.1), each only when the
 * client did not ask for it.
 */
export function withImplicitItems(items: readonly FetchItem[], uid: boolean, modseq: boolean): FetchItem[] {
  const out = [...items];
  if (uid && !out.some((i) => i.type === 'uid')) out.unshift({ type: 'uid' });
  if (modseq && !out.some((i) => i.type === 'modseq')) out.push({ type: 'modseq' });
  return out;
}

/**
 * sectionLabel renders a section spec for the reply, e.g. "1.2.HEADER.FIELDS (FROM TO)" (RFC 9051 section 7.5.2
 * `section-spec`). Field names go out upper-cased as Dovecot sends them, atoms where possible.
 */
export function sectionLabel(section: Section): string {
  const part = section.part.join('.');
  const t = section.text;
  const prefix = part ? `${part}.` : '';
  switch (t.kind) {
    case 'all':
      return part;
    case 'header':
      return `${prefix}HEADER`;
    case 'header.fields':
      return `${prefix}HEADER.FIELDS (${t.fields.map((f) => astringOut(f.toUpperCase())).join(' ')})`;
    case 'header.fields.not':
      return `${prefix}HEADER.FIELDS.NOT (${t.fields.map((f) => astringOut(f.toUpperCase())).join(' ')})`;
    case 'text':
      return `${prefix}TEXT`;
    case 'mime':
      return `${prefix}MIME`;
  }
}
