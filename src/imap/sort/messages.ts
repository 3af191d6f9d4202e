/**
 * What SORT and THREAD (RFC 5256) read of each message, loaded in batches for the messages a search
 * matched: the stored record (dates, size, envelope) and, for THREAD=REFERENCES only, the References
 * field from the stored search text. No message body is read.
 */
import type { Session } from '../command.js';
import type { SearchKey } from '../../protocol/types.js';
import type { Envelope } from '../../mime/types.js';
import { no } from '../errors.js';
import { evaluateSearch, hasTextKey } from '../search/evaluate.js';
import { searchData } from '../commands/search.js';
import { REFERENCES_LOAD_BATCH, SORT_LOAD_BATCH } from '../../protocol/limits.js';
import { parseSentDate } from './sent-date.js';

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
export async function matchingUids(s: Session, charset: string, key: SearchKey): Promise<number[]> {
  if (!CHARSETS.has(charset.toUpperCase())) {
    // The charset may have come as a literal: it is named in the reply only when it is a plain name.
    const named = /^[A-Za-z0-9._:+-]{1,40}$/.test(charset) ? ` ${charset}` : '';
    throw no(`Unsupported charset${named}`, 'BADCHARSET (UTF-8 US-ASCII)');
  }
  return evaluateSearch(key, s.selected!, searchData(s, hasTextKey(key)));
}

/** A header field name at the start of a line of the stored search text ("Name: value\n" per field). */
const FIELD_START = /^[!-9;-~]+:/;

/**
 * referencesField returns the References value from a stored search-text header block (search-text.ts),
 * with any continuation lines joined, or null when there is none.
 */
export function referencesField(headers: string): string | null {
  const lines = headers.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^references:/i.test(lines[i]!)) continue;
    let value = lines[i]!.slice(11);
    while (i + 1 < lines.length && lines[i + 1] !== '' && !FIELD_START.test(lines[i + 1]!)) value += ' ' + lines[++i];
    return value.trim();
  }
  return null;
}

/** loadReferences reads the References field of messages from their stored search text, REFERENCES_LOAD_BATCH at a time. */
async function loadReferences(s: Session, uids: readonly number[]): Promise<Map<number, string | null>> {
  const out = new Map<number, string | null>();
  for (let i = 0; i < uids.length; i += REFERENCES_LOAD_BATCH) {
    const texts = await s.store.getSearchText(s.account!.id, s.selected!.mailbox.id, uids.slice(i, i + REFERENCES_LOAD_BATCH));
    for (const [uid, t] of texts) out.set(uid, referencesField(t.headers));
  }
  return out;
}

/** LoadOptions: what loadSortMessages reads beyond dates and sizes. */
export interface LoadOptions {
  envelope: boolean;
  references: boolean;
}

/**
 * loadSortMessages returns the messages with the given UIDs (ascending) in sequence order, SORT_LOAD_BATCH
 * at a time; the envelope and the References field are read only when asked for (the latter costs a read
 * of the search text). UIDs the store no longer has (expunged by another session) are left out.
 */
export async function loadSortMessages(s: Session, uids: readonly number[], opts: LoadOptions): Promise<SortMessage[]> {
  const view = s.selected!;
  const account = s.account!;
  const out: SortMessage[] = [];
  for (let i = 0; i < uids.length; i += SORT_LOAD_BATCH) {
    const part = uids.slice(i, i + SORT_LOAD_BATCH);
    const records = await s.store.getSortRecords(account.id, view.mailbox.id, part, opts.envelope);
    const fields = opts.references ? await loadReferences(s, part) : null;
    for (const r of records) {
      out.push({
        seq: view.seqOf(r.uid),
        uid: r.uid,
        internalDate: r.internalDate,
        sentDate: parseSentDate(r.dateHeader) ?? r.internalDate,
        size: r.size,
        envelope: r.envelope,
        references: fields?.get(r.uid) ?? null,
      });
    }
  }
  // UIDs ascend with sequence numbers, and the store answers in UID order.
  return out;
}
