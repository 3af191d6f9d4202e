/**
 * Runs the store suite on the PostgreSQL backend (a fresh database per test), plus PostgreSQL-only checks:
 * several nodes appending to one mailbox at once, several nodes appending and copying into one account
 * with a quota, cross-node notifications surviving a dropped listening connection, identical bodies stored
 * once, migration 2 (quota) on a version 1 database, migration 3 (pg_trgm) on a version 2 database and
 * without the right to create pg_trgm, schema version guard, openStore.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/open.js';
import { SCHEMA_VERSION } from '../../src/store/postgres/migrations.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/store.js';
import { StoreError, type ControlMessage } from '../../src/store/types.js';
import { adminQuery, testDatabase } from '../support/postgres.js';
import { asStoredBeforeRawOctets, DATE, LATIN1_HEADERS, mailboxId, message, newAccount, waitFor } from './helpers.js';
import { prepareMessage } from '../../src/delivery/prepare.js';
import { encodeEnvelope } from '../../src/protocol/envelope.js';
import { runStoreSuite } from './suite.js';

/** UNDO_MIGRATION_4 takes a database back to before migration 4 (for tests that start from an older schema). */
const UNDO_MIGRATION_4 = 'DROP TABLE envelopes; ALTER TABLE messages DROP COLUMN sent_date; ALTER TABLE mailboxes DROP COLUMN first_recent_uid';

runStoreSuite('postgres store', async () => {
  const db = await testDatabase();
  return {
    store: await openPostgresStore(db.url),
    cleanup: () => db.drop(),
    openSecond: () => openPostgresStore(db.url),
  };
});

