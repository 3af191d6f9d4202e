/**
 * Reading messages (RFC 9051 sections 6.3.2 SELECT, 6.4.5 FETCH, RFC 5256 SORT and THREAD, RFC 7162
 * section 3.1 the change feed). Rows are read as arrays of columns (rule.ts `rows`) where a read returns
 * 100,000s of them.
 */
import { headerTextField } from '../../mime/header-text.js';
import type { Envelope, MimePart } from '../../mime/types.js';
import { ALL_PARTS, type Changes, type MessageMeta, type MessageRecord, type RecordParts, type SearchTextRecord, type SortFields, type SortRecord } from '../types.js';
import { decodeFlags } from '../flags.js';
import type { ListingCache } from '../listing-cache.js';
import { StoredRecord } from '../record.js';
import type { SortDateRow } from '../sort-dates.js';
import type { StructureCache } from '../structure-cache.js';
import type { Dialect } from './dialect.js';
import { requireMailbox } from './locks.js';
import { many, rows, type Rule } from './rule.js';
import { toMeta, type MetaRow } from './rows.js';

/**
 * listMessages returns uid, modseq and flags of every message, ascending UID: one range read of the primary
 * key, or the listing `cache` keeps when the mailbox has not changed since (large mailboxes only,
 * listing-cache.ts): callers must not change the array (SelectedMailbox copies it first). Throws NONEXISTENT.
 */
export function* listMessages(sql: Dialect, cache: ListingCache, accountId: number, mailboxId: number): Rule<MessageMeta[]> {
  const mb = yield* requireMailbox(sql, accountId, mailboxId);
  const state = { uidValidity: mb.uid_validity, highestModseq: mb.highest_modseq };
  const hit = cache.get(accountId, mailboxId, state);
  if (hit) return hit as MessageMeta[];
  const list = yield* rows<[number, number, number, string]>(
    'SELECT uid, modseq, sys_flags, keywords FROM messages WHERE account_id = ? AND mailbox_id = ? ORDER BY uid',
    accountId,
    mailboxId,
  );
  const messages = list.map(([uid, modseq, sys, keywords]) => ({ uid, modseq, flags: decodeFlags(sys, keywords) }));
  cache.keep(accountId, mailboxId, state, messages);
  return messages;
}

/**
 * A row of getMessages: uid, modseq, sys_flags, keywords (the three null when not read), internal_date, size,
 * save_date, body_id, sent_date, structure (stored JSON, or parsed from `structures`), envelope, ENVELOPE text.
 */
type RecordRow = [number, number | null, number | null, string | null, number, number, number, number, number | null, string | MimePart | null, string | null, string | null];

/**
 * getMessages returns the records of those `uids` that exist, ascending UID; the body structure and envelope
 * are read only as `parts` says, and the bodies rows not at all when neither is wanted. With `structures`,
 * the structures it keeps are not read again, and those read are kept (in a read of their own, after the
 * messages rows: a message whose body was deleted in between is left out, as if it had been expunged
 * first). Throws NONEXISTENT.
 */
export function* getMessages(
  sql: Dialect,
  accountId: number,
  mailboxId: number,
  uids: readonly number[],
  parts: RecordParts = ALL_PARTS,
  structures?: StructureCache,
): Rule<MessageRecord[]> {
  if (uids.length === 0) return yield* noUids(sql, accountId, mailboxId);
  const body = (column: string) => `(SELECT b.${column} FROM bodies b WHERE b.account_id = m.account_id AND b.id = m.body_id)`;
  // A lookup by primary key per row: as a LEFT JOIN, PostgreSQL's planner hashed the account's whole
  // envelopes table for a FETCH of 100 envelopes (5 ms at 100,000 messages, against 0.3 ms so).
  const text = '(SELECT e.text FROM envelopes e WHERE e.account_id = m.account_id AND e.body_id = m.body_id)';
  const kept = parts.structure && structures !== undefined;
  let list = yield* rowsOfUids<RecordRow>(
    sql,
    `SELECT m.uid, ${parts.meta === false ? 'NULL, NULL, NULL' : 'm.modseq, m.sys_flags, m.keywords'}, m.internal_date, m.size, m.save_date, m.body_id, m.sent_date,
            ${parts.structure && !kept ? body('structure') : 'NULL'}, ${parts.envelope ? body('envelope') : 'NULL'}, ${parts.envelopeText ? text : 'NULL'}
       FROM messages m`,
    accountId,
    mailboxId,
    uids,
  );
  // With the ENVELOPE text, the envelope itself is read where no text is stored (a NUL or raw octets in it,
  // protocol/envelope.ts storedEnvelopeText): seldom, so in a read of its own rather than in every row's.
  if (parts.envelopeText && !parts.envelope) {
    const missing = list.filter((r) => r[11] === null);
    if (missing.length > 0) {
      const envelopes = yield* bodiesColumn(sql, accountId, 'envelope', missing.map((r) => r[7]));
      for (const r of missing) r[10] = envelopes.get(r[7]) ?? null;
    }
  }
  if (kept) list = yield* withKeptStructures(sql, accountId, list, structures);
  return list.map((r) => new StoredRecord(r[0], r[1], r[2] === null ? null : decodeFlags(r[2], r[3]!), r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11]));
}

