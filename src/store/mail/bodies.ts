/**
 * Stored message bodies: one row per body, shared by every copy of the message (COPY and MOVE never
 * duplicate bytes, and a backend that shares bodies by content also shares identical deliveries), with its
 * structure, envelope (and ENVELOPE text), search text and full-text index entry; deleted when no message
 * uses it. Body rows of an account are created and deleted only under the account row's lock, so a write
 * reusing a body never races another deleting it as an orphan. Where the bytes go is the Dialect's.
 *
 * A body left without a message is not deleted by the transaction that removed its last message (EXPUNGE,
 * MOVE, DELETE of a mailbox), which only queues it in body_purge (queueOrphanBodies): its rows, its index
 * entry and its bytes are many pages to free, and that write on every expunge was about a tenth of the
 * serving thread's time under imaptest. The store's upkeep deletes the queued ones later (purgeBodies; the
 * SQLite indexer thread, a timer on each PostgreSQL node), as Dovecot leaves the space of expunged mail to
 * its own clean-up. Meanwhile no message refers to them, so no command can reach them; quota usage is
 * released at once, by the removal.
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
 * queueOrphanBodies queues for purgeBodies those of `bodyIds` that no message of the account refers to any
 * more (call it after deleting messages, in the same transaction); a body still used (the copy MOVE made)
 * is not queued. Takes the account lock, as purgeBodies does, so the two never cross.
 */
export function* queueOrphanBodies(sql: Dialect, accountId: number, bodyIds: readonly number[]): Rule<void> {
  if (bodyIds.length === 0) return;
  yield* lockAccount(sql, accountId);
  yield* exec(
    `INSERT INTO body_purge (account_id, body_id)
       SELECT b.account_id, b.id FROM bodies b
        WHERE b.account_id = ? AND ${sql.inIds('b.id')}
          AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = b.account_id AND m.body_id = b.id)
     ON CONFLICT DO NOTHING`,
    accountId,
    sql.ids([...new Set(bodyIds)]),
  );
}

/** PurgeRound is what one purgeBodies did: bodies deleted, and whether more are queued. */
export interface PurgeRound {
  deleted: number;
  more: boolean;
}

/**
 * purgeBodies takes up to `limit` queued bodies of one account off body_purge and deletes those that no
 * message refers to (a backend that shares bodies by content may have given a queued one to a new message
 * meanwhile): their search text, ENVELOPE text and index entry, then the body and its bytes. Runs in one
 * write transaction, under the account lock; a purge lost in a crash is done again, as its queue entries
 * are still there. Entries of an account that no longer exists are dropped.
 */
export function* purgeBodies(sql: Dialect, limit: number): Rule<PurgeRound> {
  const first = yield* one<{ account_id: number }>('SELECT account_id FROM body_purge LIMIT 1');
  if (!first) return { deleted: 0, more: false };
  const accountId = Number(first.account_id);
  // The account lock first, so the queue is read as the last writer under it left it.
  const exists = (yield* one(`SELECT 1 FROM accounts WHERE id = ?${sql.forNoKeyUpdate}`, accountId)) !== undefined;
  const queued = (yield* many<{ body_id: number }>('SELECT body_id FROM body_purge WHERE account_id = ? LIMIT ?', accountId, limit)).map((r) =>
    Number(r.body_id),
  );
  let deleted = 0;
  if (exists) {
    const orphans = yield* many<{ id: number; key: string | null }>(
      `SELECT b.id, ${sql.bodyKey} AS key FROM bodies b
        WHERE b.account_id = ? AND ${sql.inIds('b.id')}
          AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = b.account_id AND m.body_id = b.id)`,
      accountId,
      sql.ids(queued),
    );
    if (orphans.length > 0) {
      const ids = orphans.map((r) => Number(r.id));
      const list = sql.ids(ids);
      yield* exec(`DELETE FROM search_text WHERE account_id = ? AND ${sql.inIds('body_id')}`, accountId, list);
      yield* exec(`DELETE FROM envelopes WHERE account_id = ? AND ${sql.inIds('body_id')}`, accountId, list);
      yield* sql.deleteBodies(
        accountId,
        ids,
        orphans.map((r) => r.key),
      );
      deleted = ids.length;
    }
  }
  yield* exec(`DELETE FROM body_purge WHERE account_id = ? AND ${sql.inIds('body_id')}`, accountId, sql.ids(queued));
  return { deleted, more: yield* purgeQueued() };
}

/** purgeQueued tells whether any body waits in body_purge: a read, so that an upkeep with nothing to do takes no write lock. */
export function* purgeQueued(): Rule<boolean> {
  return (yield* one('SELECT 1 FROM body_purge LIMIT 1')) !== undefined;
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
