/**
 * The untagged reply of SEARCH: `* SEARCH n...` (IMAP4rev1, RFC 3501 section 7.2.5) or
 * `* ESEARCH (TAG "t") [UID] [MIN n] [MAX n] [ALL set] [COUNT n] [MODSEQ n]` (RFC 4731, RFC 9051
 * section 7.3.4), and which messages RETURN (SAVE) keeps as "$" (RFC 5182).
 */
import { formatSequenceSet, imapString } from '../../protocol/encoder.js';

/** RETURN_OPTIONS: the RETURN options this server knows (RFC 4731, RFC 5182, RFC 9051 section 6.4.4). */
export const RETURN_OPTIONS: ReadonlySet<string> = new Set(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);

/**
 * effectiveOptions: RETURN () means RETURN (ALL) (RFC 4731 section 3.1), and so does no RETURN at all in
 * an IMAP4rev2 session (RFC 9051 section 6.4.4). null input stays null (IMAP4rev1 `* SEARCH` reply).
 */
export function effectiveOptions(returnOptions: string[] | null, rev2: boolean): Set<string> | null {
  if (returnOptions === null) return rev2 ? new Set(['ALL']) : null;
  if (returnOptions.length === 0) return new Set(['ALL']);
  return new Set(returnOptions.map((o) => o.toUpperCase()));
}

/**
 * returnedSubset picks, from the matching items (ascending), those the options return: only the lowest
 * and/or highest when MIN and/or MAX are asked for without ALL or COUNT, else all. This is what SAVE keeps
 * (RFC 9051 section 6.4.4.1 / RFC 5182 section 2.4) and what MODSEQ is the highest of (RFC 4731 section 3.2).
 */
export function returnedSubset<T>(matched: readonly T[], options: ReadonlySet<string> | null): T[] {
  if (!options || matched.length === 0) return [...matched];
  const minMax = (options.has('MIN') || options.has('MAX')) && !options.has('ALL') && !options.has('COUNT');
  if (!minMax) return [...matched];
  const out: T[] = [];
  if (options.has('MIN')) out.push(matched[0]!);
  if (options.has('MAX') && (matched.length > 1 || !options.has('MIN'))) out.push(matched[matched.length - 1]!);
  return out;
}

/** SearchReply: the command's tag and form, the matching numbers (sequence numbers, or UIDs for UID SEARCH) ascending, the effective options, and the modseq to report (null: none). */
export interface SearchReply {
  tag: string;
  uid: boolean;
  ids: readonly number[];
  options: ReadonlySet<string> | null;
  modseq: number | null;
}

/**
 * formatSearchReply returns the untagged reply text without "* " and CRLF, or null when nothing is to be
 * sent: RETURN (SAVE) alone answers with the tagged OK only (RFC 5182 section 2.4 example; Dovecot does the same).
 * An empty result gives "SEARCH" or an ESEARCH without MIN/MAX/ALL (RFC 4731 section 3.1).
 */
export function formatSearchReply(r: SearchReply): string | null {
  if (!r.options) {
    let text = 'SEARCH';
    if (r.ids.length > 0) text += ' ' + r.ids.join(' ');
    if (r.modseq !== null && r.ids.length > 0) text += ` (MODSEQ ${r.modseq})`;
    return text;
  }
  const o = r.options;
  if (o.size === 1 && o.has('SAVE')) return null;
  let text = `ESEARCH (TAG ${imapString(r.tag)})`;
  if (r.uid) text += ' UID';
  if (r.ids.length > 0) {
    if (o.has('MIN')) text += ` MIN ${r.ids[0]}`;
    if (o.has('MAX')) text += ` MAX ${r.ids[r.ids.length - 1]}`;
    if (o.has('ALL')) text += ` ALL ${formatSequenceSet(r.ids)}`;
  }
  if (o.has('COUNT')) text += ` COUNT ${r.ids.length}`;
  if (r.modseq !== null && r.ids.length > 0) text += ` MODSEQ ${r.modseq}`;
  return text;
}
