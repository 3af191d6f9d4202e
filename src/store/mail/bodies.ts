/**
 * Stored message bodies: one row per body, shared by every copy of the message (COPY and MOVE never
 * duplicate bytes, and a backend that shares bodies by content also shares identical deliveries), with its
 * structure, envelope (and ENVELOPE text), search text and full-text index entry; deleted when no message
 * uses it. Body rows of an account are created and deleted only under the account row's lock, so a write
 * reusing a body never races another deleting it as an orphan. Where the bytes go is the Dialect's.
 */
import type { Envelope } from '../../mime/types.js';
import { storedEnvelopeText } from '../../protocol/envelope.js';
import { StoreError, type NewMessage } from '../types.js';
import type { Dialect } from './dialect.js';
import { lockAccount } from './locks.js';
import { exec, many, one, type Rule } from './rule.js';

/** allocateBodyId reserves the account's next body id and returns it. Throws NONEXISTENT. */
function* allocateBodyId(accountId: number): Rule<number> {
  const a = yield* one<{ first: number }>('UPDATE accounts SET next_body_id = next_body_id + 1 WHERE id = ? RETURNING next_body_id - 1 AS first', accountId);
  if (!a) throw new StoreError('NONEXISTENT', 'Account does not exist');
  return a.first;
}

/**
 * insertBody returns the id of the account's body with the bytes of `msg`, storing the bytes, structure,
 * envelope, search text and index entry first unless the backend already has them. The caller holds the account lock.
 */
export function* insertBody(sql: Dialect, accountId: number, msg: NewMessage): Rule<number> {
  const existing = yield* sql.findBody(accountId, msg);
  if (existing !== undefined) return existing;
  const bodyId = yield* allocateBodyId(accountId);
  yield* sql.putBody(accountId, bodyId, msg);
  yield* exec(
    'INSERT INTO search_text (account_id, body_id, headers, body) VALUES (?, ?, ?, ?)',
    accountId,
    bodyId,
    sql.text(msg.searchText.headers),
    sql.text(msg.searchText.body),
  );
  yield* insertEnvelopeText(accountId, bodyId, msg.envelope);
  yield* sql.indexBody(accountId, bodyId, msg.searchText, msg.structure);
  return bodyId;
}

/** insertEnvelopeText stores the ENVELOPE text of body `bodyId` (none when storedEnvelopeText gives null). */
export function* insertEnvelopeText(accountId: number, bodyId: number, envelope: Envelope): Rule<void> {
  const text = storedEnvelopeText(envelope);
  if (text !== null) yield* exec('INSERT INTO envelopes (account_id, body_id, text) VALUES (?, ?, ?)', accountId, bodyId, text);
}

/**
 * deleteOrphanBodies deletes those of `bodyIds` that no message of the account refers to any more (call it
 * after deleting messages, in the same transaction). Each check is one lookup in messages_body.
 */
export function* deleteOrphanBodies(sql: Dialect, accountId: number, bodyIds: readonly number[]): Rule<void> {
  if (bodyIds.length === 0) return;
  yield* lockAccount(sql, accountId);
  const orphans = yield* many<{ id: number; key: string | null }>(
    `SELECT b.id, ${sql.bodyKey} AS key FROM bodies b
      WHERE b.account_id = ? AND ${sql.inIds('b.id')}
        AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = b.account_id AND m.body_id = b.id)`,
    accountId,
    sql.ids([...new Set(bodyIds)]),
  );
  if (orphans.length === 0) return;
  const ids = orphans.map((r) => r.id);
  const list = sql.ids(ids);
  yield* exec(`DELETE FROM search_text WHERE account_id = ? AND ${sql.inIds('body_id')}`, accountId, list);
  yield* exec(`DELETE FROM envelopes WHERE account_id = ? AND ${sql.inIds('body_id')}`, accountId, list);
  yield* sql.deleteBodies(
    accountId,
    ids,
    orphans.map((r) => r.key),
  );
}

/** readBody returns the stored bytes of body `bodyId` of the account. Throws NONEXISTENT. */
export function* readBody(sql: Dialect, accountId: number, bodyId: number): Rule<Buffer> {
  const data = yield* sql.readBody(accountId, bodyId);
  if (!data) throw new StoreError('NONEXISTENT', 'Message does not exist');
  return data;
}
