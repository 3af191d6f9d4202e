/**
 * Reading and appending messages (RFC 9051 sections 6.3.12 APPEND, 6.3.2 SELECT, 6.4.5 FETCH).
 */
import type { BlobStore } from '../blobs.js';
import { headerTextField } from '../../mime/header-text.js';
import { ALL_PARTS, StoreError, type MessageMeta, type MessageRecord, type NewMessage, type QuotaDefaults, type RecordParts, type SearchTextRecord, type SortFields, type SortRecord } from '../types.js';
import { StoredRecord } from '../record.js';
import type { SortDateRow, SortDateSource } from '../sort-dates.js';
import type { Envelope } from '../../mime/types.js';
import { insertBody } from './bodies.js';
import type { Db, Tx } from './db.js';
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

/** insertMessages writes rows of messages into mailbox `mailboxId`, in one statement. */
export async function insertMessages(tx: Tx, accountId: number, mailboxId: number, rows: readonly MessageInsert[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof MessageInsert>(k: K) => rows.map((r) => r[k] as number);
  await tx.run(
    `INSERT INTO messages (account_id, mailbox_id, uid, body_id, modseq, sys_flags, keywords, internal_date, save_date, size, sent_date)
     SELECT ?::bigint, ?::bigint, * FROM UNNEST(?::bigint[], ?::bigint[], ?::bigint[], ?::int[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])`,
    accountId,
    mailboxId,
    col('uid'),
    col('bodyId'),
    col('modseq'),
    col('sysFlags'),
    rows.map((r) => r.keywords),
    col('internalDate'),
    col('saveDate'),
    col('size'),
    rows.map((r) => r.sentDate),
  );
}

/**
 * reserveUids checks that `n` more UIDs fit below 2^32 (RFC 9051 section 2.3.1.1) and returns the first;
 * the caller bumps uid_next. `mb` must have been read with its row lock. Throws LIMIT.
 */
export function reserveUids(mb: MailboxRow, n: number): number {
  if (mb.uid_next + n - 1 > MAX_UID) throw new StoreError('LIMIT', 'Mailbox has run out of UIDs');
  return mb.uid_next;
}

/**
 * listMessages returns uid, modseq and flags of every message, ascending UID: one range read of the primary
 * key, or the cached listing when the mailbox has not changed since (large mailboxes only, listing-cache.ts): callers must
 * not change the array (SelectedMailbox copies it first). Throws NONEXISTENT.
 */
export async function listMessages(db: Db, accountId: number, mailboxId: number): Promise<MessageMeta[]> {
  const mb = await requireMailbox(db, accountId, mailboxId);
  const state = { uidValidity: mb.uid_validity, highestModseq: mb.highest_modseq };
  const cache = listingCacheOf(db);
  const hit = cache.get(accountId, mailboxId, state);
  if (hit) return hit as MessageMeta[];
  const messages = (
    await db.all<MetaRow>(
      'SELECT uid, modseq, sys_flags, keywords FROM messages WHERE account_id = ? AND mailbox_id = ? ORDER BY uid',
      accountId,
      mailboxId,
    )
  ).map(toMeta);
  cache.keep(accountId, mailboxId, state, messages);
  return messages;
}

/** A row of getMessages; modseq, sys_flags and keywords are null when not read. */
interface RecordRow {
  uid: number;
  modseq: number | null;
  sys_flags: number | null;
  keywords: string | null;
  internal_date: number;
  save_date: number;
  size: number;
  body_id: number;
  sent_date: number | null;
  structure: string | null;
  envelope: string | null;
  envelope_text: string | null;
}

/**
 * getMessages returns the records of those `uids` that exist, ascending UID; the body structure and envelope
 * are read only as `parts` says, and the bodies rows not at all when neither is wanted. Throws NONEXISTENT.
 */
export async function getMessages(db: Db, accountId: number, mailboxId: number, uids: readonly number[], parts: RecordParts = ALL_PARTS): Promise<MessageRecord[]> {
  await requireMailbox(db, accountId, mailboxId);
  if (uids.length === 0) return [];
  const body = (column: string) => `(SELECT b.${column} FROM bodies b WHERE b.account_id = m.account_id AND b.id = m.body_id)`;
  // With the ENVELOPE text, the envelope itself is read where no text is stored (or when asked for anyway).
  const envelope = parts.envelopeText && !parts.envelope ? `CASE WHEN e.text IS NULL THEN ${body('envelope')} END` : parts.envelope ? body('envelope') : 'NULL';
  const rows = await db.all<RecordRow>(
    `SELECT m.uid, ${parts.meta === false ? 'NULL AS modseq, NULL AS sys_flags, NULL AS keywords' : 'm.modseq, m.sys_flags, m.keywords'}, m.internal_date, m.save_date, m.size, m.body_id, m.sent_date,
            ${parts.structure ? body('structure') : 'NULL'} AS structure, ${envelope} AS envelope, ${parts.envelopeText ? 'e.text' : 'NULL'} AS envelope_text
       FROM messages m${parts.envelopeText ? ' LEFT JOIN envelopes e ON e.account_id = m.account_id AND e.body_id = m.body_id' : ''}
      WHERE m.account_id = ? AND m.mailbox_id = ? AND m.uid = ANY(?::bigint[])
      ORDER BY m.uid`,
    accountId,
    mailboxId,
    idList(uids),
  );
  return rows.map(
    (r) => new StoredRecord(r.uid, r.modseq, r.sys_flags === null ? null : decodeFlags(r.sys_flags, r.keywords!), r.internal_date, r.size, r.save_date, r.body_id, r.sent_date, r.structure, r.envelope, r.envelope_text),
  );
}

/**
 * getSortRecords returns the sort records of those `uids` that exist, ascending UID, with envelopes and
 * References when `fields` asks (SORT and THREAD, RFC 5256). Dates and sizes come from the messages rows
 * (sent_date is kept there since migration 4); bodies are read only for the envelope, search_text only for
 * References. Throws NONEXISTENT.
 */
export async function getSortRecords(db: Db, accountId: number, mailboxId: number, uids: readonly number[], fields: SortFields): Promise<SortRecord[]> {
  await requireMailbox(db, accountId, mailboxId);
  if (uids.length === 0) return [];
  const envelope = fields.envelope ? '(SELECT b.envelope FROM bodies b WHERE b.account_id = m.account_id AND b.id = m.body_id)' : 'NULL';
  const headers = fields.references ? '(SELECT s.headers FROM search_text s WHERE s.account_id = m.account_id AND s.body_id = m.body_id)' : 'NULL';
  const rows = await db.all<{ uid: number; internal_date: number; size: number; sent_date: number | null; envelope: string | null; headers: string | null }>(
    `SELECT m.uid, m.internal_date, m.size, m.sent_date, ${envelope} AS envelope, ${headers} AS headers
       FROM messages m
      WHERE m.account_id = ? AND m.mailbox_id = ? AND m.uid = ANY(?::bigint[])
      ORDER BY m.uid`,
    accountId,
    mailboxId,
    idList(uids),
  );
  return rows.map((r) => ({
    uid: r.uid,
    internalDate: r.internal_date,
    size: r.size,
    sentDate: r.sent_date,
    envelope: r.envelope === null ? null : (JSON.parse(r.envelope) as Envelope),
    references: r.headers === null ? null : headerTextField(r.headers, 'References'),
  }));
}

/** idList keeps the valid UIDs or ids of `ids` (positive integers below 2^53) for `= ANY(?::bigint[])`. */
export function idList(ids: readonly number[]): number[] {
  return ids.filter((n) => Number.isSafeInteger(n) && n > 0);
}

/**
 * getSearchText returns the decoded search text of those `uids` that exist, keyed by UID; the body text
 * only when `withBody` (it is most of the text). Throws NONEXISTENT.
 */
export async function getSearchText(db: Db, accountId: number, mailboxId: number, uids: readonly number[], withBody = true): Promise<Map<number, SearchTextRecord>> {
  await requireMailbox(db, accountId, mailboxId);
  const out = new Map<number, SearchTextRecord>();
  if (uids.length === 0) return out;
  const rows = await db.all<{ uid: number; headers: string; body: string | null }>(
    `SELECT m.uid, s.headers, ${withBody ? 's.body' : 'NULL AS body'}
       FROM messages m JOIN search_text s ON s.account_id = m.account_id AND s.body_id = m.body_id
      WHERE m.account_id = ? AND m.mailbox_id = ? AND m.uid = ANY(?::bigint[])
      ORDER BY m.uid`,
    accountId,
    mailboxId,
    idList(uids),
  );
  for (const r of rows) out.set(r.uid, { headers: r.headers, body: r.body });
  return out;
}

/**
 * appendMessages stores `messages` in one transaction: bodies (reused when the account already has the
 * same bytes), UIDs uid_next.., all with modseq highest_modseq + 1, allocated under the mailbox row's lock
 * so appends from any number of nodes get distinct, increasing UIDs. Durable on return (PostgreSQL
 * commits with fsync unless the operator turned synchronous_commit off). Throws TRYCREATE, LIMIT,
 * OVERQUOTA (checked against `quota` and charged in the same transaction).
 */
export async function appendMessages(
  db: Db,
  blobs: BlobStore<Tx>,
  accountId: number,
  mailboxId: number,
  messages: readonly NewMessage[],
  quota: QuotaDefaults,
): Promise<{ uidValidity: number; uids: number[] }> {
  return db.write((tx) => appendInTx(tx, blobs, accountId, mailboxId, messages, quota));
}

/** appendInTx is appendMessages inside the caller's transaction (REPLACE expunges and appends in one). */
export async function appendInTx(
  tx: Tx,
  blobs: BlobStore<Tx>,
  accountId: number,
  mailboxId: number,
  messages: readonly NewMessage[],
  quota: QuotaDefaults,
): Promise<{ uidValidity: number; uids: number[] }> {
  const mb = await requireMailbox(tx, accountId, mailboxId, 'TRYCREATE', true);
  if (messages.length === 0) return { uidValidity: mb.uid_validity, uids: [] };
  const firstUid = reserveUids(mb, messages.length);
  // Charging takes the account row's lock (after the mailbox's), which also guards the bodies we insert.
  await chargeUsage(
    tx,
    accountId,
    messages.reduce((n, m) => n + m.raw.length, 0),
    messages.length,
    quota,
  );
  const modseq = mb.highest_modseq + 1;
  const now = Date.now();
  const rows: MessageInsert[] = [];
  for (const [i, msg] of messages.entries()) {
    const flags = parseFlags(msg.flags);
    rows.push({
      uid: firstUid + i,
      bodyId: await insertBody(tx, blobs, accountId, msg),
      modseq,
      sysFlags: flags.sys,
      keywords: encodeKeywords(flags.keywords),
      internalDate: msg.internalDate,
      saveDate: now,
      size: msg.raw.length,
      sentDate: msg.sentDate,
    });
  }
  await insertMessages(tx, accountId, mailboxId, rows);
  await tx.run(
    'UPDATE mailboxes SET uid_next = ?, highest_modseq = ? WHERE account_id = ? AND id = ?',
    firstUid + messages.length,
    modseq,
    accountId,
    mailboxId,
  );
  tx.notify(accountId, mailboxId);
  return { uidValidity: mb.uid_validity, uids: rows.map((r) => r.uid) };
}

/** sortDateSource gives SortDateCache its reads (sort-dates.ts) from this database. */
export function sortDateSource(db: Db): SortDateSource {
  return {
    async mailbox(accountId, mailboxId) {
      const mb = await requireMailbox(db, accountId, mailboxId);
      return { uidValidity: mb.uid_validity, highestModseq: mb.highest_modseq, uidNext: mb.uid_next };
    },
    async expunged(accountId, mailboxId, after, upTo) {
      const rows = await db.all<{ uid: number }>(
        'SELECT uid FROM expunged WHERE account_id = ? AND mailbox_id = ? AND modseq > ? AND modseq <= ?',
        accountId,
        mailboxId,
        after,
        upTo,
      );
      return rows.map((r) => r.uid);
    },
    async rows(accountId, mailboxId, from, below) {
      const rows = await db.all<{ uid: number; internal_date: number; size: number; sent_date: number | null }>(
        `SELECT uid, internal_date, size, sent_date FROM messages
          WHERE account_id = ? AND mailbox_id = ? AND uid >= ? AND uid < ? ORDER BY uid`,
        accountId,
        mailboxId,
        from,
        below,
      );
      return rows.map((r): SortDateRow => [r.uid, r.internal_date, r.size, r.sent_date]);
    },
  };
}
