/**
 * The PostgreSQL backend of Store, for running several stateless Letterbox nodes on one database: a
 * connection pool for queries, one listening connection for other nodes' changes, bodies in a BlobStore.
 * The Store itself is the shared facade (mail/store.ts) over this backend's driver (driver.ts).
 *
 * Folder rule: src/store/postgres may import src/store/* shared files and src/store/mail (rules, dialect
 * and driver interfaces), src/mime and src/protocol; never src/store/sqlite, src/imap or anything above
 * the store. It holds the driver, dialect SQL, schema, migrations, LISTEN/NOTIFY, the blob store and the
 * pg_trgm index, nothing that decides mail semantics.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { controlAfter, lastControlId } from '../mail/control.js';
import { MailStore } from '../mail/store.js';
import type { CommitObserver, QuotaDefaults } from '../types.js';
import { PgBlobStore } from './blobs.js';
import { Db, openPool, redactUrl, StorageUnavailableError } from './db.js';
import { postgresDialect } from './dialect.js';
import { analyzeTables, PgDriver, runRule } from './driver.js';
import { migrate } from './migrations.js';
import { Notifier } from './notify.js';

export { analyzeTables };

/** PostgresStore is the Store facade over a PgDriver, which tests reach for its listening connection. */
export class PostgresStore extends MailStore {
  constructor(
    private readonly pg: PgDriver,
    quotaDefaults: QuotaDefaults,
  ) {
    super(pg, quotaDefaults);
  }

  /** listenerName is the application_name of this node's LISTEN connection (tests terminate it to test reconnection). */
  get listenerName(): string {
    return this.pg.listenerName;
  }
}

/**
 * openPostgresStore connects to the PostgreSQL database at `url` (postgres://user:password@host:port/db),
 * brings its schema up to date, starts listening for other nodes' changes and returns the Store.
 * Throws Error (naming the URL without its password) if PostgreSQL cannot be reached, or if the schema is
 * newer than this code. `quota` is the limits of accounts without their own (default: none).
 */
export async function openPostgresStore(url: string, opts: { log?: Logger; quota?: QuotaDefaults; onCommit?: CommitObserver } = {}): Promise<PostgresStore> {
  const nodeId = randomBytes(6).toString('hex');
  const db = new Db(openPool(url, nodeId, opts.log), url, nodeId);
  db.onCommit = opts.onCommit ?? null;
  const notifier = new Notifier(url, nodeId, { last: () => runRule(db, lastControlId()), after: (afterId, since) => runRule(db, controlAfter(afterId, since)) }, opts.log);
  try {
    const from = await migrate(db, opts.log);
    opts.log?.debug({ url: redactUrl(url), schemaVersionAtOpen: from }, 'postgres store open');
    await notifier.start();
  } catch (err) {
    await notifier.close();
    await db.close().catch(() => {});
    throw describeConnectError(err, url);
  }
  return new PostgresStore(new PgDriver(db, notifier, postgresDialect(new PgBlobStore(db)), opts.log), opts.quota ?? { storage: null, messages: null });
}

/** describeConnectError turns a connection failure into a StorageUnavailableError saying where it tried to connect; others pass unchanged. */
export function describeConnectError(err: unknown, url: string): unknown {
  const e = err as { code?: string; message?: string };
  if (typeof e?.message !== 'string') return err;
  const connectCodes = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '28P01', '28000', '3D000'];
  if (!connectCodes.includes(e.code ?? '')) return err;
  return new StorageUnavailableError(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${e.message}`);
}
