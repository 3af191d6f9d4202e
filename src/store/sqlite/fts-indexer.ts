/**
 * The one full-text indexer of a server (fts.ts has the index itself): a worker thread (fts-thread.ts) for
 * a store in a file, so that tokenising (about a quarter of the CPU of a session that appends) runs on
 * another core than the sessions; in the calling thread, on a timer, for a store in memory, whose
 * connection no other thread can open. The thread also runs the store's WAL checkpoints (fts-thread.ts)
 * and deletes the bodies expunges left without a message (purge.ts), as the inline timer does.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Db } from './db.js';
import { INDEX_RETRY_MS, indexPending, upkeepTurn } from './fts.js';
import type { IndexerThreadData } from './fts-thread.js';
import { purgeAll, purgeRound } from './purge.js';
import { threadEntry } from '../../threads.js';

/** POLL_MS: how long the indexer waits before it looks at an empty queue again (ms); mail appended meanwhile is indexed in one batch. */
const POLL_MS = 200;

/** THREAD_SLICE_MS: how long one round of the thread adds bodies before it commits (ms); it holds up only the index's other writers. */
const THREAD_SLICE_MS = 100;

/** INLINE_SLICE_MS: the same in the calling thread, which serves sessions meanwhile (ms). */
const INLINE_SLICE_MS = 15;

/**
 * CHECKPOINT_BACKSTOP_FRAMES: while the thread runs, it checkpoints the store's WAL (fts-thread.ts), and the
 * serving connection (and those of the other workers, Store.leaveBackground) only past this many frames
 * (4 KiB pages: about 40 MB), should the thread fall behind.
 */
export const CHECKPOINT_BACKSTOP_FRAMES = 10_000;

/**
 * startIndexer starts indexing the bodies queued in `store` (a connection with its search index set) and
 * returns the function that stops it, whose promise resolves once the thread has closed its connections
 * and ended (its files are then left alone: the data directory may be removed). A file store gets a
 * thread with connections of its own, which also checkpoints the store's WAL and deletes the bodies queued
 * for purge (purge.ts); an in-memory one is indexed and purged on this thread. With `index` false the
 * thread only checkpoints (nothing to do for an in-memory store).
 * Failures are logged as warnings and retried.
 */
export function startIndexer(store: Db, log?: Logger, index = true): () => Promise<void> {
  if (store.path === ':memory:' || store.path === '') return index ? startInline(store, log) : () => Promise.resolve();
  const data: IndexerThreadData = { store: store.path, index: index ? store.searchIndex().path : null, pollMs: POLL_MS, sliceMs: THREAD_SLICE_MS };
  const entry = threadEntry(new URL('./fts-thread', import.meta.url));
  let stopped = false;
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = (): void => {
    const w = new Worker(entry.code, { eval: entry.eval, workerData: data });
    worker = w;
    exited = new Promise((resolve) => w.once('exit', () => resolve()));
    w.unref();
    w.on('message', (m: { error?: string; purgeError?: string; checkpointError?: string; indexed?: number; removed?: number; purged?: number }) => {
      if (m.error !== undefined) log?.warn({ error: m.error }, 'full-text indexing failed; retrying later');
      else if (m.purgeError !== undefined) log?.warn({ error: m.purgeError }, 'deleting the bodies of expunged messages failed; retrying later');
      else if (m.purged !== undefined) log?.debug({ purged: m.purged }, 'bodies of expunged messages deleted');
      else if (m.checkpointError !== undefined) log?.warn({ error: m.checkpointError }, 'the WAL checkpoint of the indexer thread failed; retrying later');
      else log?.debug({ indexed: m.indexed, removed: m.removed }, 'full-text index written');
    });
    w.on('error', (err) => log?.error({ err }, 'the full-text indexer thread failed'));
    w.on('exit', (code) => {
      if (stopped) return;
      // Queued bodies stay candidates of every SEARCH meanwhile, so SEARCH stays exact; it only narrows less.
      log?.error({ code }, 'the full-text indexer thread ended; starting it again');
      setTimeout(() => stopped || start(), INDEX_RETRY_MS).unref();
    });
  };
  // The thread checkpoints the WAL; this connection only as a backstop, until the thread has ended.
  const checkpointsBack = store.leaveCheckpoints(CHECKPOINT_BACKSTOP_FRAMES);
  start();
  return () => {
    stopped = true;
    // Held by the event loop until it has ended (unref'd while it runs, so that it keeps no process alive).
    worker?.ref();
    worker?.postMessage('stop');
    return exited.then(checkpointsBack);
  };
}

/** indexAll deletes every queued body (purgeAll) and runs indexPending on this thread until nothing is queued (finishBackground). */
export function indexAll(store: Db): void {
  purgeAll(store);
  while (indexPending(store, store.searchIndex(), INLINE_SLICE_MS).more);
}

function startInline(store: Db, log?: Logger): () => Promise<void> {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      const { round, error, waitMs } = upkeepTurn(() => indexPending(store, store.searchIndex(), INLINE_SLICE_MS), POLL_MS);
      if (round === null) log?.warn({ err: error }, 'full-text indexing failed; retrying later');
      const purge = upkeepTurn(() => purgeRound(store), POLL_MS);
      if (purge.round === null) log?.warn({ err: purge.error }, 'deleting the bodies of expunged messages failed; retrying later');
      schedule(Math.min(waitMs, purge.waitMs));
    }, ms);
    timer.unref();
  };
  schedule(0);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    return Promise.resolve();
  };
}
