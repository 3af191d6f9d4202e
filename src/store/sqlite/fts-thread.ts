/**
 * The full-text indexer's thread (fts-indexer.ts starts it): its own connections to the store and to the
 * index file, and a loop that runs indexPending (fts.ts) while bodies are queued and looks again every
 * `pollMs` when none are. It tokenises on this thread, so the serving thread only queues.
 *
 * workerData: { store: path of the store, index: path of the index, pollMs, sliceMs }.
 * Messages in: 'stop' (close the connections and end). Messages out: { error: string } after a failed
 * round (retried after INDEX_RETRY_MS), { indexed, removed } after each round that did something.
 */
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Db } from './db.js';
import { indexTurn } from './fts.js';

/** IndexerThreadData is the workerData the thread is started with. */
export interface IndexerThreadData {
  store: string;
  index: string;
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
  const index = new Db(data.index);
  try {
    while (!stopped) {
      const { round, error, waitMs } = indexTurn(store, index, data.sliceMs, data.pollMs);
      if (round === null) parentPort!.postMessage({ error: (error as Error).message ?? String(error) });
      else if (round.indexed > 0 || round.removed > 0) parentPort!.postMessage({ indexed: round.indexed, removed: round.removed });
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
    index.close();
  }
}

await main(workerData as IndexerThreadData);
// The port's listener would keep the thread alive.
parentPort!.close();
