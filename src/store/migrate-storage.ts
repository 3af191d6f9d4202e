/**
 * copySqliteToPostgres: moves an embedded installation (SQLite) to PostgreSQL for scale-out, keeping what
 * clients have cached: UIDVALIDITY, UIDs, UIDNEXT, modseqs and HIGHESTMODSEQ, flags, internal and save
 * dates, subscriptions, password hashes, quota limits and usage (RFC 9208), the expunge history (for QRESYNC),
 * Sieve scripts (which one is active included) and the vacation/duplicate tracking rows. Body ids may change (two
 * SQLite bodies with the same bytes become one); clients never see them.
 *
 * Reads SQLite tables and writes PostgreSQL tables directly (the Store interface hands out new UIDs by
 * design); one PostgreSQL transaction per account, so an interrupted copy leaves whole accounts only.
 */
import type { Logger } from 'pino';
import type { Envelope, MimePart } from '../mime/types.js';
import { contentKey } from './blobs.js';
import { insertEnvelopeText } from './mail/bodies.js';
import type { MailboxRow } from './mail/rows.js';
import { Db as PgDb, openPool, pgText, type Tx } from './postgres/db.js';
import { migrate as migratePostgres } from './postgres/migrations.js';
import { analyzeTables, runRule } from './postgres/driver.js';
import { indexBody } from './postgres/search.js';
import { describeConnectError } from './postgres/store.js';
import { Db as SqliteDb } from './sqlite/db.js';
import { migrate as migrateSqlite } from './sqlite/migrations.js';

/** CopyProgress is reported after each batch: messages copied so far of the total, and the account being copied. */
export interface CopyProgress {
  messages: number;
  totalMessages: number;
  account: string;
}

/** CopySummary is what was copied: accounts, mailboxes, messages, and distinct bodies with their octets. */
export interface CopySummary {
  accounts: number;
  mailboxes: number;
  messages: number;
  bodies: number;
  octets: number;
}

/** StorageCopyError is a refusal to copy (the target already holds some of the accounts); its message says which. */
export class StorageCopyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageCopyError';
  }
}

// Rows per INSERT ... UNNEST statement: large enough to amortise round trips, small enough for memory.
const BATCH = 500;

interface AccountSrc {
  id: number;
  email: string;
  password_hash: string;
  created_at: number;
  last_uid_validity: number;
  next_mailbox_id: number;
  next_body_id: number;
  quota_storage: number | null;
  quota_messages: number | null;
  storage_used: number;
  messages_used: number;
}

interface MessageSrc {
  mailbox_id: number;
  uid: number;
  body_id: number;
  modseq: number;
  sys_flags: number;
  keywords: string;
  internal_date: number;
  save_date: number;
  size: number;
  sent_date: number | null;
}

/**
 * copySqliteToPostgres copies every account of the SQLite database `sqliteFile` into the PostgreSQL
 * database at `pgUrl` (schema created or upgraded first). Throws StorageCopyError, before writing
 * anything, if the target already has an account with one of the same addresses; Error when either
 * database cannot be opened.
 */
