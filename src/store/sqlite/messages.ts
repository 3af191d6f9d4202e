/**
 * Reading and appending messages (RFC 9051 sections 6.3.12 APPEND, 6.3.2 SELECT, 6.4.5 FETCH).
 */
import { headerTextField } from '../../mime/header-text.js';
import type { Envelope } from '../../mime/types.js';
import { ALL_PARTS, StoreError, type MessageMeta, type MessageRecord, type NewMessage, type QuotaDefaults, type RecordParts, type SearchTextRecord, type SortFields, type SortRecord } from '../types.js';
import { StoredRecord } from '../record.js';
import type { SortDateRow, SortDateSource } from '../sort-dates.js';
import { allocateBodyIds, insertBody } from './bodies.js';
import { idList, type Db } from './db.js';
import { decodeFlags, encodeKeywords, parseFlags } from '../flags.js';
import { requireMailbox } from './mailboxes.js';
import { chargeUsage } from './quota.js';
import { MAX_UID, type MailboxRow, type MetaRow } from './schema.js';
import { listingCacheOf } from '../listing-cache.js';

/** toMeta maps a MetaRow to MessageMeta. */
export function toMeta(row: MetaRow): MessageMeta {
  return { uid: row.uid, modseq: row.modseq, flags: decodeFlags(row.sys_flags, row.keywords) };
}

/** MessageInsert is one row of messages to write. */
export interface MessageInsert {
  uid: number;
  bodyId: number;
  modseq: number;
  sysFlags: number;
  keywords: string;
  internalDate: number;
  saveDate: number;
  size: number;
  /** The sent date SORT orders by (ms since epoch, null: use the internal date), kept beside the UID so SORT reads no bodies. */
  sentDate: number | null;
}

