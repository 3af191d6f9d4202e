/**
 * The SQLite store's purge of bodies left without a message (mail/bodies.ts purgeBodies): rounds run by the
 * upkeep thread (fts-thread.ts) beside the full-text index, on the calling thread for an in-memory store
 * (fts-indexer.ts) and by finishBackground. Imports the connection, the dialect and the mail rules only.
 */
import { purgeBodies, purgeQueued, type PurgeRound } from '../mail/bodies.js';
import type { Db } from './db.js';
import { sqliteDialect } from './dialect.js';
import { runRule } from './rules.js';

/**
 * PURGE_BATCH: the most queued bodies one round deletes. A round holds the store's write lock (about 0.1 ms
 * per body under imaptest), so rounds stay short: the serving threads' commits wait for it meanwhile.
 */
export const PURGE_BATCH = 16;

/**
 * purgeRound deletes up to PURGE_BATCH queued bodies of one account (purgeBodies) in one transaction, or
 * does nothing, without taking the write lock, when none is queued. The commit waits for no fsync: a purge
 * lost in a power cut leaves its bodies queued, and is done again. Throws what SQLite throws (SQLITE_BUSY
 * after the busy timeout).
 */
export function purgeRound(store: Db): PurgeRound {
  if (!runRule(store, purgeQueued())) return { deleted: 0, more: false };
  return store.writeUnsynced(() => runRule(store, purgeBodies(sqliteDialect, PURGE_BATCH)));
}

/** purgeAll runs purgeRound until nothing is queued (finishBackground). */
export function purgeAll(store: Db): void {
  while (purgeRound(store).more);
}