/** withKeptStructures fills in the structure of each row from `structures`, reading those it does not keep; drops rows whose body is gone. */
function* withKeptStructures(sql: Dialect, accountId: number, list: RecordRow[], structures: StructureCache): Rule<RecordRow[]> {
  const found = new Map<number, MimePart>();
  const missing = new Set<number>();
  for (const r of list) {
    const part = structures.get(accountId, r[7]);
    if (part) found.set(r[7], part);
    else missing.add(r[7]);
  }
  if (missing.size > 0) {
    for (const [id, json] of yield* bodiesColumn(sql, accountId, 'structure', [...missing])) found.set(id, structures.keep(accountId, id, json));
  }
  const out: RecordRow[] = [];
  for (const r of list) {
    const part = found.get(r[7]);
    if (part === undefined) continue;
    r[9] = part;
    out.push(r);
  }
  return out;
}

/** bodiesColumn reads one stored JSON column of the account's bodies `ids`, by body id; a body not stored is left out. */
function* bodiesColumn(sql: Dialect, accountId: number, column: 'envelope' | 'structure', ids: readonly number[]): Rule<Map<number, string>> {
  const read = yield* rows<[number, string]>(`SELECT id, ${column} FROM bodies WHERE account_id = ? AND ${sql.inIds('id')}`, accountId, sql.ids(ids));
  return new Map(read.map(([id, text]) => [Number(id), text]));
}

/** noUids is the answer of a read of no UIDs: none, once the mailbox is known to exist (throws NONEXISTENT). */
function* noUids(sql: Dialect, accountId: number, mailboxId: number): Rule<never[]> {
  yield* requireMailbox(sql, accountId, mailboxId);
  return [];
}

/**
 * rowsOfUids runs `selectFrom` (a SELECT ... FROM with the messages table as `m`, the UID first) for those
 * `uids` (at least one) of the mailbox that exist, ascending UID, as arrays. UIDs that fill most of their
 * range (SORT or FETCH of 1:*) are read as a range of the primary key, cheaper than looking each up, and the
 * rows not asked for are dropped; others are looked up one by one. Throws NONEXISTENT when the mailbox does
 * not exist: read only when no row was found (a message row is in an existing mailbox), which saves
 * PostgreSQL a round trip per FETCH.
 */
function* rowsOfUids<T extends [number, ...unknown[]]>(sql: Dialect, selectFrom: string, accountId: number, mailboxId: number, uids: readonly number[]): Rule<T[]> {
  let lo = uids[0]!;
  let hi = lo;
  for (const u of uids) {
    if (u < lo) lo = u;
    if (u > hi) hi = u;
  }
  const range = hi - lo + 1 <= 2 * uids.length;
  const list = yield* rows<T>(
    `${selectFrom}
      WHERE m.account_id = ? AND m.mailbox_id = ? AND ${range ? 'm.uid BETWEEN ? AND ?' : sql.inIds('m.uid')}
      ORDER BY m.uid`,
    accountId,
    mailboxId,
    ...(range ? [lo, hi] : [sql.ids(uids)]),
  );
  if (list.length === 0) yield* requireMailbox(sql, accountId, mailboxId);
  if (!range || list.length === uids.length) return list;
  const asked = new Set(uids);
  return list.filter((r) => asked.has(r[0]));
}

/**
 * getSortRecords returns the sort records of those `uids` that exist, ascending UID, with envelopes and
 * References when `fields` asks. Dates and sizes come from the messages rows alone (sent_date is kept
 * there), so SORT by ARRIVAL, DATE or SIZE is one range read of the primary key; the bodies rows are joined
 * only for the envelope, search_text only for References (its headers precede the body text in the row, so
 * SQLite does not read the body text's pages). Throws NONEXISTENT.
 */
