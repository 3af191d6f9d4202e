/**
 * EXPLAINED lists every known difference between Letterbox and Dovecot in the comparison, each matched
 * narrowly (one message and one data item, or one whole-mailbox command with message '*'), with the RFC
 * passage that justifies Letterbox's answer. A difference not listed here fails the comparison test.
 */
import type { Value } from './wire.js';

/** Explanation: why Letterbox's answer differs from Dovecot's for one message and item. */
export interface Explanation {
  /** Corpus file ("tricky/00012.eml"), or '*' for answers about the whole mailbox (SORT, THREAD). */
  message: string;
  /** The item as the comparison names it (e.g. "BODYSTRUCTURE", "BINARY.SIZE[2]", "SEARCH BODY café"). */
  item: string;
  /** The RFC passage, quoted, that Letterbox follows where Dovecot does not. */
  rfc: string;
}

/** EXPLAINED: the table of explained differences. */
export const EXPLAINED: Explanation[] = [];

const index = new Map(EXPLAINED.map((e) => [`${e.message}\u0000${e.item}`, e]));

/** explanationFor returns the entry for exactly this message and item, or undefined. */
export function explanationFor(message: string, item: string): Explanation | undefined {
  return index.get(`${message}\u0000${item}`);
}

/**
 * EQUIVALENCES: spellings the grammar allows both ways and that mean the same value, so they are
 * normalised before comparing (each with its RFC passage), rather than listed message by message.
 */
export const EQUIVALENCES = {
  INTERNALDATE:
    'RFC 9051 section 9: date-day-fixed = (SP DIGIT) / 2DIGIT ; Fixed-format version of date-day. ' +
    'Letterbox sends " 1-Jan-2001", Dovecot "01-Jan-2001": the same date.',
  FLAGS:
    'RFC 9051 Appendix E: "The \\Recent flag ... [was] deprecated" (IMAP4rev2 has no \\Recent); RFC 3501 ' +
    'section 2.3.2 lets a server treat it as a session flag. Letterbox does not keep \\Recent (RECENT ' +
    'matches nothing, as src/imap/search/evaluate.ts says), so \\Recent is dropped from Dovecot\'s FLAGS.',
} as const;

/** normalise applies EQUIVALENCES to one FETCH item's value (as parsed by wire.ts); other items pass unchanged. */
export function normalise(item: string, v: Value | undefined): Value | undefined {
  if (v === undefined) return v;
  if (item === 'INTERNALDATE' && v.kind === 'string') {
    return { kind: 'string', bytes: Buffer.from(v.bytes.toString('latin1').replace(/^[ 0](\d-)/, '$1'), 'latin1') };
  }
  if (item === 'FLAGS' && v.kind === 'list') {
    return { kind: 'list', items: v.items.filter((f) => !(f.kind === 'atom' && f.text.toLowerCase() === '\\recent')) };
  }
  return v;
}
