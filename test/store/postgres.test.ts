/**
 * Runs the store suite on the PostgreSQL backend (a fresh database per test), plus PostgreSQL-only checks:
 * several nodes appending to one mailbox at once, cross-node notifications surviving a dropped listening
 * connection, identical bodies stored once, schema version guard, openStore.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/open.js';
import { SCHEMA_VERSION } from '../../src/store/postgres/migrations.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/store.js';
import { adminQuery, testDatabase } from '../helpers/postgres.js';
import { message, newAccount, waitFor } from './helpers.js';
import { runStoreSuite } from './suite.js';

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
      assert.equal(await count('blobs'), 1);
      assert.deepEqual(await store.readBody(other.accountId, (await store.getMessages(other.accountId, other.inbox, [1]))[0]!.bodyId), m.raw);
    } finally {
      await store.close();
      await db.drop();
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
