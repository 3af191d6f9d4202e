/**
 * The SQLite connection: pragmas for durability, a prepared-statement cache and write transactions.
 * Every other file of the backend talks to SQLite through a Db.
 */
import Database from 'better-sqlite3';

/** SqlValue is what a statement parameter may be. */
export type SqlValue = number | string | Buffer | null;

/**
 * Db wraps one better-sqlite3 connection.
 * Opening sets journal_mode=WAL, synchronous=FULL (a commit is on disk before it returns, so an
 * acknowledged message survives kill -9 and power loss), foreign_keys=ON and busy_timeout=5000 ms
 * (another process, e.g. `letterbox import`, may hold the write lock briefly).
 */
export class Db {
  /** raw is the underlying connection; use stmt/get/all/run instead where possible. */
  readonly raw: Database.Database;
  private readonly cache = new Map<string, Database.Statement>();
  /** Statements of rows(), set to return arrays (a statement's mode is its own, so they are kept apart). */
  private readonly rawCache = new Map<string, Database.Statement>();
  /** One transaction function that runs the function it is given: transaction() would build one per call. */
  private readonly transaction: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(file: string) {
    this.raw = new Database(file, { timeout: 5000 });
    this.raw.pragma('journal_mode = WAL');
    this.raw.pragma('synchronous = FULL');
    this.raw.pragma('foreign_keys = ON');
    this.raw.pragma('busy_timeout = 5000');
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
   * snapshot runs `fn` in one DEFERRED transaction, so its reads see one snapshot; inside a transaction it
   * runs `fn` as a savepoint (rolled back alone if `fn` throws).
   */
  snapshot<T>(fn: () => T): T {
    return (this.raw.inTransaction ? this.transaction(fn) : this.transaction.deferred(fn)) as T;
  }

  /**
   * writeUnsynced is write() for state that may be lost in a power cut (\Recent claims): the commit waits for
   * no fsync (synchronous=NORMAL for this one transaction). It is in the WAL, so it survives the process being
   * killed, and the next synchronous commit makes it durable. Must not be called inside a transaction.
   */
  writeUnsynced<T>(fn: () => T): T {
    // Cached statements: pragma() would prepare both anew at every claim.
    this.stmt('PRAGMA synchronous = NORMAL').run();
    try {
      return this.write(fn);
    } finally {
      this.stmt('PRAGMA synchronous = FULL').run();
    }
  }

  /** dataVersion is SQLite's PRAGMA data_version: it changes when another connection commits. */
  dataVersion(): number {
    return this.stmt('PRAGMA data_version').pluck().get() as number;
  }

  /** close closes the connection; later calls throw. */
  close(): void {
    this.cache.clear();
    this.rawCache.clear();
    if (this.raw.open) this.raw.close();
  }
}

/**
 * idList encodes UIDs or ids as a JSON array for `IN (SELECT value FROM json_each(?))`: one cached
 * statement for any number of ids, each looked up through the index (PostgreSQL: `= ANY($n)`).
 */
export function idList(ids: readonly number[]): string {
  return JSON.stringify(ids.filter((n) => Number.isInteger(n) && n > 0));
}
