/**
 * What SORT and THREAD (RFC 5256) read of each message, loaded in batches for the messages a search
 * matched: dates, size and, when a sort key or thread algorithm needs them, the envelope and the
 * References field (Store.getSortRecords). No message body is read.
 */
import type { SelectedContext } from '../command.js';
import type { SearchKey } from '../../protocol/types.js';
import type { Envelope } from '../../mime/types.js';
import type { SortFields } from '../../store/types.js';
import { no } from '../errors.js';
import { evaluateSearch, hasTextKey } from '../search/evaluate.js';
import { searchData } from '../commands/search.js';
import { REFERENCES_LOAD_BATCH, SORT_LOAD_BATCH } from '../../limits.js';

/**
 * SortMessage: one message as SORT and THREAD see it. `seq` and `uid` as in the session's view;
 * `internalDate` and `sentDate` in ms since epoch, `sentDate` being the Date header or, when it is missing
 * or cannot be parsed (sent-date.ts), the internal date (RFC 5256 section 2.2); `size` in octets;
 * `envelope` null when not loaded (sorting by ARRIVAL, DATE and SIZE only); `references` the raw
 * References field (null when absent or not loaded).
 */
export interface SortMessage {
  seq: number;
  uid: number;
  internalDate: number;
  sentDate: number;
  size: number;
  envelope: Envelope | null;
  references: string | null;
}

/** Charsets SORT and THREAD accept: those SEARCH accepts (RFC 5256 section 3, RFC 9051 section 6.4.4). */
const CHARSETS = new Set(['UTF-8', 'US-ASCII']);

/**
 * matchingUids checks the charset (NO [BADCHARSET (UTF-8 US-ASCII)] when unknown, RFC 5256 section 3) and
 * returns the UIDs of the selected mailbox's messages that match `key`, ascending.
 */
export async function matchingUids(ctx: SelectedContext, charset: string, key: SearchKey): Promise<number[]> {
  if (!CHARSETS.has(charset.toUpperCase())) {
    // The charset may have come as a literal: it is named in the reply only when it is a plain name.
    const named = /^[A-Za-z0-9._:+-]{1,40}$/.test(charset) ? ` ${charset}` : '';
    throw no(`Unsupported charset${named}`, 'BADCHARSET (UTF-8 US-ASCII)');
  }
  return evaluateSearch(key, ctx.view, searchData(ctx, hasTextKey(key)));
}

/**
 * loadSortMessages returns the messages with the given UIDs (ascending) in sequence order, SORT_LOAD_BATCH
 * (REFERENCES_LOAD_BATCH with References) at a time; the envelope and the References field are read only
 * when `fields` asks. UIDs the store no longer has (expunged by another session) are left out.
 */
export async function loadSortMessages({ session: s, account, view }: SelectedContext, uids: readonly number[], fields: SortFields): Promise<SortMessage[]> {
  const out: SortMessage[] = [];
  const batch = fields.references ? REFERENCES_LOAD_BATCH : SORT_LOAD_BATCH;
  for (let i = 0; i < uids.length; i += batch) {
    const part = uids.slice(i, i + batch);
    const records = await s.store.getSortRecords(account.id, view.mailbox.id, part, fields);
    for (const r of records) {
      out.push({
        seq: view.seqOf(r.uid),
        uid: r.uid,
        internalDate: r.internalDate,
        sentDate: r.sentDate ?? r.internalDate,
        size: r.size,
        envelope: r.envelope,
        references: r.references,
      });
    }
  }
  // UIDs ascend with sequence numbers, and the store answers in UID order.
  return out;
}
