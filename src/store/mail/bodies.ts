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

/** allocateBodyIds reserves `n` consecutive body ids of the account and returns the first. Throws NONEXISTENT. */
function* allocateBodyIds(accountId: number, n: number): Rule<number> {
  const a = yield* one<{ first: number }>('UPDATE accounts SET next_body_id = next_body_id + ? WHERE id = ? RETURNING next_body_id - ? AS first', n, accountId, n);
  if (!a) throw new StoreError('NONEXISTENT', 'Account does not exist');
  return a.first;
}

/**
 * insertBodies returns the ids of the account's bodies with the bytes of `messages`, in order, storing the
 * bytes, structure, envelope, search text and index entry of each first unless the backend already has
 * them. Ids are reserved in one block for the bodies still to store (one update of the account row per
 * APPEND, not one per message); a body the backend finds shared leaves its reserved id unused. The caller
 * holds the account lock.
 */
export function* insertBodies(sql: Dialect, accountId: number, messages: readonly NewMessage[]): Rule<number[]> {
  const ids: number[] = [];
  // The reserved ids not used yet: [next, end).
  let next = 0;
  let end = 0;
  for (const [i, msg] of messages.entries()) {
    const existing = yield* sql.findBody(accountId, msg);
    if (existing !== undefined) {
      ids.push(existing);
      continue;
    }
    if (next === end) {
      next = yield* allocateBodyIds(accountId, messages.length - i);
      end = next + messages.length - i;
    }
    yield* storeBody(sql, accountId, next, msg);
    ids.push(next++);
  }
  return ids;
}

/** storeBody stores the bytes, structure, envelope, search text and index entry of `msg` as body `bodyId`. */
function* storeBody(sql: Dialect, accountId: number, bodyId: number, msg: NewMessage): Rule<void> {
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

/** storedBodies returns which of the account's bodies `bodyIds` are stored, without reading their bytes. */
export function* storedBodies(sql: Dialect, accountId: number, bodyIds: readonly number[]): Rule<Set<number>> {
  const rows = yield* many<{ id: number }>(`SELECT id FROM bodies WHERE account_id = ? AND ${sql.inIds('id')}`, accountId, sql.ids(bodyIds));
  return new Set(rows.map((r) => Number(r.id)));
}

/** readBody returns the stored bytes of body `bodyId` of the account. Throws NONEXISTENT. */
export function* readBody(sql: Dialect, accountId: number, bodyId: number): Rule<Buffer> {
  const data = yield* sql.readBody(accountId, bodyId);
  if (!data) throw new StoreError('NONEXISTENT', 'Message does not exist');
  return data;
}
