/**
 * openStore picks the storage backend named by the configuration.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { openSqliteStore } from './sqlite/store.js';
import type { QuotaDefaults, Store } from './types.js';

/** SQLITE_FILE is the database file name inside the data directory. */
export const SQLITE_FILE = 'letterbox.db';

/**
 * openStore opens the configured backend: for "sqlite", `<dataDir>/letterbox.db` (dataDir created with mode
 * 0700 if missing; the schema migrated). Throws Error when the store cannot be opened or its schema is newer
 * than this code. `config.quota` gives the limits of accounts without their own (none when absent).
 */
export async function openStore(config: { dataDir: string; storage: { kind: 'sqlite' }; quota?: QuotaDefaults }, log?: Logger): Promise<Store> {
  const kind: string = config.storage.kind;
  if (kind !== 'sqlite') throw new Error(`unknown storage kind ${JSON.stringify(kind)}`);
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  return openSqliteStore(join(config.dataDir, SQLITE_FILE), { log, quota: config.quota });
}
