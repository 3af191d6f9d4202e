/**
 * The SQLite connection: pragmas for durability, a prepared-statement cache and write transactions.
 * Every other file of the backend talks to SQLite through a Db.
 */
import { fstatSync, fsync, openSync, closeSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StorageUnavailableError } from '../errors.js';

/** BUSY_TIMEOUT_MS: how long a statement waits for a lock another connection holds before SQLITE_BUSY (ms). */
export const BUSY_TIMEOUT_MS = 5000;

/** SqlValue is what a statement parameter may be. */
export type SqlValue = number | string | Buffer | null;

/**
 * Db wraps one better-sqlite3 connection.
 * Opening sets journal_mode=WAL, synchronous=FULL (a commit is on disk before it returns, so an
 * acknowledged message survives kill -9 and power loss), foreign_keys=ON and busy_timeout=BUSY_TIMEOUT_MS
 * (another process, e.g. `letterbox import`, may hold the write lock briefly).
 *
 * syncInBackground() (the store's driver, after the migrations) moves the fsync off the event loop's
 * thread: commits then only write the WAL (synchronous=NORMAL) and durable() fsyncs the WAL file on libuv's
 * thread pool. A commit followed by a durable() that resolved is on disk, as with FULL; meanwhile the event
 * loop serves other sessions and the write lock is free for other processes (the workers of one server).
 */
export class Db {
  /** raw is the underlying connection; use stmt/get/all/run instead where possible. */
  readonly raw: Database.Database;
  private readonly cache = new Map<string, Database.Statement>();
  /** Statements of rows(), set to return arrays (a statement's mode is its own, so they are kept apart). */
  private readonly rawCache = new Map<string, Database.Statement>();
  /** One transaction function that runs the function it is given: transaction() would build one per call. */
  private readonly transaction: Database.Transaction<(fn: () => unknown) => unknown>;
  /** The WAL's fsync, once syncInBackground() was called on a file database. */
  private wal: WalSync | null = null;
  private background = false;
  /** How many leaveCheckpoints() are in force. */
  private checkpointers = 0;
  /** The connection to the store's full-text index, a file of its own (fts.ts), once setSearchIndex() was called. */
  private index: Db | null = null;

  constructor(private readonly file: string) {
    this.raw = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    this.raw.pragma('journal_mode = WAL');
    this.raw.pragma('synchronous = FULL');
    this.raw.pragma('foreign_keys = ON');
    this.raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.transaction = this.raw.transaction((fn: () => unknown) => fn());
  }

