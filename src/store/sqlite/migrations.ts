/**
 * Forward-only schema migrations, applied in one transaction when the store opens.
 * To change the schema, append a migration; never edit one that has shipped.
 */
import type { Logger } from 'pino';
import type { Db } from './db.js';
import { RECOUNT_USAGE_SQL } from '../quota-rules.js';
import { backfillIndex, FTS_FILE_MIGRATION, FTS_QUEUE_SCHEMA, FTS_SCHEMA } from './fts.js';
import { BODY_PURGE_SCHEMA, CONTROL_SCHEMA, ENVELOPES_SCHEMA, PENALTY_SCHEMA, SCHEMA_V1, SIEVE_SCHEMA } from './schema.js';
import { NODES_SCHEMA } from '../nodes-sql.js';
import { insertEnvelopeText } from '../mail/bodies.js';
import { runRule } from './rules.js';
import type { Envelope } from '../../mime/types.js';
import { parseSentDate } from '../../mime/sent-date.js';
import { mayHoldOctets, reparse } from '../header-octets.js';

/** Migration is one schema step: `sql` takes the database from version - 1 to `version`, then `backfill` (if any) fills what SQL cannot. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
  backfill?: (db: Db) => void;
}

/** MIGRATIONS is every schema step in order; versions are 1, 2, 3, ... without gaps. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'initial schema', sql: SCHEMA_V1 },
  {
    version: 2,
    description: 'per-account quota limits and usage (RFC 9208)',
    // quota_*: the account's own limit (octets / messages); NULL = the server default, -1 = no limit.
    // *_used: kept up to date by every write in the same transaction; recounted here once for existing mail.
    sql: `
ALTER TABLE accounts ADD COLUMN quota_storage INTEGER;
ALTER TABLE accounts ADD COLUMN quota_messages INTEGER;
ALTER TABLE accounts ADD COLUMN storage_used INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN messages_used INTEGER NOT NULL DEFAULT 0;
${RECOUNT_USAGE_SQL};
`,
  },
  { version: 3, description: 'full-text index for SEARCH', sql: FTS_SCHEMA, backfill: backfillIndex },
  {
    version: 4,
    description: 'Date header index for SORT',
    // SORT (DATE) reads every message's Date header: from this index SQLite answers without visiting the
    // bodies rows, whose message bytes spread them over many pages (getSortRecords names it).
    sql: `CREATE INDEX IF NOT EXISTS bodies_date ON bodies (account_id, id, json_extract(envelope, '$.date'));`,
  },
  {
    version: 5,
    description: 'sent date of every message beside its UID, and ENVELOPE text per body, for SORT and FETCH',
    // SORT (DATE) reads one range of the messages primary key instead of parsing every Date header:
    // bodies.sent_date is recomputed by the rules SORT uses (mime/sent-date.ts) and copied to messages.
    // FETCH ENVELOPE copies the text kept in envelopes (narrow rows, unlike bodies, whose rows hold the
    // message bytes) instead of parsing and encoding JSON. Migration 4's index is no longer read.
    sql: `
ALTER TABLE messages ADD COLUMN sent_date INTEGER;
${ENVELOPES_SCHEMA}
DROP INDEX IF EXISTS bodies_date;
`,
    backfill: backfillVersion5,
  },
  {
    version: 6,
    description: '\\Recent: the lowest UID no session has claimed as recent, per mailbox',
    // RFC 3501 section 2.3.2: a message is \Recent in the one session that first learns of it. The mail
    // already stored when this runs is not recent to anyone.
    sql: `
ALTER TABLE mailboxes ADD COLUMN first_recent_uid INTEGER NOT NULL DEFAULT 1;
UPDATE mailboxes SET first_recent_uid = uid_next;
`,
  },
  {
    version: 7,
    description: 'header bytes that are not UTF-8 kept as they are in ENVELOPE and BODYSTRUCTURE',
    sql: '',
    backfill: backfillVersion7,
  },
  {
    version: 8,
    description: 'login penalty shared by every process, and control messages between processes',
    // auth_penalty: the failed-login penalty (auth/penalty.ts), so `letterbox penalty` sees the server's.
    // session_control: messages such as "end the sessions of account N" from `letterbox user delete`.
    sql: PENALTY_SCHEMA + CONTROL_SCHEMA,
  },
  {
    version: 9,
    description: 'running servers, for letterbox who and for commands that must not run beside a server',
    // server_nodes: each server's heartbeat and its answer to `letterbox who` (sessions/presence.ts).
    sql: NODES_SCHEMA,
  },
  {
    version: 10,
    description: 'Sieve scripts (ManageSieve) and the vacation and duplicate tracking of their runs',
    // sieve_scripts: each user's scripts, at most one active (RFC 5804); sieve_tracking: keys with expiry.
    sql: SIEVE_SCHEMA,
  },
  {
    version: 11,
    description: 'the full-text index written in the background: queues of bodies to index and to remove',
    // fts_pending, fts_removed (fts.ts): APPEND queues, the serving processes index in batches.
    sql: FTS_QUEUE_SCHEMA,
  },
  {
    version: 12,
    description: 'the full-text index in a file of its own, written by one indexer thread; every body queued for it',
    // fts.ts: letterbox-search.db beside letterbox.db, fts_state's token matched against the file's.
    sql: FTS_FILE_MIGRATION,
  },
  {
    version: 13,
    description: 'bodies left without a message deleted by the upkeep thread, not by the expunge',
    // body_purge (schema.ts): queued by removeMessages and deleteMailbox, emptied by purgeBodies.
    sql: BODY_PURGE_SCHEMA,
  },
];

/** backfillVersion7 parses again every body whose stored header text may hold 8-bit bytes (store/header-octets.ts). */
function backfillVersion7(db: Db): void {
  const next = db.raw
    .prepare(
      `SELECT account_id, id, envelope, structure FROM bodies
        WHERE account_id > ? OR (account_id = ? AND id > ?) ORDER BY account_id, id LIMIT 2000`,
    )
    .raw(true);
  let after: [number, number] = [0, 0];
  for (;;) {
    const rows = next.all(after[0], after[0], after[1]) as Array<[number, number, string, string]>;
    if (rows.length === 0) break;
    for (const [account, id, envelope, structure] of rows) {
      if (!mayHoldOctets(envelope, structure)) continue;
      const r = reparse(db.get<{ data: Buffer }>('SELECT data FROM bodies WHERE account_id = ? AND id = ?', account, id)!.data);
      db.run('UPDATE bodies SET envelope = ?, structure = ? WHERE account_id = ? AND id = ?', r.envelope, r.structure, account, id);
      db.run('DELETE FROM envelopes WHERE account_id = ? AND body_id = ?', account, id);
      if (r.envelopeText !== null) db.run('INSERT INTO envelopes (account_id, body_id, text) VALUES (?, ?, ?)', account, id, r.envelopeText);
    }
    after = [rows[rows.length - 1]![0], rows[rows.length - 1]![1]];
  }
}

