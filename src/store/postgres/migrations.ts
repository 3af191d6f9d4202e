/**
 * Forward-only schema migrations of the PostgreSQL backend, applied in one transaction when a node opens
 * the store (or by `letterbox migrate`). Nodes starting together take an advisory lock, so one migrates
 * and the others then find the schema current. To change the schema, append a migration; never edit one
 * that has shipped.
 */
import type { Logger } from 'pino';
import type { Db, Tx } from './db.js';
import { RECOUNT_USAGE_SQL } from '../quota-rules.js';
import { BODY_PURGE_SCHEMA, CONTROL_SCHEMA, ENVELOPES_SCHEMA, PENALTY_SCHEMA, SCHEMA_V1, SIEVE_SCHEMA } from './schema.js';
import type { Envelope } from '../../mime/types.js';
import { storedEnvelopeText } from '../../protocol/envelope.js';
import { createSearchIndex } from './search.js';
import { NODES_SCHEMA } from '../nodes-sql.js';
import { parseSentDate } from '../../mime/sent-date.js';
import { mayHoldOctets, reparse } from '../header-octets.js';

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
  // As SQLite's migration 5: SORT (DATE) reads messages.sent_date instead of parsing every Date header, and
  // FETCH ENVELOPE copies the text in envelopes.
  { version: 4, description: 'sent date of every message beside its UID, and ENVELOPE text per body, for SORT and FETCH', run: addVersion4 },
  {
    version: 5,
    description: '\\Recent: the lowest UID no session has claimed as recent, per mailbox',
    // As SQLite's migration 6: the mail already stored when this runs is not recent to anyone.
    sql: `
ALTER TABLE mailboxes ADD COLUMN first_recent_uid BIGINT NOT NULL DEFAULT 1;
UPDATE mailboxes SET first_recent_uid = uid_next;
`,
  },
  // As SQLite's migration 7.
  { version: 6, description: 'header bytes that are not UTF-8 kept as they are in ENVELOPE and BODYSTRUCTURE', run: addVersion6 },
  // As SQLite's migration 8, without session_control (migration 9 adds it).
  { version: 7, description: 'login penalty shared by every node', sql: PENALTY_SCHEMA },
  // As SQLite's migration 9.
  { version: 8, description: 'running nodes, for letterbox who', sql: NODES_SCHEMA },
  // SQLite has had session_control since its migration 8; here NOTIFY alone carried control messages, and one
  // sent while a node's LISTEN connection was reconnecting never reached that node.
  { version: 9, description: 'control messages kept for nodes that were not listening', sql: CONTROL_SCHEMA },
  { version: 10, description: 'Sieve scripts (ManageSieve) and the vacation and duplicate tracking of their runs', sql: SIEVE_SCHEMA },
  // As SQLite's migration 13.
  { version: 11, description: 'bodies left without a message deleted by the upkeep, not by the expunge', sql: BODY_PURGE_SCHEMA },
];

/** addVersion6 parses again every body whose stored header text may hold 8-bit bytes (store/header-octets.ts). */
async function addVersion6(tx: Tx): Promise<void> {
  let after = { account: 0, body: 0 };
  for (;;) {
    const rows = await tx.all<{ account_id: number; id: number; hash: string; envelope: string; structure: string }>(
      `SELECT account_id, id, hash, envelope, structure FROM bodies
        WHERE (account_id, id) > (?, ?) ORDER BY account_id, id LIMIT ${VERSION4_BATCH}`,
      after.account,
      after.body,
    );
    if (rows.length === 0) break;
    for (const b of rows) {
      if (!mayHoldOctets(b.envelope, b.structure)) continue;
      const blob = await tx.get<{ data: Buffer }>('SELECT data FROM blobs WHERE account_id = ? AND key = ?', b.account_id, b.hash);
      if (!blob) continue; // bytes kept outside the database (another BlobStore): left as they are
      const r = reparse(blob.data);
      await tx.run('UPDATE bodies SET envelope = ?, structure = ? WHERE account_id = ? AND id = ?', r.envelope, r.structure, b.account_id, b.id);
      await tx.run('DELETE FROM envelopes WHERE account_id = ? AND body_id = ?', b.account_id, b.id);
      if (r.envelopeText !== null) {
        await tx.run('INSERT INTO envelopes (account_id, body_id, text) VALUES (?, ?, ?)', b.account_id, b.id, r.envelopeText);
      }
    }
    const last = rows[rows.length - 1]!;
    after = { account: last.account_id, body: last.id };
  }
}

/** Bodies read per statement by addVersion4. */
const VERSION4_BATCH = 2000;

/**
 * addVersion4 is migration 4: messages.sent_date, filled from bodies.sent_date after that is recomputed by
 * the rules SORT uses (mime/sent-date.ts) from each envelope's Date header; and the envelopes table, filled
 * from each body's envelope.
 */
async function addVersion4(tx: Tx): Promise<void> {
  await tx.run('ALTER TABLE messages ADD COLUMN sent_date BIGINT');
  await tx.run(ENVELOPES_SCHEMA);
  let after = { account: 0, body: 0 };
  for (;;) {
    const rows = await tx.all<{ account_id: number; id: number; envelope: string }>(
      `SELECT account_id, id, envelope FROM bodies
        WHERE (account_id, id) > (?, ?) ORDER BY account_id, id LIMIT ${VERSION4_BATCH}`,
      after.account,
      after.body,
    );
    if (rows.length === 0) break;
    const envelopes = rows.map((r) => JSON.parse(r.envelope) as Envelope);
    await tx.run(
      `UPDATE bodies b SET sent_date = u.sent_date
         FROM UNNEST(?::bigint[], ?::bigint[], ?::bigint[]) AS u (account_id, id, sent_date)
        WHERE b.account_id = u.account_id AND b.id = u.id`,
      rows.map((r) => r.account_id),
      rows.map((r) => r.id),
      envelopes.map((e) => parseSentDate(e.date)),
    );
    const texts = envelopes.map((e) => storedEnvelopeText(e));
    const stored = rows.filter((_, i) => texts[i] !== null);
    await tx.run(
      'INSERT INTO envelopes (account_id, body_id, text) SELECT * FROM UNNEST(?::bigint[], ?::bigint[], ?::text[])',
      stored.map((r) => r.account_id),
      stored.map((r) => r.id),
      texts.filter((t): t is string => t !== null),
    );
    const last = rows[rows.length - 1]!;
    after = { account: last.account_id, body: last.id };
  }
  await tx.run(
    `UPDATE messages m SET sent_date = b.sent_date FROM bodies b
      WHERE b.account_id = m.account_id AND b.id = m.body_id`,
  );
}

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
