/**
 * openStore picks the storage backend named by the configuration. Each backend is loaded when it is
 * opened, so a command on SQLite never loads the PostgreSQL driver and the reverse.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { StorageConfig } from '../config/types.js';
import { redactUrl } from './postgres/url.js';
import type { ChangePeers, CommitObserver, QuotaDefaults, Store } from './types.js';

/** SQLITE_FILE is the database file name inside the data directory. */
export const SQLITE_FILE = 'letterbox.db';

/**
 * openStore opens the configured backend: for "sqlite", `<dataDir>/letterbox.db` (dataDir created with mode
 * 0700 if missing); for "postgres", the database at storage.url. Either way the schema is migrated first.
 * Throws Error when the store cannot be opened or its schema is newer than this code. `config.quota` gives the
 * limits of accounts without their own (none when absent). `onCommit` is told of every durable commit (metrics).
 * `peers` joins the change notifications of the worker processes of one server on SQLite (PostgreSQL's
 * NOTIFY already reaches every process, so it is not used there).
 */
export async function openStore(config: { dataDir: string; storage: StorageConfig; quota?: QuotaDefaults }, log?: Logger, onCommit?: CommitObserver, peers?: ChangePeers): Promise<Store> {
  const storage = config.storage;
  switch (storage.kind) {
    case 'sqlite':
      await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
      return (await import('./sqlite/store.js')).openSqliteStore(join(config.dataDir, SQLITE_FILE), { log, quota: config.quota, onCommit, peers });
    case 'postgres':
      return (await import('./postgres/store.js')).openPostgresStore(storage.url, { log, quota: config.quota, onCommit });
    default:
      throw new Error(`unknown storage kind ${JSON.stringify((storage as { kind: unknown }).kind)}`);
  }
}

/** describeStorage names the backend for messages: "SQLite in DIR/letterbox.db" or the URL without its password. */
export function describeStorage(config: { dataDir: string; storage: StorageConfig }): string {
  if (config.storage.kind === 'sqlite') return `SQLite in ${join(config.dataDir, SQLITE_FILE)}`;
  return `PostgreSQL at ${redactUrl(config.storage.url)}`;
}

/**
 * migrateStore brings the configured store's schema up to date without opening it for mail (what
 * `letterbox migrate` runs; serve and the other commands do the same on open) and returns the schema
 * version before and after. Throws Error when the store cannot be reached or its schema is newer than this code.
 */
export async function migrateStore(config: { dataDir: string; storage: StorageConfig }, log?: Logger): Promise<{ from: number; to: number }> {
  if (config.storage.kind === 'sqlite') {
    const { openSqliteStore } = await import('./sqlite/store.js');
    const { Db: SqliteDb } = await import('./sqlite/db.js');
    const { migrate: migrateSqlite, SCHEMA_VERSION: SQLITE_SCHEMA_VERSION } = await import('./sqlite/migrations.js');
    const file = join(config.dataDir, SQLITE_FILE);
    if (!existsSync(file)) {
      // A new file goes through openSqliteStore, which gives it (and the directory) their private modes.
      await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
      await (await openSqliteStore(file, { log })).close();
      return { from: 0, to: SQLITE_SCHEMA_VERSION };
    }
    const db = new SqliteDb(file);
    try {
      return { from: migrateSqlite(db, log), to: SQLITE_SCHEMA_VERSION };
    } finally {
      db.close();
    }
  }
  const { Db: PgDb, openPool } = await import('./postgres/db.js');
  const { migrate: migratePostgres, SCHEMA_VERSION: PG_SCHEMA_VERSION } = await import('./postgres/migrations.js');
  const { describeConnectError } = await import('./postgres/store.js');
  const db = new PgDb(openPool(config.storage.url, 'migrate', log), config.storage.url, 'migrate');
  try {
    return { from: await migratePostgres(db, log), to: PG_SCHEMA_VERSION };
  } catch (err) {
    throw describeConnectError(err, config.storage.url);
  } finally {
    await db.close();
  }
}