describe('postgres specifics', () => {
  it('gives distinct, gap-free UIDs and increasing modseqs to concurrent appends from several nodes', async () => {
    const db = await testDatabase();
    const nodes: PostgresStore[] = [];
    try {
      for (let i = 0; i < 4; i++) nodes.push(await openPostgresStore(db.url));
      const { accountId, inbox } = await newAccount(nodes[0]!);
      const perNode = 8;
      const results = await Promise.all(
        nodes.flatMap((node, n) =>
          Array.from({ length: perNode }, (_, i) => node.appendMessages(accountId, inbox, [message(`n${n} m${i}`), message(`n${n} m${i} b`)])),
        ),
      );
      const uids = results.flatMap((r) => r.uids).sort((a, b) => a - b);
      const total = nodes.length * perNode * 2;
      assert.deepEqual(uids, Array.from({ length: total }, (_, i) => i + 1));
      for (const r of results) assert.equal(r.uids[1], r.uids[0]! + 1, 'one APPEND gets consecutive UIDs');
      const list = await nodes[1]!.listMessages(accountId, inbox);
      assert.equal(list.length, total);
      // Ascending UID order gives non-decreasing modseqs: each transaction took the next modseq under the lock.
      for (let i = 1; i < list.length; i++) assert.ok(list[i]!.modseq >= list[i - 1]!.modseq, `modseq of UID ${list[i]!.uid}`);
      assert.equal(new Set(list.map((m) => m.modseq)).size, nodes.length * perNode, 'one modseq per transaction');
      const mb = (await nodes[2]!.getMailbox(accountId, 'INBOX'))!;
      assert.equal(mb.uidNext, total + 1);
      assert.equal(mb.highestModseq, list[list.length - 1]!.modseq);

      // Flag changes from every node at once: each transaction gets the next modseq, none is lost.
      const stores = await Promise.all(
        nodes.flatMap((node, n) => Array.from({ length: 5 }, (_, i) => node.storeFlags(accountId, inbox, [1, 2, 3], 'add', [`k${n}x${i}`]))),
      );
      const modseqs = stores.map((r) => r.updated[0]!.modseq).sort((x, y) => x - y);
      assert.deepEqual(modseqs, Array.from({ length: modseqs.length }, (_, i) => mb.highestModseq + 1 + i));
      const [first] = await nodes[3]!.listMessages(accountId, inbox);
      assert.equal(first!.flags.length, nodes.length * 5, 'every keyword kept');
    } finally {
      for (const n of nodes) await n.close();
      await db.drop();
    }
  });

  it('never lets concurrent appends, copies and replacements from several nodes take an account over its quota', async () => {
    const db = await testDatabase();
    const nodes: PostgresStore[] = [];
    try {
      for (let i = 0; i < 4; i++) nodes.push(await openPostgresStore(db.url));
      const { accountId, inbox } = await newAccount(nodes[0]!);
      // Different mailboxes, so their row locks do not serialise the appends: only the account's quota row does.
      const boxes = [inbox, await mailboxId(nodes[0]!, accountId, 'Archive'), await mailboxId(nodes[0]!, accountId, 'Drafts')];
      const isOverquota = (r: PromiseSettledResult<unknown>) =>
        r.status === 'rejected' && r.reason instanceof StoreError && r.reason.kind === 'OVERQUOTA' && !r.reason.permanent;

      await nodes[1]!.setQuota(accountId, { messages: 10 });
      const appends = await Promise.allSettled(
        nodes.flatMap((node, n) => Array.from({ length: 6 }, (_, i) => node.appendMessages(accountId, boxes[(n + i) % 3]!, [message(`q${n} ${i}`)]))),
      );
      assert.equal(appends.filter((r) => r.status === 'fulfilled').length, 10, 'exactly the limit');
      assert.equal(appends.filter(isOverquota).length, 14, 'the others refused with a temporary OVERQUOTA');
      const held = async () => (await Promise.all(boxes.map(async (b) => (await nodes[2]!.listMessages(accountId, b)).length))).reduce((x, y) => x + y);
      assert.equal(await held(), 10);
      assert.equal((await nodes[3]!.getQuota(accountId)).messagesUsed, 10);

      // A storage limit with room for a few more, filled by appends, copies and replacements (which free
      // their old message first) from every node at once.
      const before = await nodes[0]!.getQuota(accountId);
      const limit = before.storageUsed + 4 * message('x').raw.length;
      await nodes[0]!.setQuota(accountId, { messages: null, storage: limit });
      const uidsOf = async (b: number) => (await nodes[0]!.listMessages(accountId, b)).map((m) => m.uid);
      // MOVE at the limit is never refused: gather all ten in INBOX for the copies and replacements.
      for (const b of boxes.slice(1)) await nodes[3]!.moveMessages(accountId, b, await uidsOf(b), inbox);
      const inboxUids = await uidsOf(inbox);
      assert.equal(inboxUids.length, 10);
      const mixed = await Promise.allSettled(
        nodes.flatMap((node, n) => [
          node.appendMessages(accountId, boxes[n % 3]!, [message(`s${n}`)]),
          node.copyMessages(accountId, inbox, inboxUids.slice(0, 1), boxes[(n + 1) % 3]!),
          node.appendMessages(accountId, boxes[(n + 2) % 3]!, [message(`t${n}`), message(`u${n}`)]),
          node.replaceMessage(accountId, inbox, inboxUids[n % inboxUids.length]!, boxes[(n + 1) % 3]!, message(`r${n}`)),
        ]),
      );
      for (const r of mixed) assert.ok(r.status === 'fulfilled' || isOverquota(r), r.status === 'rejected' ? String(r.reason) : '');
      assert.ok(mixed.some(isOverquota), 'the limit was reached');
      const after = await nodes[1]!.getQuota(accountId);
      assert.ok(after.storageUsed <= limit, `${after.storageUsed} octets used of ${limit}`);
      assert.deepEqual(await nodes[2]!.recomputeQuota(accountId), after, 'usage kept exact under concurrency');
      assert.equal(after.messagesUsed, await held());
    } finally {
      for (const n of nodes) await n.close();
      await db.drop();
    }
  });

  it('reconnects a dropped listening connection and still delivers changes from another node', async () => {
    const db = await testDatabase();
    const a = await openPostgresStore(db.url);
    const b = await openPostgresStore(db.url);
    try {
      const { accountId, inbox } = await newAccount(a);
      const calls: Array<[number | null, number | null]> = [];
      a.onChange((acc, mb) => calls.push([acc, mb]));
      const killed = await adminQuery(db.url, 'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [a.listenerName]);
      assert.equal(killed.rowCount, 1, 'found the listening connection');
      await b.appendMessages(accountId, inbox, [message('while reconnecting')]);
      // Either the catch-up event after reconnecting (null, null) or the notification itself.
      await waitFor(() => calls.length > 0, 10_000);
      assert.deepEqual((await a.listMessages(accountId, inbox)).map((m) => m.uid), [1]);
      // And once listening again, a later change arrives as a notification naming the mailbox.
      await waitFor(() => calls.some(([acc]) => acc === null), 10_000);
      const reconnected = await adminQuery(db.url, 'SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [a.listenerName]);
      assert.equal(reconnected.rowCount, 1, 'listening again');
      calls.length = 0;
      await b.storeFlags(accountId, inbox, [1], 'add', ['\\Seen']);
      await waitFor(() => calls.some(([acc, mb]) => acc === accountId && mb === inbox), 10_000);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });

  it('gives a node the control messages sent while its listening connection was away, once each', async () => {
    const db = await testDatabase();
    const a = await openPostgresStore(db.url);
    const b = await openPostgresStore(db.url);
    try {
      const { accountId } = await newAccount(a);
      const atA: ControlMessage[] = [];
      const atB: ControlMessage[] = [];
      a.onControl((m) => atA.push(m));
      b.onControl((m) => atB.push(m));
      const before: ControlMessage = { kind: 'end-sessions', accountId, reason: 'before' };
      await b.sendControl(before);
      await waitFor(() => atA.length === 1 && atB.length === 1, 10_000);
      const killed = await adminQuery(db.url, 'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [a.listenerName]);
      assert.equal(killed.rowCount, 1, 'found the listening connection');
      // a reconnects after RECONNECT_MIN_MS (100 ms) at the earliest: this NOTIFY finds nobody listening there.
      const away: ControlMessage = { kind: 'end-sessions', accountId, reason: 'while a was away' };
      await b.sendControl(away);
      await waitFor(() => atA.length === 2, 10_000);
      const after: ControlMessage = { kind: 'end-sessions', accountId, reason: 'after' };
      await b.sendControl(after);
      await waitFor(() => atA.length === 3 && atB.length === 3, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(atA, [before, away, after]);
      assert.deepEqual(atB, [before, away, after]);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });

  it('stores identical bodies once per account, and frees them with the last message', async () => {
    const db = await testDatabase();
    const store = await openPostgresStore(db.url);
    try {
      const { accountId, inbox } = await newAccount(store);
      const other = await newAccount(store, 'other@example.com');
      const m = message('same bytes');
      await store.appendMessages(accountId, inbox, [m, m]);
      await store.appendMessages(other.accountId, other.inbox, [m]);
      const recs = await store.getMessages(accountId, inbox, [1, 2]);
      assert.equal(recs[0]!.bodyId, recs[1]!.bodyId);
      const count = async (table: string) => Number((await adminQuery(db.url, `SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);
      assert.equal(await count('bodies'), 2, 'one per account');
      assert.equal(await count('blobs'), 2);
      await store.storeFlags(accountId, inbox, [1, 2], 'add', ['\\Deleted']);
      await store.expunge(accountId, inbox, [1]);
      assert.deepEqual(await store.readBody(accountId, recs[1]!.bodyId), m.raw);
      await store.expunge(accountId, inbox);
      assert.equal(await count('blobs'), 2, 'freed by the upkeep, not by the expunge');
      assert.equal(await count('body_purge'), 1);
      await store.finishBackground();
      assert.equal(await count('blobs'), 1);
      assert.equal(await count('bodies'), 1);
      assert.equal(await count('body_purge'), 0);
      assert.deepEqual(await store.readBody(other.accountId, (await store.getMessages(other.accountId, other.inbox, [1]))[0]!.bodyId), m.raw);
    } finally {
      await store.close();
      await db.drop();
    }
  });

  it('applies the configured default quota to accounts without their own, and migration 2 counts existing mail', async () => {
    const db = await testDatabase();
    try {
      const s1 = await openPostgresStore(db.url);
      const { accountId, inbox } = await newAccount(s1);
      const m = message('old mail');
      await s1.appendMessages(accountId, inbox, [m, message('old mail 2')]);
      await s1.copyMessages(accountId, inbox, [1], await mailboxId(s1, accountId, 'Archive'));
      await s1.close();
      // Back to schema version 1, as a database from before quotas would be.
      await adminQuery(
        db.url,
        `ALTER TABLE accounts DROP COLUMN quota_storage, DROP COLUMN quota_messages, DROP COLUMN storage_used, DROP COLUMN messages_used;
         DROP TABLE search_index; ${UNDO_MIGRATION_4}; UPDATE schema_version SET version = 1`,
      );
      const s2 = await openPostgresStore(db.url, { quota: { storage: 1024 * 1024, messages: 3 } });
      try {
        const used = 2 * m.raw.length + message('old mail 2').raw.length;
        assert.deepEqual(await s2.getQuota(accountId), { storageLimit: 1024 * 1024, messageLimit: 3, storageUsed: used, messagesUsed: 3 });
        await assert.rejects(s2.appendMessages(accountId, inbox, [message('new')]), /Quota exceeded/);
        await s2.setQuota(accountId, { messages: null });
        assert.equal((await s2.getQuota(accountId)).messageLimit, null, 'its own "no limit" beats the default');
        await s2.appendMessages(accountId, inbox, [message('new')]);
        await assert.rejects(s2.appendMessages(accountId, inbox, [message('huge', [], undefined, 'x'.repeat(1024 * 1024))]), (err: unknown) => {
          assert.ok(err instanceof StoreError && err.kind === 'OVERQUOTA' && err.permanent, 'larger than the limit itself: permanent');
          return true;
        });
        const types = await adminQuery(
          db.url,
          `SELECT column_name, data_type FROM information_schema.columns
            WHERE table_name = 'accounts' AND column_name IN ('quota_storage', 'quota_messages', 'storage_used', 'messages_used') ORDER BY column_name`,
        );
        assert.deepEqual(
          types.rows.map((r) => `${r.column_name} ${r.data_type}`),
          ['messages_used bigint', 'quota_messages bigint', 'quota_storage bigint', 'storage_used bigint'],
        );
      } finally {
        await s2.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('analyze gives the planner the row counts after a bulk load', async () => {
    const db = await testDatabase();
    try {
      const store = await openPostgresStore(db.url);
      try {
        const { accountId, inbox } = await newAccount(store);
        await store.appendMessages(accountId, inbox, Array.from({ length: 30 }, (_, i) => message(`m${i}`)));
        await store.analyze();
        const r = await adminQuery(db.url, "SELECT relname, reltuples FROM pg_class WHERE relname IN ('messages', 'envelopes') ORDER BY relname");
        assert.deepEqual(r.rows.map((x) => [x.relname, Number(x.reltuples)]), [['envelopes', 30], ['messages', 30]]);
      } finally {
        await store.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('migration 4 keeps sent dates beside the UIDs and ENVELOPE texts for the mail stored before it', async () => {
    const db = await testDatabase();
    try {
      const s1 = await openPostgresStore(db.url);
      const { accountId, inbox } = await newAccount(s1);
      const dated = message('dated');
      const badDate = prepareMessage(Buffer.from('Date: Mon 10 Jun 2002 10:00:00 +0000\r\nSubject: comma missing\r\n\r\nx\r\n'), [], DATE + 6000);
      await s1.appendMessages(accountId, inbox, [dated, badDate]);
      await s1.close();
      // As version 3 left it: bodies.sent_date by the lenient parser (which reads the comma-less date).
      await adminQuery(db.url, `${UNDO_MIGRATION_4}; UPDATE schema_version SET version = 3; UPDATE bodies SET sent_date = ${Date.UTC(2002, 5, 10, 10)} WHERE id = 2`);
      const s2 = await openPostgresStore(db.url);
      try {
        const d = await s2.getSortDates(accountId, inbox);
        assert.deepEqual(d.date, [Date.UTC(2024, 0, 15, 10), DATE + 6000]);
        const recs = await s2.getMessages(accountId, inbox, [1, 2], { structure: false, envelope: false, envelopeText: true });
        assert.deepEqual(recs.map((r) => r.envelopeText), [encodeEnvelope(dated.envelope), encodeEnvelope(badDate.envelope)]);
        assert.deepEqual(recs.map((r) => r.sentDate), [Date.UTC(2024, 0, 15, 10), null]);
      } finally {
        await s2.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('migration 5 makes the mail stored before it recent to nobody; migration 6 keeps 8-bit header bytes that are not UTF-8 as they are', async () => {
    const db = await testDatabase();
    try {
      const s1 = await openPostgresStore(db.url);
      const { accountId, inbox } = await newAccount(s1);
      const latin1 = prepareMessage(LATIN1_HEADERS, [], DATE);
      await s1.appendMessages(accountId, inbox, [message('plain'), latin1]);
      await s1.close();
      // As version 4 left it: the 8-bit bytes as ISO-8859-1 characters, and their ENVELOPE text so encoded.
      const old = (await adminQuery(db.url, 'SELECT envelope, structure FROM bodies WHERE id = 2')).rows[0] as { envelope: string; structure: string };
      const envelope = asStoredBeforeRawOctets(old.envelope);
      await adminQuery(db.url, 'UPDATE bodies SET envelope = $1, structure = $2 WHERE id = 2', [envelope, asStoredBeforeRawOctets(old.structure)]);
      await adminQuery(db.url, 'INSERT INTO envelopes (account_id, body_id, text) VALUES ($1, 2, $2)', [accountId, encodeEnvelope(JSON.parse(envelope))]);
      await adminQuery(db.url, 'ALTER TABLE mailboxes DROP COLUMN first_recent_uid; UPDATE schema_version SET version = 4');
      const s2 = await openPostgresStore(db.url);
      try {
        const box = (await s2.getMailbox(accountId, 'INBOX'))!;
        assert.equal(box.firstRecentUid, 3);
        assert.equal((await s2.mailboxCounts(accountId, inbox)).recent, 0);
        const [rec] = await s2.getMessages(accountId, inbox, [2], { structure: true, envelope: true, envelopeText: true });
        assert.equal(rec!.envelope.subject, 'caf\udce9');
        assert.equal(rec!.envelope.from![0]!.name, 'J\udcf6rg');
        assert.equal(rec!.envelopeText, null);
        assert.deepEqual(rec!.envelope, latin1.envelope);
      } finally {
        await s2.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('migration 3 indexes the bodies stored before the full-text index existed', async () => {
    const db = await testDatabase();
    try {
      const s1 = await openPostgresStore(db.url);
      const { accountId, inbox } = await newAccount(s1);
      await s1.appendMessages(accountId, inbox, [message('first', [], undefined, 'kumquats'), message('second')]);
      const other = await newAccount(s1, 'other@example.com');
      await s1.appendMessages(other.accountId, other.inbox, [message('kumquat 100%_\\ off')]);
      await s1.close();
      await adminQuery(db.url, `DROP TABLE search_index; DROP EXTENSION pg_trgm; ${UNDO_MIGRATION_4}; UPDATE schema_version SET version = 2`);
      const s2 = await openPostgresStore(db.url);
      try {
        assert.deepEqual([...((await s2.searchTextCandidates(accountId, inbox, 'body', 'KUMQUAT')) ?? [])], [1]);
        assert.deepEqual([...((await s2.searchTextCandidates(accountId, inbox, 'headers', 'second')) ?? [])], [2]);
        assert.deepEqual([...((await s2.searchTextCandidates(accountId, inbox, 'headers', 'kumquat')) ?? [])], [], 'parts kept apart');
        assert.deepEqual([...((await s2.searchTextCandidates(other.accountId, other.inbox, 'text', 'kumquat')) ?? [])], [1], 'each account its own');
        // LIKE's wildcards and escape character in a needle are plain characters.
        assert.deepEqual([...((await s2.searchTextCandidates(other.accountId, other.inbox, 'headers', '100%_\\')) ?? [])], [1]);
        assert.deepEqual([...((await s2.searchTextCandidates(other.accountId, other.inbox, 'headers', '100_')) ?? [])], []);
        assert.deepEqual([...((await s2.searchTextCandidates(other.accountId, other.inbox, 'headers', 'at 1%')) ?? [])], []);
        const gin = await adminQuery(db.url, "SELECT indexdef FROM pg_indexes WHERE tablename = 'search_index' AND indexname = 'search_index_trgm'");
        assert.match(gin.rows[0].indexdef, /USING gin \(headers gin_trgm_ops, body gin_trgm_ops, part_headers gin_trgm_ops\)/);
      } finally {
        await s2.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('says how to get pg_trgm when the database user may not create it, and migrates once it exists', async () => {
    const db = await testDatabase();
    const role = `lb_noext_${Math.random().toString(36).slice(2, 10)}`;
    try {
      // A user without CREATE on the database (not its owner) may not create even a trusted extension.
      await adminQuery(db.url, `CREATE ROLE ${role} LOGIN PASSWORD 'pw'; GRANT CREATE ON SCHEMA public TO ${role}`);
      const u = new URL(db.url);
      u.username = role;
      u.password = 'pw';
      await assert.rejects(openPostgresStore(u.toString()), (err: Error) => {
        assert.match(err.message, /needs the PostgreSQL extension pg_trgm, and CREATE EXTENSION pg_trgm failed: permission denied to create extension "pg_trgm"/);
        assert.match(err.message, /have a superuser run CREATE EXTENSION pg_trgm in this database/);
        return true;
      });
      const tables = await adminQuery(db.url, "SELECT to_regclass('accounts') AS t");
      assert.equal(tables.rows[0].t, null, 'the failed migration left nothing behind');
      await adminQuery(db.url, 'CREATE EXTENSION pg_trgm');
      const store = await openPostgresStore(u.toString());
      await store.close();
    } finally {
      await db.drop();
      await adminQuery(db.url.replace(/\/[^/]*$/, '/postgres'), `DROP ROLE IF EXISTS ${role}`).catch(() => {});
    }
  });

  it('refuses a database with a newer schema version, and openStore opens postgres', async () => {
    const db = await testDatabase();
    try {
      const store = await openStore({ dataDir: '/nonexistent', storage: { kind: 'postgres', url: db.url } });
      assert.equal(store.kind, 'postgres');
      await store.close();
      await adminQuery(db.url, 'UPDATE schema_version SET version = $1', [SCHEMA_VERSION + 1]);
      await assert.rejects(openPostgresStore(db.url), /newer than this Letterbox/);
    } finally {
      await db.drop();
    }
  });

  it('names the server it cannot reach, without the password', async () => {
    await assert.rejects(openPostgresStore('postgres://letterbox:secret@127.0.0.1:1/nowhere'), (err: Error) => {
      assert.match(err.message, /cannot connect to PostgreSQL at postgres:\/\/letterbox:\*\*\*@127\.0\.0\.1:1\/nowhere/);
      assert.doesNotMatch(err.message, /secret/);
      return true;
    });
  });
});
