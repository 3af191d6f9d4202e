/**
 * BlobStore: where the bytes of message bodies live, apart from their metadata, so a backend can keep them
 * in its database (the default) or, later, in an S3-compatible object store. Bytes are keyed per account
 * by their content hash, so identical bytes are stored once per account.
 */
import { createHash } from 'node:crypto';

/**
 * BlobStore keeps immutable byte strings of an account under a key (contentKey of the bytes).
 * `Tx` is the backend's transaction: a blob store in the database writes inside it, so the bytes commit
 * with the messages that refer to them; an external one would put before commit and remove after.
 */
export interface BlobStore<Tx> {
  /** kind names the store for logs, e.g. "postgres". */
  readonly kind: string;
  /** put stores `data` under `key` for the account; storing the same key again is a no-op. */
  put(tx: Tx, accountId: number, key: string, data: Buffer): Promise<void>;
  /** get returns the bytes under `key`, or null if there are none. */
  get(accountId: number, key: string): Promise<Buffer | null>;
  /** remove deletes the bytes under `keys` (missing keys are ignored). */
  remove(tx: Tx, accountId: number, keys: readonly string[]): Promise<void>;
  /** removeAccount deletes every blob of the account. */
  removeAccount(tx: Tx, accountId: number): Promise<void>;
}

/** contentKey is the blob key of `data`: its SHA-256 as 64 lower-case hex digits. */
export function contentKey(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
