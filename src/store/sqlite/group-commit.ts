/**
 * Group commit: the writes that sessions ask for in the same turn of the event loop share one
 * transaction, so one fsync makes all of them durable.
 *
 * better-sqlite3 runs on the event loop's thread, so one transaction per APPEND or STORE would cost every
 * session a BEGIN and COMMIT in turn. Queued writes run at the next setImmediate, each in its own savepoint
 * (a write that throws undoes only itself), then the one COMMIT; each caller's promise settles once that
 * COMMIT is on disk (Db.durable: the WAL's fsync, on the thread pool while the event loop goes on), so what
 * is acknowledged survives kill -9 and power loss. A lone write costs one turn of the event loop more.
 *
 * Under a steady stream of writes (LMTP deliveries, many APPENDs) the writes of one turn are few: each
 * arrives when its connection's data is in, one or two at a time. So when the last commit ended less than
 * its own duration ago, the next one waits COMMIT_DELAY_MS for more writes to join it (as PostgreSQL's
 * commit_delay does): one fsync then covers several, which the commits themselves would have cost anyway.
 *
 * A write that may be lost in a power cut (a \Recent claim, `durable` false) joins the same commit and is
 * answered once that COMMIT has returned, without waiting for the fsync: in the WAL, it survives kill -9.
 *
 * When another connection holds the write lock (another worker of the server, `letterbox import`), the
 * commit does not wait for it on the event loop's thread, as SQLite's busy timeout would (every session of
 * the process stalled meanwhile): it tries again BUSY_RETRY_MS later, the writes queued meanwhile joining,
 * and after BUSY_TIMEOUT_MS they fail with SQLITE_BUSY.
 */
import { BUSY_TIMEOUT_MS, lockedError, type Db } from './db.js';

/** How long a commit waits for more writes while commits follow each other closely, in ms. */
const COMMIT_DELAY_MS = 1;

/** How long a commit that found the write lock taken waits before it tries again, in ms; the event loop serves sessions meanwhile. */
const BUSY_RETRY_MS = 1;

interface Queued {
  fn: () => unknown;
  /** false: answered at COMMIT, before the fsync. */
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** GroupCommit queues write transactions against one Db and commits each turn's queue at once. */
export class GroupCommit {
  private queue: Queued[] = [];
  private scheduled = false;
  /** When the last commit ended and how long it took (performance.now() ms), to tell a steady stream of writes. */
  private lastEnd = -Infinity;
  private lastMs = 0;
  /** When the queued writes first found the write lock taken (performance.now() ms), or null. */
  private busySince: number | null = null;

  /**
   * @param onCommit told of each commit: seconds from BEGIN to the end of COMMIT, and the writes it carried
   * @param busyTimeoutMs how long queued writes wait for a write lock another connection holds before they fail with SQLITE_BUSY (ms)
   */
  constructor(
    private readonly db: Db,
    private readonly onCommit?: (seconds: number, writes: number) => void,
    private readonly busyTimeoutMs = BUSY_TIMEOUT_MS,
  ) {}

  /**
   * run queues `fn` (synchronous, writing through the Db) and resolves with its result once committed and,
   * when `durable` (the default), on disk; rejects with its error, or the commit's (or, when durable, the fsync's).
   */
  run<T>(fn: () => T, durable = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, durable, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        if (performance.now() - this.lastEnd < this.lastMs) setTimeout(this.attempt, COMMIT_DELAY_MS);
        else setImmediate(this.attempt);
      }
    });
  }

  /**
   * attempt commits what is queued unless another connection holds the write lock; then it tries again
   * BUSY_RETRY_MS later, the writes queued meanwhile joining. Once the lock has been taken for busyTimeoutMs
   * since the first try, the queued writes fail with SQLITE_BUSY, as a statement waiting that long would.
   */
  private readonly attempt = (): void => {
    this.busySince ??= performance.now();
    if (this.commit(true)) return;
    if (performance.now() - this.busySince < this.busyTimeoutMs) {
      setTimeout(this.attempt, BUSY_RETRY_MS);
      return;
    }
    const batch = this.queue;
    this.queue = [];
    this.taken(performance.now());
    const err = lockedError();
    for (const op of batch) op.reject(err);
  };

  /** flush commits what is queued now, waiting for the write lock (the store's close calls it, so no queued write is lost). */
  flush(): void {
    this.commit(false);
  }

  /** commit commits the queue in one transaction; with `tryOnly`, returns false having done nothing when the write lock is taken. */
  private commit(tryOnly: boolean): boolean {
    const batch = this.queue;
    if (batch.length === 0) {
      this.scheduled = false;
      this.busySince = null;
      return true;
    }
    // Off the queue before the writes run: one that asks for another write queues it for the next commit.
    this.queue = [];
    const start = performance.now();
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    const writeAll = (): void => {
      for (const op of batch) {
        try {
          // Each as a savepoint, so a write that throws is rolled back alone.
          outcomes.push({ ok: true, value: this.db.snapshot(op.fn) });
        } catch (err) {
          outcomes.push({ ok: false, value: err });
        }
      }
    };
    try {
      if (tryOnly) {
        if (this.db.tryWrite(writeAll) === null) {
          // Nothing ran, so nothing was queued meanwhile: the batch is the queue again.
          this.queue = batch;
          return false;
        }
      } else this.db.write(writeAll);
    } catch (err) {
      this.taken(start);
      for (const op of batch) op.reject(err);
      return true;
    }
    this.taken(start);
    // Committed: the writes that need no fsync (and the failed ones) are answered now, the others once on
    // disk (at once where the commit itself waited for the fsync).
    const waiting: number[] = [];
    batch.forEach((op, i) => {
      const o = outcomes[i]!;
      if (!o.ok) op.reject(o.value);
      else if (!op.durable) op.resolve(o.value);
      else waiting.push(i);
    });
    const settle = (fsyncError?: unknown): void => {
      this.onCommit?.((performance.now() - start) / 1000, batch.length);
      for (const i of waiting) {
        if (fsyncError === undefined) batch[i]!.resolve(outcomes[i]!.value);
        else batch[i]!.reject(fsyncError);
      }
    };
    this.db.durable().then(() => settle(), settle);
    return true;
  }

  /** taken records the end of a batch's transaction (committed or failed), begun at `start` (performance.now() ms), and schedules what was queued meanwhile. */
  private taken(start: number): void {
    this.busySince = null;
    this.lastEnd = performance.now();
    this.lastMs = this.lastEnd - start;
    this.scheduled = this.queue.length > 0;
    if (this.scheduled) setImmediate(this.attempt);
  }
}