export function* getSortRecords(sql: Dialect, accountId: number, mailboxId: number, uids: readonly number[], fields: SortFields): Rule<SortRecord[]> {
  if (uids.length === 0) return yield* noUids(sql, accountId, mailboxId);
  const envelope = fields.envelope ? '(SELECT b.envelope FROM bodies b WHERE b.account_id = m.account_id AND b.id = m.body_id)' : 'NULL';
  const headers = fields.references ? '(SELECT s.headers FROM search_text s WHERE s.account_id = m.account_id AND s.body_id = m.body_id)' : 'NULL';
  // Rows as arrays (uid, internal_date, size, sent_date, envelope, headers): THREAD reads 100,000s of them.
  type Row = [number, number, number, number | null, string | null, string | null];
  const list = yield* rowsOfUids<Row>(sql, `SELECT m.uid, m.internal_date, m.size, m.sent_date, ${envelope}, ${headers} FROM messages m`, accountId, mailboxId, uids);
  return list.map((r) => ({
    uid: r[0],
    internalDate: r[1],
    size: r[2],
    sentDate: r[3],
    envelope: r[4] === null ? null : (JSON.parse(r[4]) as Envelope),
    references: r[5] === null ? null : headerTextField(r[5], 'References'),
  }));
}

/**
 * getSearchText returns the decoded search text of those `uids` that exist, keyed by UID; the body text
 * only when `withBody` (it is most of the text). Throws NONEXISTENT.
 */
export function* getSearchText(sql: Dialect, accountId: number, mailboxId: number, uids: readonly number[], withBody = true): Rule<Map<number, SearchTextRecord>> {
  const out = new Map<number, SearchTextRecord>();
  if (uids.length === 0) {
    yield* requireMailbox(sql, accountId, mailboxId);
    return out;
  }
  const list = yield* many<{ uid: number; headers: string; body: string | null }>(
    `SELECT m.uid, s.headers, ${withBody ? 's.body' : 'NULL AS body'}
       FROM messages m JOIN search_text s ON s.account_id = m.account_id AND s.body_id = m.body_id
      WHERE m.account_id = ? AND m.mailbox_id = ? AND ${sql.inIds('m.uid')}
      ORDER BY m.uid`,
    accountId,
    mailboxId,
    sql.ids(uids),
  );
  // As in rowsOfUids: the mailbox row is read only when no message row was found.
  if (list.length === 0) yield* requireMailbox(sql, accountId, mailboxId);
  for (const r of list) out.set(r.uid, { headers: r.headers, body: r.body });
  return out;
}

/**
 * changesSince returns the messages with modseq > `since` (new or flags changed) and the UIDs expunged
 * with modseq > `since`, both ascending UID, plus the mailbox's HIGHESTMODSEQ and UIDNEXT (RFC 7162
 * sections 3.1 CONDSTORE, 3.2 QRESYNC). Both reads are range scans of (account_id, mailbox_id, modseq)
 * indexes, so the cost grows with the changes. Run it as a snapshot read. Throws NONEXISTENT.
 */
export function* changesSince(sql: Dialect, accountId: number, mailboxId: number, since: number): Rule<Changes> {
  const mb = yield* requireMailbox(sql, accountId, mailboxId);
  const out: Changes = { changed: [], expunged: [], highestModseq: mb.highest_modseq, uidNext: mb.uid_next, firstRecentUid: mb.first_recent_uid };
  if (since >= mb.highest_modseq) return out;
  // No ORDER BY uid: it would tempt the planner into a full scan of the uid-ordered table.
  out.changed = (yield* many<MetaRow>(
    'SELECT uid, modseq, sys_flags, keywords FROM messages WHERE account_id = ? AND mailbox_id = ? AND modseq > ?',
    accountId,
    mailboxId,
    since,
  ))
    .sort((a, b) => a.uid - b.uid)
    .map(toMeta);
  out.expunged = (yield* rows<[number]>('SELECT uid FROM expunged WHERE account_id = ? AND mailbox_id = ? AND modseq > ?', accountId, mailboxId, since))
    .map((r) => r[0])
    .sort((a, b) => a - b);
  return out;
}

/** expungedBetween returns the UIDs the mailbox expunged with modseq in (`after`, `upTo`] (SortDateSource.expunged). */
export function* expungedBetween(accountId: number, mailboxId: number, after: number, upTo: number): Rule<number[]> {
  return (yield* rows<[number]>('SELECT uid FROM expunged WHERE account_id = ? AND mailbox_id = ? AND modseq > ? AND modseq <= ?', accountId, mailboxId, after, upTo)).map(
    (r) => r[0],
  );
}

/** sortDateRows returns uid, internal date, size and sent date of the messages with UIDs in [`from`, `below`), ascending (SortDateSource.rows). */
export function* sortDateRows(accountId: number, mailboxId: number, from: number, below: number): Rule<SortDateRow[]> {
  return yield* rows<SortDateRow>(
    `SELECT uid, internal_date, size, sent_date FROM messages
      WHERE account_id = ? AND mailbox_id = ? AND uid >= ? AND uid < ? ORDER BY uid`,
    accountId,
    mailboxId,
    from,
    below,
  );
}