export async function copySqliteToPostgres(
  sqliteFile: string,
  pgUrl: string,
  opts: { log?: Logger; onProgress?: (p: CopyProgress) => void } = {},
): Promise<CopySummary> {
  const src = new SqliteDb(sqliteFile);
  const dst = new PgDb(openPool(pgUrl, 'migrate-storage', opts.log), pgUrl, 'migrate-storage');
  try {
    migrateSqlite(src, opts.log);
    try {
      await migratePostgres(dst, opts.log);
    } catch (err) {
      throw describeConnectError(err, pgUrl);
    }
    const accounts = src.all<AccountSrc>(
      `SELECT id, email, password_hash, created_at, last_uid_validity, next_mailbox_id, next_body_id,
              quota_storage, quota_messages, storage_used, messages_used
         FROM accounts ORDER BY id`,
    );
    const taken = (await dst.all<{ email: string }>('SELECT email FROM accounts WHERE email = ANY(?::text[]) ORDER BY email', accounts.map((a) => a.email))).map(
      (r) => r.email,
    );
    if (taken.length > 0) {
      const list = taken.length > 5 ? `${taken.slice(0, 5).join(', ')} and ${taken.length - 5} more` : taken.join(', ');
      throw new StorageCopyError(
        `the target database already holds ${taken.length === 1 ? 'the account' : `${taken.length} of the accounts`} ${list}; nothing was copied (copy into a database without these accounts)`,
      );
    }
    const totalMessages = src.get<{ n: number }>('SELECT COUNT(*) AS n FROM messages')!.n;
    const summary: CopySummary = { accounts: 0, mailboxes: 0, messages: 0, bodies: 0, octets: 0 };
    opts.onProgress?.({ messages: 0, totalMessages, account: '' });
    for (const a of accounts) {
      await dst.write((tx) => copyAccount(src, tx, a, summary, (n) => opts.onProgress?.({ messages: n, totalMessages, account: a.email })));
      summary.accounts++;
    }
    // Every row is new: the planner's statistics now, not when autovacuum gets to them.
    await analyzeTables(dst);
    return summary;
  } finally {
    src.close();
    await dst.close();
  }
}

