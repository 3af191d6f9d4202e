/**
 * Runs the store suite on the SQLite backend (a temp-dir file per test), plus SQLite-only checks:
 * persistence across reopen, schema version guard, openStore, file mode.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/open.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import { Db } from '../../src/store/sqlite/db.js';
import { GroupCommit } from '../../src/store/sqlite/group-commit.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { asStoredBeforeRawOctets, DATE, LATIN1_HEADERS, message, newAccount } from './helpers.js';
import { prepareMessage } from '../../src/delivery/prepare.js';
import { encodeEnvelope } from '../../src/protocol/envelope.js';
import { runStoreSuite } from './suite.js';

/** UNDO_MIGRATION_5 takes a database back to before migration 5 (for tests that start from an older schema). */
/** Migration 12 undone: the index is back in the store's file (migration 3 makes it again), without its removal queue and token. */
const UNDO_MIGRATION_12 = 'DROP TABLE fts_removed_accounts; DROP TABLE fts_state';
const UNDO_MIGRATION_5 = 'DROP TABLE envelopes; ALTER TABLE messages DROP COLUMN sent_date; ALTER TABLE mailboxes DROP COLUMN first_recent_uid';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'letterbox-store-'));
}

runStoreSuite('sqlite store', async () => {
  const dir = await tempDir();
  const file = join(dir, 'letterbox.db');
  return {
    store: await openSqliteStore(file),
    cleanup: () => rm(dir, { recursive: true, force: true }),
    openSecond: () => openSqliteStore(file),
  };
});