/** insertMessage writes one row of messages into mailbox `mailboxId`. */
export function insertMessage(db: Db, accountId: number, mailboxId: number, m: MessageInsert): void {
  db.run(
    `INSERT INTO messages (account_id, mailbox_id, uid, body_id, modseq, sys_flags, keywords, internal_date, save_date, size, sent_date)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    accountId,
    mailboxId,
    m.uid,
    m.bodyId,
    m.modseq,
    m.sysFlags,
    m.keywords,
    m.internalDate,
    m.saveDate,
    m.size,
    m.sentDate,
  );
}

/**
 * reserveUids checks that `n` more UIDs fit below 2^32 (RFC 9051 section 2.3.1.1) and returns the first;
 * the caller bumps uid_next. Throws LIMIT.
 */
export function reserveUids(mb: MailboxRow, n: number): number {
  if (mb.uid_next + n - 1 > MAX_UID) throw new StoreError('LIMIT', 'Mailbox has run out of UIDs');
  return mb.uid_next;
}

/**
 * listMessages returns uid, modseq and flags of every message, ascending UID: one range read of the clustered
 * key, or the cached listing when the mailbox has not changed since (large mailboxes only, listing-cache.ts): callers must
 * not change the array (SelectedMailbox copies it first). Throws NONEXISTENT.
 */
export function listMessages(db: Db, accountId: number, mailboxId: number): MessageMeta[] {
  const mb = requireMailbox(db, accountId, mailboxId);
  const state = { uidValidity: mb.uid_validity, highestModseq: mb.highest_modseq };
  const cache = listingCacheOf(db);
  const hit = cache.get(accountId, mailboxId, state);
  if (hit) return hit as MessageMeta[];
  // Rows as arrays (raw): a third less work than one object per row, which counts at 100,000 messages.
  const rows = db.rows<[number, number, number, string]>(
    'SELECT uid, modseq, sys_flags, keywords FROM messages WHERE account_id = ? AND mailbox_id = ? ORDER BY uid',
    accountId,
    mailboxId,
  );
  const messages = rows.map(([uid, modseq, sys, keywords]) => ({ uid, modseq, flags: decodeFlags(sys, keywords) }));
  cache.keep(accountId, mailboxId, state, messages);
  return messages;
}

/** A row of getMessages: uid, modseq, sys_flags, keywords (the three null when not read), internal_date, size, save_date, body_id, sent_date, structure, envelope, ENVELOPE text. */
type RecordRow = [number, number | null, number | null, string | null, number, number, number, number, number | null, string | null, string | null, string | null];

/**
 * getMessages returns the records of those `uids` that exist, ascending UID; the body structure and envelope
 * are read only as `parts` says, and the bodies rows not at all when neither is wanted. Throws NONEXISTENT.
 */
export function getMessages(db: Db, accountId: number, mailboxId: number, uids: readonly number[], parts: RecordParts = ALL_PARTS): MessageRecord[] {
  requireMailbox(db, accountId, mailboxId);
  if (uids.length === 0) return [];
  const body = (column: string) => `(SELECT b.${column} FROM bodies b WHERE b.account_id = m.account_id AND b.id = m.body_id)`;
  // With the ENVELOPE text, the envelope itself is read where no text is stored (or when asked for anyway).
  const envelope = parts.envelopeText && !parts.envelope ? `CASE WHEN e.text IS NULL THEN ${body('envelope')} END` : parts.envelope ? body('envelope') : 'NULL';
  const rows = rowsOfUids<RecordRow>(
    db,
    `SELECT m.uid, ${parts.meta === false ? 'NULL, NULL, NULL' : 'm.modseq, m.sys_flags, m.keywords'}, m.internal_date, m.size, m.save_date, m.body_id, m.sent_date,
            ${parts.structure ? body('structure') : 'NULL'}, ${envelope}, ${parts.envelopeText ? 'e.text' : 'NULL'}
       FROM messages m${parts.envelopeText ? ' LEFT JOIN envelopes e ON e.account_id = m.account_id AND e.body_id = m.body_id' : ''}`,
    accountId,
    mailboxId,
    uids,
  );
  return rows.map((r) => new StoredRecord(r[0], r[1], r[2] === null ? null : decodeFlags(r[2], r[3]!), r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11]));
}

/**
 * rowsOfUids runs `selectFrom` (a SELECT ... FROM with the messages table as `m`, the UID first) for those
 * `uids` of the mailbox that exist, ascending UID, as arrays. UIDs that fill most of their range (SORT or
 * FETCH of 1:*) are read as a range of the primary key, cheaper than looking each up, and the rows not
 * asked for are dropped; others are looked up one by one.
 */
function rowsOfUids<T extends [number, ...unknown[]]>(db: Db, selectFrom: string, accountId: number, mailboxId: number, uids: readonly number[]): T[] {
  let lo = uids[0]!;
  let hi = lo;
  for (const u of uids) {
    if (u < lo) lo = u;
    if (u > hi) hi = u;
  }
  const range = hi - lo + 1 <= 2 * uids.length;
  const rows = db.rows<T>(
    `${selectFrom}
      WHERE m.account_id = ? AND m.mailbox_id = ? AND ${range ? 'm.uid BETWEEN ? AND ?' : 'm.uid IN (SELECT value FROM json_each(?))'}
      ORDER BY m.uid`,
    accountId,
    mailboxId,
    ...(range ? [lo, hi] : [idList(uids)]),
  );
  if (!range || rows.length === uids.length) return rows;
  const asked = new Set(uids);
  return rows.filter((r) => asked.has(r[0]));
}

/**
 * getSortRecords returns the sort records of those `uids` that exist, ascending UID, with envelopes and
 * References when `fields` asks. Dates and sizes come from the messages rows alone (sent_date is kept there
 * since migration 5), so SORT by ARRIVAL, DATE or SIZE is one range read of the primary key; the bodies rows
 * are joined only for the envelope. References comes from search_text.headers, which precedes the body text
 * in the row, so SQLite does not read the body text's pages. Throws NONEXISTENT.
 */
export function getSortRecords(db: Db, accountId: number, mailboxId: number, uids: readonly number[], fields: SortFields): SortRecord[] {
  requireMailbox(db, accountId, mailboxId);
  if (uids.length === 0) return [];
  const envelope = fields.envelope ? '(SELECT b.envelope FROM bodies b WHERE b.account_id = m.account_id AND b.id = m.body_id)' : 'NULL';
  const headers = fields.references ? '(SELECT s.headers FROM search_text s WHERE s.account_id = m.account_id AND s.body_id = m.body_id)' : 'NULL';
  // Rows as arrays (uid, internal_date, size, sent_date, envelope, headers): THREAD reads 100,000s of them.
  type Row = [number, number, number, number | null, string | null, string | null];
  const rows = rowsOfUids<Row>(db, `SELECT m.uid, m.internal_date, m.size, m.sent_date, ${envelope}, ${headers} FROM messages m`, accountId, mailboxId, uids);
  return rows.map((r) => ({
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
export function getSearchText(db: Db, accountId: number, mailboxId: number, uids: readonly number[], withBody = true): Map<number, SearchTextRecord> {
  requireMailbox(db, accountId, mailboxId);
  const out = new Map<number, SearchTextRecord>();
  if (uids.length === 0) return out;
  const rows = db.all<{ uid: number; headers: string; body: string | null }>(
    `SELECT m.uid, s.headers, ${withBody ? 's.body' : 'NULL AS body'}
       FROM messages m JOIN search_text s ON s.account_id = m.account_id AND s.body_id = m.body_id
      WHERE m.account_id = ? AND m.mailbox_id = ? AND m.uid IN (SELECT value FROM json_each(?))
      ORDER BY m.uid`,
    accountId,
    mailboxId,
    idList(uids),
  );
  for (const r of rows) out.set(r.uid, { headers: r.headers, body: r.body });
  return out;
}

/**
 * appendMessages stores `messages` in one transaction: new bodies, UIDs uid_next.., all with modseq
 * highest_modseq + 1. Durable on return (synchronous=FULL). Throws TRYCREATE (no such mailbox), LIMIT,
 * OVERQUOTA (checked against `quota` and charged in the same transaction).
 */
export function appendMessages(
  db: Db,
  accountId: number,
  mailboxId: number,
  messages: readonly NewMessage[],
  quota: QuotaDefaults,
): { uidValidity: number; uids: number[] } {
  return db.write(() => {
    const mb = requireMailbox(db, accountId, mailboxId, 'TRYCREATE');
    if (messages.length === 0) return { uidValidity: mb.uid_validity, uids: [] };
    const firstUid = reserveUids(mb, messages.length);
    chargeUsage(db, accountId, messages.reduce((n, m) => n + m.raw.length, 0), messages.length, quota);
    const firstBody = allocateBodyIds(db, accountId, messages.length);
    const modseq = mb.highest_modseq + 1;
    const now = Date.now();
    const uids: number[] = [];
    messages.forEach((msg, i) => {
      const flags = parseFlags(msg.flags);
      insertBody(db, accountId, firstBody + i, msg);
      insertMessage(db, accountId, mailboxId, {
        uid: firstUid + i,
        bodyId: firstBody + i,
        modseq,
        sysFlags: flags.sys,
        keywords: encodeKeywords(flags.keywords),
        internalDate: msg.internalDate,
        saveDate: now,
        size: msg.raw.length,
        sentDate: msg.sentDate,
      });
      uids.push(firstUid + i);
    });
    db.run(
      'UPDATE mailboxes SET uid_next = ?, highest_modseq = ? WHERE account_id = ? AND id = ?',
      firstUid + messages.length,
      modseq,
      accountId,
      mailboxId,
    );
    return { uidValidity: mb.uid_validity, uids };
  });
}

/** sortDateSource gives SortDateCache its reads (sort-dates.ts) from this database. */
export function sortDateSource(db: Db): SortDateSource {
  return {
    async mailbox(accountId, mailboxId) {
      const mb = requireMailbox(db, accountId, mailboxId);
      return { uidValidity: mb.uid_validity, highestModseq: mb.highest_modseq, uidNext: mb.uid_next };
    },
    async expunged(accountId, mailboxId, after, upTo) {
      return db
        .rows<[number]>('SELECT uid FROM expunged WHERE account_id = ? AND mailbox_id = ? AND modseq > ? AND modseq <= ?', accountId, mailboxId, after, upTo)
        .map((r) => r[0]);
    },
    async rows(accountId, mailboxId, from, below) {
      return db.rows<SortDateRow>(
        `SELECT uid, internal_date, size, sent_date FROM messages
          WHERE account_id = ? AND mailbox_id = ? AND uid >= ? AND uid < ? ORDER BY uid`,
        accountId,
        mailboxId,
        from,
        below,
      );
    },
  };
}
