/**
 * openStore picks the storage backend named by the configuration.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { StorageConfig } from '../config/types.js';
import { openPostgresStore } from './postgres/store.js';
import { openSqliteStore } from './sqlite/store.js';
import type { Store } from './types.js';

/** SQLITE_FILE is the database file name inside the data directory. */
export const SQLITE_FILE = 'letterbox.db';

/**
 * openStore opens the configured backend: for "sqlite", `<dataDir>/letterbox.db` (dataDir created with mode
 * 0700 if missing); for "postgres", the database at storage.url. Either way the schema is migrated first.
 * Throws Error when the store cannot be opened or its schema is newer than this code.
 */
export async function openStore(config: { dataDir: string; storage: StorageConfig }, log?: Logger): Promise<Store> {
  const storage = config.storage;
  switch (storage.kind) {
    case 'sqlite':
      await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
      return openSqliteStore(join(config.dataDir, SQLITE_FILE), { log });
    case 'postgres':
      return openPostgresStore(storage.url, { log });
    default:
      throw new Error(`unknown storage kind ${JSON.stringify((storage as { kind: unknown }).kind)}`);
  }
}

/** describeStorage names the backend for messages: "SQLite in DIR/letterbox.db" or the URL without its password. */
export function describeStorage(config: { dataDir: string; storage: StorageConfig }): string {
  if (config.storage.kind === 'sqlite') return `SQLite in ${join(config.dataDir, SQLITE_FILE)}`;
  try {
    const u = new URL(config.storage.url);
    if (u.password) u.password = '***';
    return `PostgreSQL at ${u.toString()}`;
  } catch {
    return 'PostgreSQL';
  }
}