describe('sqlite specifics', () => {
  it('keeps everything across close and reopen', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir, 'sub', 'mail.db');
      const s1 = await openSqliteStore(file);
      const { accountId, inbox } = await newAccount(s1);
      const m = message('persist');
      await s1.appendMessages(accountId, inbox, [m]);
      const mb = await s1.getMailbox(accountId, 'INBOX');
      await s1.close();
      const s2 = await openSqliteStore(file);
      assert.deepEqual(await s2.getMailbox(accountId, 'INBOX'), mb);
      const [rec] = await s2.getMessages(accountId, inbox, [1]);
      assert.deepEqual(await s2.readBody(accountId, rec!.bodyId), m.raw);
      await s2.close();
      assert.equal((await stat(file)).mode & 0o777, 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database with a newer schema version', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir, 'x.db');
      await (await openSqliteStore(file)).close();
      const raw = new Database(file);
      raw.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION + 1);
      raw.close();
      await assert.rejects(openSqliteStore(file), /newer than this Letterbox/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('applies the configured default quota to accounts without their own, and migration 2 counts existing mail', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir, 'q.db');
      const s1 = await openSqliteStore(file);
      const { accountId, inbox } = await newAccount(s1);
      const m = message('old mail');
      await s1.appendMessages(accountId, inbox, [m]);
      await s1.close();
      // Back to schema version 1 with the usage forgotten, as a database from before quotas would be.
      const raw = new Database(file);
      raw.exec('UPDATE accounts SET storage_used = 0, messages_used = 0; UPDATE schema_version SET version = 1');
      raw.exec(UNDO_MIGRATION_12);
      raw.exec(UNDO_MIGRATION_5);
      raw.exec('ALTER TABLE accounts DROP COLUMN quota_storage; ALTER TABLE accounts DROP COLUMN quota_messages');
      raw.exec('ALTER TABLE accounts DROP COLUMN storage_used; ALTER TABLE accounts DROP COLUMN messages_used');
      raw.close();
      const s2 = await openSqliteStore(file, { quota: { storage: 1024 * 1024, messages: 1 } });
      assert.deepEqual(await s2.getQuota(accountId), { storageLimit: 1024 * 1024, messageLimit: 1, storageUsed: m.raw.length, messagesUsed: 1 });
      await assert.rejects(s2.appendMessages(accountId, inbox, [message('new')]), /Quota exceeded/);
      await s2.setQuota(accountId, { messages: null });
      assert.equal((await s2.getQuota(accountId)).messageLimit, null, 'its own "no limit" beats the default');
      await s2.appendMessages(accountId, inbox, [message('new')]);
      await s2.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('migration 3 indexes the bodies stored before the full-text index existed', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir, 'old.db');
      const s1 = await openSqliteStore(file);
      const { accountId, inbox } = await newAccount(s1);
      await s1.appendMessages(accountId, inbox, [message('first', [], undefined, 'kumquats'), message('second')]);
      await s1.close();
      const raw = new Database(file);
      // Back to version 2: no index, and none of the queues of the index written in the background (migrations 11, 12).
      raw.exec(UNDO_MIGRATION_12);
      raw.exec('DROP TABLE fts_pending; DROP TABLE fts_removed; UPDATE schema_version SET version = 2');
      raw.exec(UNDO_MIGRATION_5);
      raw.close();
      const s2 = await openSqliteStore(file);
      // Every old body is queued for the index file (migration 12) and indexed from there.
      await s2.finishBackground();
      assert.deepEqual([...((await s2.searchTextCandidates(accountId, inbox, 'body', 'KUMQUAT')) ?? [])], [1]);
      assert.deepEqual([...((await s2.searchTextCandidates(accountId, inbox, 'headers', 'second')) ?? [])], [2]);
      await s2.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('migration 5 keeps sent dates beside the UIDs and ENVELOPE texts for the mail stored before it', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir, 'old.db');
      const s1 = await openSqliteStore(file);
      const { accountId, inbox } = await newAccount(s1);
      const dated = message('dated');
      const badDate = prepareMessage(Buffer.from('Date: Mon 10 Jun 2002 10:00:00 +0000\r\nSubject: comma missing\r\n\r\nx\r\n'), [], DATE + 6000);
      await s1.appendMessages(accountId, inbox, [dated, badDate]);
      await s1.close();
      // As version 4 left it: bodies.sent_date by the lenient parser (which reads the comma-less date).
      const raw = new Database(file);
      raw.exec(`${UNDO_MIGRATION_5}; UPDATE schema_version SET version = 4`);
      raw.prepare('UPDATE bodies SET sent_date = ? WHERE id = 2').run(Date.UTC(2002, 5, 10, 10));
      raw.close();
      const s2 = await openSqliteStore(file);
      const d = await s2.getSortDates(accountId, inbox);
      assert.deepEqual(d.date, [Date.UTC(2024, 0, 15, 10), DATE + 6000]);
      const recs = await s2.getMessages(accountId, inbox, [1, 2], { structure: false, envelope: false, envelopeText: true });
      assert.deepEqual(recs.map((r) => r.envelopeText), [encodeEnvelope(dated.envelope), encodeEnvelope(badDate.envelope)]);
      assert.deepEqual(recs.map((r) => r.sentDate), [Date.UTC(2024, 0, 15, 10), null]);
      await s2.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('migration 6 makes the mail stored before it recent to nobody; migration 7 keeps 8-bit header bytes that are not UTF-8 as they are', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir, 'old.db');
      const s1 = await openSqliteStore(file);
      const { accountId, inbox } = await newAccount(s1);
      const latin1 = prepareMessage(LATIN1_HEADERS, [], DATE);
      await s1.appendMessages(accountId, inbox, [message('plain'), latin1]);
      await s1.close();
      // As version 5 left it: the 8-bit bytes as ISO-8859-1 characters, and their ENVELOPE text so encoded.
      const raw = new Database(file);
      const old = raw.prepare('SELECT envelope, structure FROM bodies WHERE id = 2').get() as { envelope: string; structure: string };
      raw.prepare('UPDATE bodies SET envelope = ?, structure = ? WHERE id = 2').run(asStoredBeforeRawOctets(old.envelope), asStoredBeforeRawOctets(old.structure));
      raw.prepare('INSERT INTO envelopes (account_id, body_id, text) VALUES (?, 2, ?)').run(accountId, encodeEnvelope(JSON.parse(asStoredBeforeRawOctets(old.envelope))));
      raw.exec('ALTER TABLE mailboxes DROP COLUMN first_recent_uid; UPDATE schema_version SET version = 5');
      raw.close();
      const s2 = await openSqliteStore(file);
      const box = (await s2.getMailbox(accountId, 'INBOX'))!;
      assert.equal(box.firstRecentUid, 3);
      assert.equal((await s2.mailboxCounts(accountId, inbox)).recent, 0);
      const [rec] = await s2.getMessages(accountId, inbox, [2], { structure: true, envelope: true, envelopeText: true });
      assert.equal(rec!.envelope.subject, 'caf\udce9');
      assert.equal(rec!.envelope.from![0]!.name, 'J\udcf6rg');
      assert.equal(rec!.envelopeText, null);
      assert.deepEqual(rec!.envelope, latin1.envelope);
      await s2.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('openStore creates the data directory and letterbox.db', async () => {
    const dir = await tempDir();
    try {
      const dataDir = join(dir, 'data');
      const store = await openStore({ dataDir, storage: { kind: 'sqlite' } });
      assert.equal(store.kind, 'sqlite');
      await store.close();
      assert.ok((await stat(join(dataDir, 'letterbox.db'))).isFile());
      const raw = new Database(join(dataDir, 'letterbox.db'), { readonly: true });
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      raw.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('a \\Recent claim joins the commit of the writes of its turn, and a second connection sees it', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir, 'c.db');
      const commits: number[] = [];
      const s1 = await openSqliteStore(file, { onCommit: (_seconds, writes) => commits.push(writes) });
      const { accountId, inbox } = await newAccount(s1);
      await s1.appendMessages(accountId, inbox, [message('one'), message('two')]);
      commits.length = 0;
      // Both asked for in one turn: one COMMIT carries them.
      const [claimed, appended] = await Promise.all([s1.claimRecent(accountId, inbox, 3), s1.appendMessages(accountId, inbox, [message('three')])]);
      assert.equal(claimed, 1);
      assert.deepEqual(appended.uids, [3]);
      assert.deepEqual(commits, [2]);
      const s2 = await openSqliteStore(file);
      assert.equal((await s2.getMailbox(accountId, 'INBOX'))!.firstRecentUid, 3);
      await s2.close();
      await s1.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('a write that finds the write lock held by another connection waits without holding up the event loop, then commits', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir, 'l.db');
      const store = await openSqliteStore(file);
      const { accountId, inbox } = await newAccount(store);
      // Another process's transaction (another worker, letterbox import) holds the lock.
      const other = new Database(file);
      other.exec('BEGIN IMMEDIATE');
      let settled = false;
      const append = store.appendMessages(accountId, inbox, [message('while locked')]).finally(() => (settled = true));
      // The event loop goes on meanwhile: 50 timer turns of 2 ms each come in about 100 ms, where a busy
      // wait on the event loop's thread (the busy timeout, 5 s) would hold every one of them up.
      const started = performance.now();
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setTimeout(resolve, 2));
      assert.ok(performance.now() - started < 2000, `the event loop was held up for ${Math.round(performance.now() - started)} ms`);
      assert.equal(settled, false);
      other.exec('COMMIT');
      other.close();
      assert.deepEqual((await append).uids, [1]);
      assert.deepEqual(
        (await store.listMessages(accountId, inbox)).map((m) => m.uid),
        [1],
      );
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('queued writes fail with SQLITE_BUSY once the write lock has been held by another connection for the busy timeout', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir, 't.db');
      const db = new Db(file);
      db.raw.exec('CREATE TABLE t (x INTEGER)');
      const group = new GroupCommit(db, undefined, 200);
      const other = new Database(file);
      other.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      const write = group.run(() => db.run('INSERT INTO t (x) VALUES (1)'));
      await assert.rejects(write, (err: { code?: string }) => err.code === 'SQLITE_BUSY');
      const waited = performance.now() - started;
      assert.ok(waited >= 200 && waited < 2000, `failed after ${Math.round(waited)} ms`);
      other.exec('ROLLBACK');
      other.close();
      // Nothing was written, and the next write commits.
      assert.equal(await group.run(() => db.run('INSERT INTO t (x) VALUES (2)')), 1);
      assert.deepEqual(db.all('SELECT x FROM t'), [{ x: 2 }]);
      db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
