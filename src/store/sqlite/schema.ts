/**
 * The SQLite schema (version 1) and the row shapes read from it.
 *
 * Every table is keyed by account first: account_id is the first column of every primary key and index
 * (except the global login directory, accounts.email), so a distributed engine can shard by account.
 * The SQL is plain enough to port to PostgreSQL: INTEGER -> BIGINT, BLOB -> BYTEA, AUTOINCREMENT -> identity,
 * WITHOUT ROWID dropped, text compared with COLLATE "C".
 */

/**
 * SCHEMA_V1 is the DDL of schema version 1.
 * - accounts: one row per user; also the per-account counters (last UIDVALIDITY handed out, next mailbox
 *   id, next body id), so ids and UIDVALIDITYs are allocated inside the account's own row.
 * - mailboxes: uid_next and highest_modseq only grow (RFC 9051 section 2.3.1.1, RFC 7162 section 3.1.1).
 * - bodies: one row per stored message body, shared by copies; the bytes last in the row so reading the
 *   structure does not read them. Deleted when no message refers to it.
 * - search_text: decoded text per body for SEARCH.
 * - messages: clustered by (account, mailbox, uid) so SELECT reads one contiguous range. body_id has no
 *   FOREIGN KEY: SQLite's planner checks it through the primary key (a scan of the whole account per deleted
 *   body) instead of messages_body; bodies.ts deletes a body only after checking messages_body itself.
 * - expunged: (account, mailbox, modseq, uid) of every expunged message, so the change feed (and QRESYNC
 *   VANISHED) is a range read that grows with the changes, not with the mailbox.
 */
export const SCHEMA_V1 = `
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_uid_validity INTEGER NOT NULL DEFAULT 0,
  next_mailbox_id INTEGER NOT NULL DEFAULT 1,
  next_body_id INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE mailboxes (
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  id INTEGER NOT NULL,
  name TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  uid_next INTEGER NOT NULL,
  highest_modseq INTEGER NOT NULL,
  special_use TEXT,
  PRIMARY KEY (account_id, id),
  UNIQUE (account_id, name)
);

CREATE TABLE subscriptions (
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  name TEXT NOT NULL,
  PRIMARY KEY (account_id, name)
) WITHOUT ROWID;

CREATE TABLE bodies (
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  id INTEGER NOT NULL,
  size INTEGER NOT NULL,
  sent_date INTEGER,
  envelope TEXT NOT NULL,
  structure TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (account_id, id)
);

CREATE TABLE search_text (
  account_id INTEGER NOT NULL,
  body_id INTEGER NOT NULL,
  headers TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (account_id, body_id),
  FOREIGN KEY (account_id, body_id) REFERENCES bodies (account_id, id)
);

CREATE TABLE messages (
  account_id INTEGER NOT NULL,
  mailbox_id INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  body_id INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  sys_flags INTEGER NOT NULL,
  keywords TEXT NOT NULL,
  internal_date INTEGER NOT NULL,
  save_date INTEGER NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (account_id, mailbox_id, uid),
  FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, id)
) WITHOUT ROWID;

CREATE INDEX messages_modseq ON messages (account_id, mailbox_id, modseq);
CREATE INDEX messages_body ON messages (account_id, body_id);

CREATE TABLE expunged (
  account_id INTEGER NOT NULL,
  mailbox_id INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  PRIMARY KEY (account_id, mailbox_id, modseq, uid),
  FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, id)
) WITHOUT ROWID;
`;

/**
 * ENVELOPES_SCHEMA (migration 5): each body's ENVELOPE text (protocol/envelope.ts storedEnvelopeText), so
 * FETCH ENVELOPE copies it. Narrow rows, many to a page, unlike bodies, whose rows hold the message bytes.
 * A body whose text could not be stored has no row; FETCH then encodes its envelope.
 */
export const ENVELOPES_SCHEMA = `
CREATE TABLE envelopes (
  account_id INTEGER NOT NULL,
  body_id INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (account_id, body_id),
  FOREIGN KEY (account_id, body_id) REFERENCES bodies (account_id, id)
) WITHOUT ROWID;
`;


/** PENALTY_SCHEMA (migration 8): remote is the address key, user_key the name tried; times are ms since epoch. IF NOT EXISTS: a database taken back to an older version (the migration tests) may still have it. */
export const PENALTY_SCHEMA = `
CREATE TABLE IF NOT EXISTS auth_penalty (
  remote TEXT NOT NULL,
  user_key TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  last_failure INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (remote, user_key)
) WITHOUT ROWID;
`;

/** CONTROL_SCHEMA (migration 8): control messages (mail/control.ts), one row per message, `message` its JSON; ids only grow (AUTOINCREMENT). */
export const CONTROL_SCHEMA = `
CREATE TABLE IF NOT EXISTS session_control (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at INTEGER NOT NULL,
  message TEXT NOT NULL
);
`;

/**
 * SIEVE_SCHEMA (migration 10): users' Sieve scripts (RFC 5228) as ManageSieve stores them (RFC 5804), and
 * the tracking rows of the vacation (RFC 5230) and duplicate (RFC 7352) extensions.
 * - sieve_scripts: one row per script; `active` 1 for the one script run at delivery (at most one per
 *   account: the partial unique index); `octets` the UTF-8 length of `source`, for LISTSCRIPTS and quotas;
 *   `updated_at` ms since epoch.
 * - sieve_tracking: keys recorded by the delivery executor with their expiry (ms since epoch).
 * IF NOT EXISTS: a database taken back to an older version (the migration tests) may still have them.
 */
export const SIEVE_SCHEMA = `
CREATE TABLE IF NOT EXISTS sieve_scripts (
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  name TEXT NOT NULL,
  source TEXT NOT NULL,
  octets INTEGER NOT NULL,
  active INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, name)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS sieve_scripts_active ON sieve_scripts (account_id) WHERE active;
CREATE TABLE IF NOT EXISTS sieve_tracking (
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  key TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, key)
) WITHOUT ROWID;
`;

/**
 * BODY_PURGE_SCHEMA (migration 13): the bodies that an expunge, MOVE or DELETE left without a message, to be
 * deleted by the store's upkeep (mail/bodies.ts purgeBodies) rather than in the transaction that removed the
 * messages. A row is only a candidate: the purge deletes the body only if still no message refers to it.
 * IF NOT EXISTS: a database taken back to an older version (the migration tests) may still have it.
 */
export const BODY_PURGE_SCHEMA = `
CREATE TABLE IF NOT EXISTS body_purge (
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  body_id INTEGER NOT NULL,
  PRIMARY KEY (account_id, body_id)
) WITHOUT ROWID;
`;
