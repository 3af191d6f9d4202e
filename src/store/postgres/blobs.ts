/**
 * PgBlobStore: the bytes of message bodies in the blobs table of the same database (BYTEA), written in
 * the caller's transaction, so they commit with the messages that refer to them.
 */
import type { BlobStore } from '../blobs.js';
import type { Db, Tx } from './db.js';

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
