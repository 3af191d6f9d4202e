/**
 * The full-text indexer's thread (fts-indexer.ts starts it): its own connections to the store and to the
 * index file, and a loop that runs indexPending (fts.ts) while bodies are queued and looks again every
 * `pollMs` when none are. It tokenises on this thread, so the serving thread only queues. The same loop
 * deletes the bodies that expunges left without a message (purge.ts), likewise queued by the serving
 * threads. Started without an index file, it only checkpoints (below), every CHECKPOINT_MS.
 *
 * The loop also checkpoints the store's WAL, at most every CHECKPOINT_MS: copying the committed pages into
 * the database file, and its fsync, then cost the serving thread nothing (the commit that passes SQLite's
 * threshold of 1000 frames would do them, on the event loop's thread). The connection of the process that
 * started the thread checkpoints only as a backstop meanwhile (fts-indexer.ts).
 *
 * workerData: { store: path of the store, index: path of the index or null, pollMs, sliceMs }.
 * Messages in: 'stop' (close the connections and end). Messages out: { error: string } after a failed
 * round (retried after INDEX_RETRY_MS), { purgeError: string } after a failed purge (likewise),
 * { checkpointError: string } after a failed checkpoint (tried again at the next turn), { indexed, removed }
 * after each index round that did something, { purged } after each purge that deleted bodies.
 */
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Db } from './db.js';
import { indexPending, upkeepTurn } from './fts.js';
import { purgeRound } from './purge.js';

/** IndexerThreadData is the workerData the thread is started with. */
export interface IndexerThreadData {
  store: string;
  /** The index file, or null for a thread that only checkpoints (a bulk import leaves its bodies queued for the server's indexer). */
  index: string | null;
  /** How long to wait before looking at the queue again when it was empty (ms). */
  pollMs: number;
  /** How long one round adds bodies before it commits (ms). */
  sliceMs: number;
}

/**
 * INDEXER_NICE is the indexer thread's scheduling priority (nice, -20 to 19): below the serving threads, so
 * that when the cores are busy (a stream of deliveries) sessions go first and the index catches up after.
 */
const INDEXER_NICE = 10;

/** CHECKPOINT_MS: how long (at least) between two checkpoints of the store's WAL by this thread, and how often a thread that does not index checkpoints, ms. */
const CHECKPOINT_MS = 50;

/**
 * lowerPriority gives this thread (only: Linux sets a nice value per thread, named by its thread id, which
 * /proc/thread-self names) the priority INDEXER_NICE. Elsewhere it does nothing.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, INDEXER_NICE);
  } catch {
    // No /proc (not Linux), or not allowed: the thread keeps the process's priority.
  }
}

async function main(data: IndexerThreadData): Promise<void> {
  lowerPriority();
  let stopped = false;
  let wake: AbortController = new AbortController();
  parentPort!.on('message', (m) => {
    if (m === 'stop') {
      stopped = true;
      wake.abort();
    }
  });
  const store = new Db(data.store);
  const index = data.index === null ? null : new Db(data.index);
  let checkpointed = -Infinity;
  try {
    while (!stopped) {
      let waitMs = CHECKPOINT_MS;
      if (index) {
        const turn = upkeepTurn(() => indexPending(store, index, data.sliceMs), data.pollMs);
        if (turn.round === null) parentPort!.postMessage({ error: (turn.error as Error).message ?? String(turn.error) });
        else if (turn.round.indexed > 0 || turn.round.removed > 0) parentPort!.postMessage({ indexed: turn.round.indexed, removed: turn.round.removed });
        const purge = upkeepTurn(() => purgeRound(store), data.pollMs);
        if (purge.round === null) parentPort!.postMessage({ purgeError: (purge.error as Error).message ?? String(purge.error) });
        else if (purge.round.deleted > 0) parentPort!.postMessage({ purged: purge.round.deleted });
        waitMs = Math.min(turn.waitMs, purge.waitMs);
      }
      if (performance.now() - checkpointed >= CHECKPOINT_MS) {
        checkpointed = performance.now();
        try {
          store.checkpoint();
        } catch (err) {
          // The serving connection's backstop checkpoints meanwhile; the next turn tries again.
          parentPort!.postMessage({ checkpointError: (err as Error).message ?? String(err) });
        }
      }
      if (waitMs > 0 && !stopped) {
        wake = new AbortController();
        await sleep(waitMs, undefined, { signal: wake.signal }).catch(() => undefined);
      } else {
        // Let a 'stop' in.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    store.close();
    index?.close();
  }
}

await main(workerData as IndexerThreadData);
// The port's listener would keep the thread alive.
parentPort!.close();
