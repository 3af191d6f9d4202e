/**
 * Forward-only schema migrations of the PostgreSQL backend, applied in one transaction when a node opens
 * the store (or by `letterbox migrate`). Nodes starting together take an advisory lock, so one migrates
 * and the others then find the schema current. To change the schema, append a migration; never edit one
 * that has shipped.
 */
import type { Logger } from 'pino';
import type { Db, Tx } from './db.js';
import { RECOUNT_USAGE_SQL } from './quota.js';
import { SCHEMA_V1 } from './schema.js';
import { createSearchIndex } from './search.js';

/**
 * Migration is one schema step from version - 1 to `version`: `sql`, or `run` where SQL alone cannot
 * (filling a table with text computed in JavaScript).
 */
export interface Migration {
  version: number;
  description: string;
  sql?: string;
  run?: (tx: Tx) => Promise<void>;
}

/** MIGRATIONS is every schema step in order; versions are 1, 2, 3, ... without gaps. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'initial schema', sql: SCHEMA_V1 },
  {
    version: 2,
    description: 'per-account quota limits and usage (RFC 9208)',
    // As SQLite's migration 2. quota_*: the account's own limit (octets / messages); NULL = the server default,
    // -1 = no limit. *_used: kept up to date by every write in the same transaction; recounted here once for
    // existing mail.
    sql: `
ALTER TABLE accounts
  ADD COLUMN quota_storage BIGINT,
  ADD COLUMN quota_messages BIGINT,
  ADD COLUMN storage_used BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN messages_used BIGINT NOT NULL DEFAULT 0;
${RECOUNT_USAGE_SQL};
`,
  },
  // As SQLite's migration 3, with pg_trgm in place of FTS5 (search.ts): CREATE EXTENSION pg_trgm, the
  // search_index table filled from every stored body, then its GIN index.
  { version: 3, description: 'full-text index for SEARCH (pg_trgm)', run: createSearchIndex },
];

/** SCHEMA_VERSION is the schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

// An arbitrary constant naming Letterbox's migration lock among the database's advisory locks ("LBOX").
const MIGRATION_LOCK = 0x4c424f58;

/**
 * migrate brings the database to SCHEMA_VERSION in one transaction (a crash leaves the old version intact)
 * and returns the version it was at. Throws Error if the database was written by a newer Letterbox.
 */
export async function migrate(db: Db, log?: Logger): Promise<number> {
  return db.write(async (tx) => {
    await tx.run('SELECT pg_advisory_xact_lock(?)', MIGRATION_LOCK);
    await tx.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = await tx.get<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_version');
    const from = row?.version ?? 0;
    if (from > SCHEMA_VERSION) {
      throw new Error(
        `database schema version ${from} is newer than this Letterbox understands (${SCHEMA_VERSION}); upgrade Letterbox`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= from) continue;
      log?.info({ version: m.version, description: m.description }, 'applying database migration');
      if (m.sql !== undefined) await tx.run(m.sql);
      await m.run?.(tx);
    }
    if (from < SCHEMA_VERSION) {
      await tx.run('DELETE FROM schema_version');
      await tx.run('INSERT INTO schema_version (version) VALUES (?)', SCHEMA_VERSION);
    }
    return from;
  });
}
