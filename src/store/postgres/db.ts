/**
 * The PostgreSQL connection pool: queries with SQLite-style `?` placeholders (so the SQL of the two
 * backends stays side by side), BIGINT read as JavaScript numbers, and write transactions that send
 * their change notifications (NOTIFY) before COMMIT.
 * Every other file of the backend talks to PostgreSQL through a Db or a Tx.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { SqlValue } from '../mail/rule.js';
export { StorageUnavailableError } from '../types.js';
export { redactUrl } from './url.js';

/** NOTIFY_CHANNEL is the LISTEN/NOTIFY channel every node of one database shares. */
export const NOTIFY_CHANNEL = 'letterbox_changes';

/** CONTROL_CHANNEL carries control messages (Store.sendControl) as JSON, to every node, the sender's included. */
export const CONTROL_CHANNEL = 'letterbox_control';

// BIGINT (20) and NUMERIC (1700, what SUM of a BIGINT gives) as numbers: every value we store is below 2^53.
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 || oid === 1700 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** clientConfig is the pg connection config for `url` with Letterbox's type parsers; `name` becomes application_name. */
export function clientConfig(url: string, name: string): pg.ClientConfig {
  return { connectionString: url, types: TYPES, application_name: name, keepAlive: true };
}

const converted = new Map<string, string>();

/** toPg rewrites `?` placeholders to `$1`, `$2`, ... (the SQL of this backend never has a literal `?`). */
export function toPg(sql: string): string {
  let out = converted.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    converted.set(sql, out);
  }
  return out;
}

/**
 * PREPARED_MAX: how many distinct statements a process sends as named prepared statements. A named
 * statement is parsed once per connection and its plan may be kept, which takes 25 to 35 % off a short
 * statement's time here (a FETCH of 100 envelopes at 100,000 messages: 1.0 against 0.7 ms). Statements
 * built from a client's input (SEARCH) vary, so the names stop at this many: the rest are sent unnamed,
 * and each connection keeps at most this many statements.
 */
const PREPARED_MAX = 500;
const prepared = new Map<string, string>();

/**
 * queryConfig is the pg query for `sql` (with `?` placeholders): named (prepared) while fewer than
 * PREPARED_MAX have been named. A statement without parameters is left unnamed: pg sends it as a simple
 * query, which may hold several statements (the migrations' scripts).
 */
function queryConfig(sql: string, params: readonly SqlValue[], rowMode?: 'array'): pg.QueryConfig {
  const text = toPg(sql);
  let name = prepared.get(text);
  if (name === undefined && params.length > 0 && prepared.size < PREPARED_MAX) {
    name = `letterbox_${prepared.size}`;
    prepared.set(text, name);
  }
  return { text, values: params as unknown[], ...(name !== undefined ? { name } : {}), ...(rowMode ? { rowMode } : {}) };
}

/** Q is what reads and writes go through: the pool (one statement, autocommit) or a transaction. */
export interface Q {
  /** get runs `sql` and returns its first row, or undefined. */
  get<T>(sql: string, ...params: SqlValue[]): Promise<T | undefined>;
  /** all runs `sql` and returns every row. */
  all<T>(sql: string, ...params: SqlValue[]): Promise<T[]>;
  /** rows runs `sql` and returns every row as an array of its columns in SELECT order. */
  rows<T extends unknown[]>(sql: string, ...params: SqlValue[]): Promise<T[]>;
  /** run executes a statement; returns the number of rows it changed. */
  run(sql: string, ...params: SqlValue[]): Promise<number>;
}

class Queries implements Q {
  constructor(protected readonly c: pg.Pool | pg.PoolClient) {}

  async get<T>(sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    return (await this.c.query(queryConfig(sql, params))).rows[0] as T | undefined;
  }

  async all<T>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    return (await this.c.query(queryConfig(sql, params))).rows as T[];
  }

  async rows<T extends unknown[]>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    return (await this.c.query(queryConfig(sql, params, 'array'))).rows as T[];
  }

  async run(sql: string, ...params: SqlValue[]): Promise<number> {
    return (await this.c.query(queryConfig(sql, params))).rowCount ?? 0;
  }
}