  /** stmt returns the cached prepared statement for `sql`, preparing it on first use. */
  stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.raw.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /** get runs `sql` and returns its first row, or undefined. */
  get<T>(sql: string, ...params: SqlValue[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  /** all runs `sql` and returns every row. */
  all<T>(sql: string, ...params: SqlValue[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  /**
   * rows runs `sql` and returns every row as an array of its columns in SELECT order: cheaper than `all`'s
   * objects where a query returns 100,000s of rows.
   */
  rows<T extends unknown[]>(sql: string, ...params: SqlValue[]): T[] {
    let s = this.rawCache.get(sql);
    if (!s) {
      s = this.raw.prepare(sql).raw(true);
      this.rawCache.set(sql, s);
    }
    return s.all(...params) as T[];
  }

  /** run executes a statement that returns no rows; returns the number of rows changed. */
  run(sql: string, ...params: SqlValue[]): number {
    return this.stmt(sql).run(...params).changes;
  }

  /**
   * write runs `fn` in one IMMEDIATE transaction (the write lock is taken at BEGIN, so two processes never
   * deadlock upgrading a read lock) and commits it; if `fn` throws, everything is rolled back.
   */
  write<T>(fn: () => T): T {
    return this.transaction.immediate(fn) as T;
  }

  /**
   * tryWrite is write() that does not wait for the write lock: when another connection holds it (another
   * worker's or a tool's transaction), it returns null at once, having run nothing, where write() would sleep
   * on the event loop's thread for up to the busy timeout. Otherwise it returns `{ value }`, what `fn`
   * returned, once committed. `fn` runs with the usual busy timeout. Throws as write().
   */
  tryWrite<T>(fn: () => T): { value: T } | null {
    let ran = false;
    const waitForLocks = (ms: number): unknown => this.stmt(`PRAGMA busy_timeout = ${ms}`).get();
    waitForLocks(0);
    try {
      const value = this.transaction.immediate(() => {
        ran = true;
        waitForLocks(BUSY_TIMEOUT_MS);
        return fn();
      }) as T;
      return { value };
    } catch (err) {
      if (!ran && (err as { code?: string }).code === 'SQLITE_BUSY') return null;
      throw err;
    } finally {
      if (!ran) waitForLocks(BUSY_TIMEOUT_MS);
    }
  }

  /**
   * snapshot runs `fn` in one DEFERRED transaction, so its reads see one snapshot; inside a transaction it
   * runs `fn` as a savepoint (rolled back alone if `fn` throws).
   */
  snapshot<T>(fn: () => T): T {
    return (this.raw.inTransaction ? this.transaction(fn) : this.transaction.deferred(fn)) as T;
  }

  /**
   * writeUnsynced is write() for state that may be lost in a power cut (the indexer taking bodies off its
   * queue, fts.ts): the commit waits for no fsync (synchronous=NORMAL for this one transaction). It is in
   * the WAL, so it survives the process being killed, and the next synchronous commit makes it durable.
   * Must not be called inside a transaction.
   */
  writeUnsynced<T>(fn: () => T): T {
    if (this.background) return this.write(fn);
    // Cached statements: pragma() would prepare both anew at every claim.
    this.stmt('PRAGMA synchronous = NORMAL').run();
    try {
      return this.write(fn);
    } finally {
      this.stmt('PRAGMA synchronous = FULL').run();
    }
  }

  /**
   * syncInBackground switches the connection to commits that wait for no fsync (synchronous=NORMAL), after
   * which a write is durable once durable() has resolved. For a file database only (":memory:" has no WAL).
   */
  syncInBackground(): void {
    if (this.file === ':memory:' || this.file === '') return;
    this.raw.pragma('synchronous = NORMAL');
    this.background = true;
    this.wal = new WalSync(`${this.file}-wal`);
  }

  /**
   * durable resolves once every commit made before the call is on disk: at once without syncInBackground;
   * with it, after an fsync of the WAL that started after the call (one fsync serves every commit before
   * it). Rejects with the fsync's error (EIO: the disk failed; the commits may be lost).
   */
  durable(): Promise<void> {
    return this.wal ? this.wal.sync() : Promise.resolve();
  }

  /**
   * leaveCheckpoints hands this connection's WAL checkpoints to another thread (the indexer's, fts-thread.ts,
   * which runs them with checkpoint()) until the returned function is called: a commit of this connection
   * then checkpoints only past `backstopFrames` frames (pages) of WAL, should that thread fall behind,
   * instead of SQLite's 1000 (PRAGMA wal_autocheckpoint). Calls nest; the last release restores 1000.
   */
  leaveCheckpoints(backstopFrames: number): () => void {
    if (this.checkpointers++ === 0) this.raw.pragma(`wal_autocheckpoint = ${Math.max(1, Math.floor(backstopFrames))}`);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.checkpointers === 0 && this.raw.open) this.raw.pragma('wal_autocheckpoint = 1000');
    };
  }

  /**
   * checkpoint runs a PASSIVE checkpoint (https://sqlite.org/c3ref/wal_checkpoint_v2.html): copies the WAL's
   * frames that no reader still needs into the database file and fsyncs it, waiting for no lock, so writers
   * go on meanwhile. Throws what SQLite throws (SQLITE_IOERR).
   */
  checkpoint(): void {
    this.raw.pragma('wal_checkpoint(PASSIVE)');
  }

  /** dataVersion is SQLite's PRAGMA data_version: it changes when another connection commits. */
  dataVersion(): number {
    return this.stmt('PRAGMA data_version').pluck().get() as number;
  }

  /** setSearchIndex gives this store connection the connection to its full-text index (fts.ts openSearchIndex); close() closes it too. */
  setSearchIndex(index: Db): void {
    this.index = index;
  }

  /** searchIndex returns the connection to the store's full-text index. Throws Error when none was set. */
  searchIndex(): Db {
    if (!this.index) throw new Error('no full-text index connection: the store was opened without openSearchIndex');
    return this.index;
  }

  /** file is the path of the database (":memory:" for a private in-memory one). */
  get path(): string {
    return this.file;
  }

  /** close closes the connection and its index's; later calls throw. */
  close(): void {
    this.index?.close();
    this.index = null;
    this.wal?.close();
    this.cache.clear();
    this.rawCache.clear();
    if (this.raw.open) this.raw.close();
  }
}

/**
 * WalSync fsyncs a WAL file on libuv's thread pool. Each sync() is answered by an fsync that starts after it
 * was asked for: the running one may have started before the caller's commit, so callers arriving while one
 * runs share the next. The file is opened read-only (Linux fsyncs a file through any descriptor) and opened
 * again when SQLite has replaced it (another inode at the path).
 */
class WalSync {
  private fd: number | null = null;
  private ino = -1;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly path: string) {}

  sync(): Promise<void> {
    if (this.next) return this.next;
    if (!this.running) return (this.running = this.start());
    const after = (): Promise<void> => {
      this.next = null;
      return (this.running = this.start());
    };
    return (this.next = this.running.then(after, after));
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let fd: number;
      try {
        fd = this.open();
      } catch (err) {
        this.running = null;
        // No WAL file (nothing written since a checkpoint removed it): nothing to make durable.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return resolve();
        return reject(err);
      }
      fsync(fd, (err) => {
        this.running = null;
        if (err) reject(err);
        else resolve();
      });
    });
  }

  private open(): number {
    const ino = statSync(this.path).ino;
    if (this.fd !== null && ino === this.ino) return this.fd;
    this.close();
    this.fd = openSync(this.path, 'r');
    this.ino = fstatSync(this.fd).ino;
    return this.fd;
  }
}

/**
 * lockedError is the error of a write that found the write lock taken by another connection for longer
 * than BUSY_TIMEOUT_MS: the store is unavailable for now (IMAP answers NO [UNAVAILABLE], the CLI exits 69),
 * with SQLite's code SQLITE_BUSY (`letterbox deliver` exits 75, so the MTA tries again).
 */
export function lockedError(): StorageUnavailableError {
  return Object.assign(new StorageUnavailableError(`the database is busy: another connection has held its write lock for ${BUSY_TIMEOUT_MS / 1000} s`), {
    code: 'SQLITE_BUSY',
  });
}

/**
 * idList encodes UIDs or ids as a JSON array for `IN (SELECT value FROM json_each(?))`: one cached
 * statement for any number of ids, each looked up through the index (PostgreSQL: `= ANY($n)`).
 */
export function idList(ids: readonly number[]): string {
  return JSON.stringify(ids.filter((n) => Number.isInteger(n) && n > 0));
}