/**
 * backfillVersion5 sets bodies.sent_date by parseSentDate, copies it to every message of the body, and
 * stores each body's ENVELOPE text (migration 5).
 */
function backfillVersion5(db: Db): void {
  // In batches by key: better-sqlite3 allows no write while a read is being iterated.
  const next = db.raw
    .prepare(
      `SELECT account_id, id, envelope FROM bodies
        WHERE account_id > ? OR (account_id = ? AND id > ?) ORDER BY account_id, id LIMIT 2000`,
    )
    .raw(true);
  const update = db.raw.prepare('UPDATE bodies SET sent_date = ? WHERE account_id = ? AND id = ?');
  let after: [number, number] = [0, 0];
  for (;;) {
    const rows = next.all(after[0], after[0], after[1]) as Array<[number, number, string]>;
    if (rows.length === 0) break;
    for (const [account, id, json] of rows) {
      const envelope = JSON.parse(json) as Envelope;
      update.run(parseSentDate(envelope.date), account, id);
      runRule(db, insertEnvelopeText(account, id, envelope));
    }
    after = [rows[rows.length - 1]![0], rows[rows.length - 1]![1]];
  }
  db.raw.exec('UPDATE messages SET sent_date = (SELECT b.sent_date FROM bodies b WHERE b.account_id = messages.account_id AND b.id = messages.body_id)');
}

/** SCHEMA_VERSION is the schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * migrate brings the database to SCHEMA_VERSION in one transaction (a crash leaves the old version intact)
 * and returns the version it was at. Throws Error if the database was written by a newer Letterbox
 * (its schema may mean something this code does not know).
 */
export function migrate(db: Db, log?: Logger): number {
  return db.write(() => {
    db.raw.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.get<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_version');
    const from = row?.version ?? 0;
    if (from > SCHEMA_VERSION) {
      throw new Error(
        `database schema version ${from} is newer than this Letterbox understands (${SCHEMA_VERSION}); upgrade Letterbox`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= from) continue;
      log?.info({ version: m.version, description: m.description }, 'applying database migration');
      db.raw.exec(m.sql);
      m.backfill?.(db);
    }
    if (from < SCHEMA_VERSION) {
      db.run('DELETE FROM schema_version');
      db.run('INSERT INTO schema_version (version) VALUES (?)', SCHEMA_VERSION);
    }
    return from;
  });
}
