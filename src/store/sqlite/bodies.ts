/**
 * Stored message bodies: one row per body, shared by every copy of the message (COPY and MOVE never
 * duplicate bytes), with its structure, envelope (and ENVELOPE text) and search text; deleted when no message uses it.
 */
import { StoreError, type NewMessage } from '../types.js';
import type { Envelope } from '../../mime/types.js';
import { storedEnvelopeText } from '../../protocol/envelope.js';
import { idList, type Db } from './db.js';
import { indexBody, unindexBodies } from './fts.js';

/** allocateBodyIds reserves `n` consecutive body ids of the account and returns the first. Throws NONEXISTENT. */
export function allocateBodyIds(db: Db, accountId: number, n: number): number {
  const a = db.get<{ next_body_id: number }>('SELECT next_body_id FROM accounts WHERE id = ?', accountId);
  if (!a) throw new StoreError('NONEXISTENT', 'Account does not exist');
  db.run('UPDATE accounts SET next_body_id = ? WHERE id = ?', a.next_body_id + n, accountId);
  return a.next_body_id;
}

/** insertBody stores the bytes, structure, envelope and search text of a message as body `bodyId`. */
export function insertBody(db: Db, accountId: number, bodyId: number, msg: NewMessage): void {
  db.run(
    'INSERT INTO bodies (account_id, id, size, sent_date, envelope, structure, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    accountId,
    bodyId,
    msg.raw.length,
    msg.sentDate,
    JSON.stringify(msg.envelope),
    JSON.stringify(msg.structure),
    msg.raw,
  );
  db.run(
    'INSERT INTO search_text (account_id, body_id, headers, body) VALUES (?, ?, ?, ?)',
    accountId,
    bodyId,
    msg.searchText.headers,
    msg.searchText.body,
  );
  insertEnvelopeText(db, accountId, bodyId, msg.envelope);
  indexBody(db, accountId, bodyId, msg.searchText, msg.structure);
}

/** insertEnvelopeText stores the ENVELOPE text of body `bodyId` (none when storedEnvelopeText gives null). */
export function insertEnvelopeText(db: Db, accountId: number, bodyId: number, envelope: Envelope): void {
  const text = storedEnvelopeText(envelope);
  if (text !== null) db.run('INSERT INTO envelopes (account_id, body_id, text) VALUES (?, ?, ?)', accountId, bodyId, text);
}

/**
 * deleteOrphanBodies deletes those of `bodyIds` that no message of the account refers to any more
 * (call it after deleting messages, in the same transaction). Each check is one lookup in messages_body.
 */
export function deleteOrphanBodies(db: Db, accountId: number, bodyIds: readonly number[]): void {
  if (bodyIds.length === 0) return;
  const ids = idList([...new Set(bodyIds)]);
  const orphans = db
    .all<{ id: number }>(
      `SELECT value AS id FROM json_each(?)
        WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = ? AND m.body_id = value)`,
      ids,
      accountId,
    )
    .map((r) => r.id);
  if (orphans.length === 0) return;
  const list = idList(orphans);
  unindexBodies(db, accountId, list);
  db.run('DELETE FROM search_text WHERE account_id = ? AND body_id IN (SELECT value FROM json_each(?))', accountId, list);
  db.run('DELETE FROM envelopes WHERE account_id = ? AND body_id IN (SELECT value FROM json_each(?))', accountId, list);
  db.run('DELETE FROM bodies WHERE account_id = ? AND id IN (SELECT value FROM json_each(?))', accountId, list);
}

/** readBody returns the stored bytes of body `bodyId` of the account. Throws NONEXISTENT. */
export function readBody(db: Db, accountId: number, bodyId: number): Buffer {
  const row = db.get<{ data: Buffer }>('SELECT data FROM bodies WHERE account_id = ? AND id = ?', accountId, bodyId);
  if (!row) throw new StoreError('NONEXISTENT', 'Message does not exist');
  return row.data;
}
