/**
 * Stored message bodies: one row per distinct content of an account (SHA-256 of the bytes, so the same
 * bytes delivered twice, and every COPY and MOVE, share one body), with its structure, envelope and search
 * text; the bytes in the blob store (PgBlobStore by default). Deleted when no message uses it.
 *
 * Body rows of an account are created and deleted only under the account row's lock (lockAccount), so a
 * node reusing a body by its hash never races another node deleting it as an orphan.
 */
import type { Envelope } from '../../mime/types.js';
import { storedEnvelopeText } from '../../protocol/envelope.js';
import { contentKey, type BlobStore } from '../blobs.js';
import { StoreError, type NewMessage } from '../types.js';
import { lockAccount } from './accounts.js';
import { pgText, type Db, type Tx } from './db.js';
import { indexBody } from './search.js';

/** allocateBodyIds reserves `n` consecutive body ids of the account and returns the first. Throws NONEXISTENT. */
export async function allocateBodyIds(tx: Tx, accountId: number, n: number): Promise<number> {
  const a = await tx.get<{ first: number }>(
    'UPDATE accounts SET next_body_id = next_body_id + ? WHERE id = ? RETURNING next_body_id - ? AS first',
    n,
    accountId,
    n,
  );
  if (!a) throw new StoreError('NONEXISTENT', 'Account does not exist');
  return a.first;
}

/**
 * insertBody returns the id of the account's body with the bytes of `msg`, storing the bytes, structure,
 * envelope, search text and full-text index entry first if the account has no such body yet. The caller holds the account lock.
 */
export async function insertBody(tx: Tx, blobs: BlobStore<Tx>, accountId: number, msg: NewMessage): Promise<number> {
  const hash = contentKey(msg.raw);
  const existing = await tx.get<{ id: number }>('SELECT id FROM bodies WHERE account_id = ? AND hash = ?', accountId, hash);
  if (existing) return existing.id;
  const bodyId = await allocateBodyIds(tx, accountId, 1);
  await blobs.put(tx, accountId, hash, msg.raw);
  await tx.run(
    'INSERT INTO bodies (account_id, id, hash, size, sent_date, envelope, structure) VALUES (?, ?, ?, ?, ?, ?, ?)',
    accountId,
    bodyId,
    hash,
    msg.raw.length,
    msg.sentDate,
    JSON.stringify(msg.envelope),
    JSON.stringify(msg.structure),
  );
  await tx.run(
    'INSERT INTO search_text (account_id, body_id, headers, body) VALUES (?, ?, ?, ?)',
    accountId,
    bodyId,
    pgText(msg.searchText.headers),
    pgText(msg.searchText.body),
  );
  await insertEnvelopeText(tx, accountId, bodyId, msg.envelope);
  await indexBody(tx, accountId, bodyId, msg.searchText, msg.structure);
  return bodyId;
}

/** insertEnvelopeText stores the ENVELOPE text of body `bodyId` (none when storedEnvelopeText gives null). */
export async function insertEnvelopeText(tx: Tx, accountId: number, bodyId: number, envelope: Envelope): Promise<void> {
  const text = storedEnvelopeText(envelope);
  if (text !== null) await tx.run('INSERT INTO envelopes (account_id, body_id, text) VALUES (?, ?, ?)', accountId, bodyId, text);
}

/**
 * deleteOrphanBodies deletes those of `bodyIds` that no message of the account refers to any more, with
 * their blobs (call it after deleting messages, in the same transaction). Each check is one lookup in
 * messages_body.
 */
export async function deleteOrphanBodies(tx: Tx, blobs: BlobStore<Tx>, accountId: number, bodyIds: readonly number[]): Promise<void> {
  if (bodyIds.length === 0) return;
  await lockAccount(tx, accountId);
  const orphans = await tx.all<{ id: number; hash: string }>(
    `SELECT b.id, b.hash FROM bodies b
      WHERE b.account_id = ? AND b.id = ANY(?::bigint[])
        AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = b.account_id AND m.body_id = b.id)`,
    accountId,
    [...new Set(bodyIds)],
  );
  if (orphans.length === 0) return;
  const ids = orphans.map((r) => r.id);
  await tx.run('DELETE FROM search_index WHERE account_id = ? AND body_id = ANY(?::bigint[])', accountId, ids);
  await tx.run('DELETE FROM search_text WHERE account_id = ? AND body_id = ANY(?::bigint[])', accountId, ids);
  await tx.run('DELETE FROM envelopes WHERE account_id = ? AND body_id = ANY(?::bigint[])', accountId, ids);
  await tx.run('DELETE FROM bodies WHERE account_id = ? AND id = ANY(?::bigint[])', accountId, ids);
  await blobs.remove(
    tx,
    accountId,
    orphans.map((r) => r.hash),
  );
}

/** readBody returns the stored bytes of body `bodyId` of the account. Throws NONEXISTENT. */
export async function readBody(db: Db, blobs: BlobStore<Tx>, accountId: number, bodyId: number): Promise<Buffer> {
  const row = await db.get<{ hash: string }>('SELECT hash FROM bodies WHERE account_id = ? AND id = ?', accountId, bodyId);
  const data = row ? await blobs.get(accountId, row.hash) : null;
  if (!data) throw new StoreError('NONEXISTENT', 'Message does not exist');
  return data;
}

/** PgBlobStore keeps blobs in the blobs table of the same database (BYTEA), written in the caller's transaction. */
export class PgBlobStore implements BlobStore<Tx> {
  readonly kind = 'postgres';

  constructor(private readonly db: Db) {}

  async put(tx: Tx, accountId: number, key: string, data: Buffer): Promise<void> {
    await tx.run('INSERT INTO blobs (account_id, key, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', accountId, key, data);
  }

  async get(accountId: number, key: string): Promise<Buffer | null> {
    const row = await this.db.get<{ data: Buffer }>('SELECT data FROM blobs WHERE account_id = ? AND key = ?', accountId, key);
    return row?.data ?? null;
  }

  async remove(tx: Tx, accountId: number, keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await tx.run('DELETE FROM blobs WHERE account_id = ? AND key = ANY(?::text[])', accountId, keys);
  }

  async removeAccount(tx: Tx, accountId: number): Promise<void> {
    await tx.run('DELETE FROM blobs WHERE account_id = ?', accountId);
  }
}