/** Tx is one open transaction on one pooled connection. */
export class Tx extends Queries {
  /** changes are the (account, mailbox) pairs this transaction changed, for NOTIFY and the local listeners. */
  readonly changes: Array<[number, number | null]> = [];

  /** notify records that the transaction changed mailbox `mailboxId` (null: the account's mailbox list) of the account. */
  notify(accountId: number, mailboxId: number | null): void {
    if (!this.changes.some(([a, m]) => a === accountId && m === mailboxId)) this.changes.push([accountId, mailboxId]);
  }
}

// Deadlock and serialization failure: PostgreSQL rolled the transaction back; running it again is safe.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

/**
 * Db wraps a pg.Pool. Transactions run at READ COMMITTED; mutual exclusion comes from row locks
 * (SELECT ... FOR UPDATE on the mailbox row for UIDs and modseqs, on the account row for its counters and
 * bodies), taken mailbox first, account second. A transaction that still deadlocks is retried.
 */
export class Db extends Queries {
  /** onCommit is told of each committed write transaction: seconds from BEGIN to the end of COMMIT, and 1 write. */
  onCommit: ((seconds: number, writes: number) => void) | null = null;
  /** afterCommit is called with each change of a committed write transaction (the node's own listeners). */
  afterCommit: (accountId: number, mailboxId: number | null) => void = () => {};
  /** nodeId names this process in NOTIFY payloads, so it can ignore its own notifications. */
  readonly nodeId: string;

  constructor(
    readonly pool: pg.Pool,
    readonly url: string,
    nodeId: string,
  ) {
    super(pool);
    this.nodeId = nodeId;
  }

  /**
   * write runs `fn` in one transaction and commits it; if `fn` throws, everything is rolled back. The
   * changes recorded with tx.notify are sent with pg_notify inside the transaction (PostgreSQL delivers
   * them at COMMIT, and only if it commits), then given to afterCommit.
   */
  async write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      const tx = new Tx(client);
      let result: T;
      const started = performance.now();
      try {
        await client.query('BEGIN');
        result = await fn(tx);
        for (const [a, m] of tx.changes) {
          await client.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, `${this.nodeId}:${a}:${m ?? ''}`]);
        }
        await client.query('COMMIT');
      } catch (err) {
        let broken = false;
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection is gone; do not return it to the pool
        }
        client.release(broken);
        if (attempt < MAX_ATTEMPTS && RETRYABLE.has((err as { code?: string }).code ?? '')) continue;
        throw err;
      }
      client.release();
      this.onCommit?.((performance.now() - started) / 1000, 1);
      for (const [a, m] of tx.changes) this.afterCommit(a, m);
      return result;
    }
  }

  /** read runs `fn` in one REPEATABLE READ, READ ONLY transaction: every statement sees the same snapshot. */
  async read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await fn(new Tx(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** close ends every pooled connection. */
  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** POOL_SIZE is the most connections one node opens for queries (the listener is one more). */
export const POOL_SIZE = 10;

/** openPool creates the pool for `url`; errors of idle connections (a restarted server) are logged, not thrown. */
export function openPool(url: string, nodeId: string, log?: Logger): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(url, `letterbox ${nodeId}`), max: POOL_SIZE, idleTimeoutMillis: 30_000 });
  pool.on('error', (err) => log?.warn({ err }, 'idle PostgreSQL connection failed; the pool replaces it'));
  return pool;
}

/**
 * pgText is `s` as PostgreSQL text can hold it: NUL (which text columns refuse) becomes a space. Used for
 * decoded search text only, where a NUL cannot be searched for (IMAP strings cannot contain one) and a
 * space keeps the words on either side apart as the NUL did.
 */
export function pgText(s: string): string {
  return s.includes('\0') ? s.replace(/\0/g, ' ') : s;
}