async function copyAccount(src: SqliteDb, tx: Tx, a: AccountSrc, summary: CopySummary, progress: (messages: number) => void): Promise<void> {
  const row = await tx.get<{ id: number }>(
    `INSERT INTO accounts (email, password_hash, created_at, last_uid_validity, next_mailbox_id, next_body_id,
                           quota_storage, quota_messages, storage_used, messages_used)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    a.email,
    a.password_hash,
    a.created_at,
    a.last_uid_validity,
    a.next_mailbox_id,
    a.next_body_id,
    // Both backends store limits alike (NULL: the server default, -1: no limit) and count usage alike
    // (every message, a copy again), so both copy as they are.
    a.quota_storage,
    a.quota_messages,
    a.storage_used,
    a.messages_used,
  );
  const id = row!.id;
  const mailboxes = src.all<Omit<MailboxRow, 'account_id'>>(
    'SELECT id, name, uid_validity, uid_next, highest_modseq, special_use, first_recent_uid FROM mailboxes WHERE account_id = ?',
    a.id,
  );
  for (const m of mailboxes) {
    await tx.run(
      'INSERT INTO mailboxes (account_id, id, name, uid_validity, uid_next, highest_modseq, special_use, first_recent_uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      id,
      m.id,
      m.name,
      m.uid_validity,
      m.uid_next,
      m.highest_modseq,
      m.special_use,
      m.first_recent_uid,
    );
  }
  summary.mailboxes += mailboxes.length;
  for (const s of src.all<{ name: string }>('SELECT name FROM subscriptions WHERE account_id = ?', a.id)) {
    await tx.run('INSERT INTO subscriptions (account_id, name) VALUES (?, ?)', id, s.name);
  }
  const scripts = src.all<{ name: string; source: string; octets: number; active: number; updated_at: number }>(
    'SELECT name, source, octets, active, updated_at FROM sieve_scripts WHERE account_id = ?',
    a.id,
  );
  for (const s of scripts) {
    await tx.run(
      'INSERT INTO sieve_scripts (account_id, name, source, octets, active, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      id,
      s.name,
      s.source,
      s.octets,
      s.active ? 'true' : 'false',
      s.updated_at,
    );
  }
  for (const t of src.all<{ key: string; expires_at: number }>('SELECT key, expires_at FROM sieve_tracking WHERE account_id = ?', a.id)) {
    await tx.run('INSERT INTO sieve_tracking (account_id, key, expires_at) VALUES (?, ?, ?)', id, t.key, t.expires_at);
  }

  // Bodies one at a time (the bytes can be large); same bytes twice in SQLite become one body here. A body
  // no message refers to (an expunge's, left to the upkeep's purge) is not carried over.
  const bodyMap = new Map<number, number>();
  const byHash = new Map<string, number>();
  const bodyIds = src
    .all<{ id: number }>(
      `SELECT id FROM bodies b WHERE account_id = ?
          AND EXISTS (SELECT 1 FROM messages m WHERE m.account_id = b.account_id AND m.body_id = b.id)
        ORDER BY id`,
      a.id,
    )
    .map((r) => r.id);
  for (const bodyId of bodyIds) {
    const b = src.get<{ size: number; sent_date: number | null; envelope: string; structure: string; data: Buffer; headers: string | null; body: string | null }>(
      `SELECT b.size, b.sent_date, b.envelope, b.structure, b.data, s.headers, s.body
         FROM bodies b LEFT JOIN search_text s ON s.account_id = b.account_id AND s.body_id = b.id
        WHERE b.account_id = ? AND b.id = ?`,
      a.id,
      bodyId,
    )!;
    const hash = contentKey(b.data);
    const same = byHash.get(hash);
    if (same !== undefined) {
      bodyMap.set(bodyId, same);
      continue;
    }
    byHash.set(hash, bodyId);
    bodyMap.set(bodyId, bodyId);
    await tx.run('INSERT INTO blobs (account_id, key, data) VALUES (?, ?, ?)', id, hash, b.data);
    await tx.run(
      'INSERT INTO bodies (account_id, id, hash, size, sent_date, envelope, structure) VALUES (?, ?, ?, ?, ?, ?, ?)',
      id,
      bodyId,
      hash,
      b.size,
      b.sent_date,
      b.envelope,
      b.structure,
    );
    await tx.run('INSERT INTO search_text (account_id, body_id, headers, body) VALUES (?, ?, ?, ?)', id, bodyId, pgText(b.headers ?? ''), pgText(b.body ?? ''));
    await runRule(tx, insertEnvelopeText(id, bodyId, JSON.parse(b.envelope) as Envelope));
    await runRule(tx, indexBody(id, bodyId, { headers: b.headers ?? '', body: b.body ?? '' }, JSON.parse(b.structure) as MimePart));
    summary.bodies++;
    summary.octets += b.data.length;
  }

  const messages = src.all<MessageSrc>(
    `SELECT mailbox_id, uid, body_id, modseq, sys_flags, keywords, internal_date, save_date, size, sent_date
       FROM messages WHERE account_id = ? ORDER BY mailbox_id, uid`,
    a.id,
  );
  for (let i = 0; i < messages.length; i += BATCH) {
    const batch = messages.slice(i, i + BATCH);
    const col = (k: keyof MessageSrc) => batch.map((m) => m[k]) as number[];
    await tx.run(
      `INSERT INTO messages (account_id, mailbox_id, uid, body_id, modseq, sys_flags, keywords, internal_date, save_date, size, sent_date)
       SELECT ?::bigint, * FROM UNNEST(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::int[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])`,
      id,
      col('mailbox_id'),
      col('uid'),
      batch.map((m) => bodyMap.get(m.body_id) ?? m.body_id),
      col('modseq'),
      col('sys_flags'),
      batch.map((m) => m.keywords),
      col('internal_date'),
      col('save_date'),
      col('size'),
      batch.map((m) => m.sent_date),
    );
    summary.messages += batch.length;
    progress(summary.messages);
  }

  const expunged = src.all<{ mailbox_id: number; modseq: number; uid: number }>('SELECT mailbox_id, modseq, uid FROM expunged WHERE account_id = ?', a.id);
  for (let i = 0; i < expunged.length; i += BATCH) {
    const batch = expunged.slice(i, i + BATCH);
    await tx.run(
      'INSERT INTO expunged (account_id, mailbox_id, modseq, uid) SELECT ?::bigint, * FROM UNNEST(?::bigint[], ?::bigint[], ?::bigint[])',
      id,
      batch.map((e) => e.mailbox_id),
      batch.map((e) => e.modseq),
      batch.map((e) => e.uid),
    );
  }
}
