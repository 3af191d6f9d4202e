/**
 * `letterbox migrate-storage`: the real corpus imported into SQLite through the CLI (then flagged, copied,
 * expunged and renamed so every kind of state exists) is copied to PostgreSQL, and both stores are compared
 * side by side: every mailbox (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ), subscription, UID, modseq, flag,
 * internal date, save date, envelope, body structure, body byte, expunged UID and quota (limits and usage)
 * must be the same.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { normalise } from '../../src/imap/search/text.js';
import { openStore } from '../../src/store/open.js';
import { pgText } from '../../src/store/postgres/db.js';
import type { Store } from '../../src/store/types.js';
import { runCli } from '../support/cli.js';
import { adminQuery, testDatabase, type TestDatabase } from '../support/postgres.js';
import { startServe } from '../support/server.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };
const CORPUS = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');
// Needles for comparing the two full-text indexes: common words, a header field, a non-ASCII word, LIKE's wildcards.
const NEEDLES = ['the', 'Subject: re', 'message-id', 'für', 'http://', '100%', 'a_b'];
const cli = (args: string[], input = '') => runCli(args, input, NO_ENV);
// Server defaults for accounts without their own limits: both stores open with them, so an account's own
// "no limit" (alice's messages) and "the default" (bob) read differently and must both survive the copy.
const QUOTA_DEFAULTS = { storage: 2_000_000_000, messages: 1_000_000 };

/** shapeSqlite gives the SQLite installation flags, keywords, copies (shared bodies), expunges and a renamed mailbox. */
async function shapeSqlite(store: Store): Promise<void> {
  const alice = (await store.getAccount('alice@example.com'))!;
  const inbox = (await store.getMailbox(alice.id, 'INBOX'))!;
  const uids = (await store.listMessages(alice.id, inbox.id)).map((m) => m.uid);
  const every = (n: number) => uids.filter((_, i) => i % n === 0);
  await store.storeFlags(alice.id, inbox.id, every(2), 'add', ['\\Seen']);
  await store.storeFlags(alice.id, inbox.id, every(3), 'add', ['\\Flagged', '$Important', 'Work']);
  await store.storeFlags(alice.id, inbox.id, every(7), 'add', ['\\Answered', '\\Draft']);
  const archive = (await store.getMailbox(alice.id, 'Archive'))!;
  await store.copyMessages(alice.id, inbox.id, every(5), archive.id);
  await store.storeFlags(alice.id, inbox.id, every(11), 'add', ['\\Deleted']);
  await store.expunge(alice.id, inbox.id);
  await store.createMailbox(alice.id, 'Lists');
  await store.createMailbox(alice.id, 'Lists/Old');
  const trash = (await store.getMailbox(alice.id, 'Trash'))!;
  await store.moveMessages(alice.id, archive.id, [1, 2, 3], trash.id);
  await store.renameMailbox(alice.id, 'Lists', 'Mailing lists');
  await store.setSubscribed(alice.id, 'Mailing lists/Old', true);
  await store.setSubscribed(alice.id, 'Not/There', true);
  await store.setQuota(alice.id, { storage: 5_000_000_000, messages: null });
  const sieveLimits = { maxScripts: 20, maxOctets: 65_536 };
  await store.putSieveScript(alice.id, 'Ferien', 'require "vacation";\r\nvacation "away";\r\n', sieveLimits);
  await store.putSieveScript(alice.id, 'lists', 'require "fileinto";\r\nfileinto "Mailing lists";\r\n', sieveLimits);
  await store.setActiveSieveScript(alice.id, 'lists');
  await store.sieveRecord(alice.id, 'vacation:bob@example.org', Date.now() + 86_400_000);
}

/** compareAccount asserts that `email` is the same in both stores, down to each body byte; returns the number of messages compared. */
async function compareAccount(from: Store, to: Store, email: string): Promise<number> {
  const a = (await from.getAccount(email))!;
  const b = (await to.getAccount(email))!;
  assert.ok(b, `account ${email} copied`);
  assert.equal(b.passwordHash, a.passwordHash);
  assert.equal(b.createdAt, a.createdAt);
  assert.deepEqual(await to.listSubscriptions(b.id), await from.listSubscriptions(a.id));
  // Sieve scripts, the active one, and the vacation/duplicate tracking rows.
  const scripts = await from.listSieveScripts(a.id);
  assert.deepEqual(await to.listSieveScripts(b.id), scripts, `${email}: Sieve scripts`);
  for (const s of scripts) assert.equal(await to.getSieveScript(b.id, s.name), await from.getSieveScript(a.id, s.name));
  assert.deepEqual(await to.getActiveSieveScript(b.id), await from.getActiveSieveScript(a.id));
  assert.equal(await to.sieveSeen(b.id, 'vacation:bob@example.org', Date.now()), await from.sieveSeen(a.id, 'vacation:bob@example.org', Date.now()));
  const quota = await from.getQuota(a.id);
  assert.ok(quota.messagesUsed > 0 && quota.storageUsed > 0, `${email}: usage counted`);
  assert.deepEqual(await to.getQuota(b.id), quota, `${email}: quota limits and usage`);
  assert.deepEqual(await to.recomputeQuota(b.id), quota, `${email}: copied usage matches the copied messages`);
  const strip = (mbs: Awaited<ReturnType<Store['listMailboxes']>>) => mbs.map(({ accountId: _a, id: _i, ...rest }) => rest);
  const mbsA = await from.listMailboxes(a.id);
  const mbsB = await to.listMailboxes(b.id);
  assert.deepEqual(strip(mbsB), strip(mbsA));
  let compared = 0;
  let found = 0;
  for (const [i, mbA] of mbsA.entries()) {
    const mbB = mbsB[i]!;
    const listA = await from.listMessages(a.id, mbA.id);
    assert.deepEqual(await to.listMessages(b.id, mbB.id), listA, `${mbA.name}: UIDs, modseqs, flags`);
    assert.deepEqual(await to.mailboxCounts(b.id, mbB.id), await from.mailboxCounts(a.id, mbA.id), `${mbA.name}: counts`);
    assert.deepEqual((await to.changesSince(b.id, mbB.id, 0)).expunged, (await from.changesSince(a.id, mbA.id, 0)).expunged, `${mbA.name}: expunged UIDs`);
    const uids = listA.map((m) => m.uid);
    for (let j = 0; j < uids.length; j += 200) {
      const chunk = uids.slice(j, j + 200);
      const recsA = await from.getMessages(a.id, mbA.id, chunk);
      const recsB = await to.getMessages(b.id, mbB.id, chunk);
      assert.equal(recsB.length, recsA.length);
      const textA = await from.getSearchText(a.id, mbA.id, chunk);
      const textB = await to.getSearchText(b.id, mbB.id, chunk);
      for (const [k, ra] of recsA.entries()) {
        const { bodyId: idA, ...restA } = ra;
        const { bodyId: idB, ...restB } = recsB[k]!;
        assert.deepEqual(restB, restA, `${mbA.name} UID ${ra.uid}`);
        const bytesA = await from.readBody(a.id, idA);
        const bytesB = await to.readBody(b.id, idB);
        assert.ok(bytesB.equals(bytesA), `${mbA.name} UID ${ra.uid}: body bytes`);
        const t = textA.get(ra.uid)!;
        assert.deepEqual(textB.get(ra.uid), { headers: pgText(t.headers), body: pgText(t.body) }, `${mbA.name} UID ${ra.uid}: search text`);
        compared++;
      }
    }
    // The full-text index was filled for the copied bodies: for each needle, PostgreSQL's candidates hold
    // every message a scan finds, and lie within SQLite's (which do not keep the parts apart).
    const texts = [...(await to.getSearchText(b.id, mbB.id, uids))].map(([uid, t]) => ({ uid, headers: normalise(t.headers), body: normalise(t.body) }));
    for (const needle of NEEDLES) {
      const n = normalise(needle);
      for (const part of ['headers', 'body', 'text'] as const) {
        const got = await to.searchTextCandidates(b.id, mbB.id, part, needle);
        const sqliteGot = await from.searchTextCandidates(a.id, mbA.id, part, needle);
        assert.ok(got && sqliteGot, `${mbA.name} ${part} ${needle}: both indexes narrow`);
        for (const u of got) assert.ok(sqliteGot.has(u), `${mbA.name} ${part} ${needle}: UID ${u} found on PostgreSQL only`);
        for (const t of texts) {
          const hit = (part !== 'body' && t.headers.includes(n)) || (part !== 'headers' && t.body.includes(n));
          if (hit) assert.ok(got.has(t.uid), `${mbA.name} ${part} ${needle}: UID ${t.uid} missing from the candidates`);
        }
        found += got.size;
      }
    }
  }
  assert.ok(found > compared, `${email}: the needles name messages (${found} candidates)`);
  return compared;
}

describe('letterbox migrate-storage', { timeout: 900_000 }, () => {
  let dir: string;
  let data: string;
  let db: TestDatabase;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lb-migrate-'));
    data = path.join(dir, 'data');
    db = await testDatabase();
  });
  after(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('copies the imported real corpus to PostgreSQL with every UID, flag and byte the same', async () => {
    for (const user of ['alice@example.com', 'bob@example.com']) {
      const r = await cli(['user', 'add', user, '--password-stdin', '--data-dir', data], 'pw\n');
      assert.equal(r.code, 0, r.stderr);
    }
    const imported = await cli(['import', 'alice@example.com', path.join(CORPUS, 'real'), '--data-dir', data]);
    assert.equal(imported.code, 0, imported.stderr);
    const n = Number(/imported (\d+) messages/.exec(imported.stdout)?.[1]);
    assert.ok(n > 3000, imported.stdout);
    const tricky = await cli(['import', 'bob@example.com', path.join(CORPUS, 'tricky'), '--data-dir', data, '--mailbox', 'Tricky']);
    assert.equal(tricky.code, 0, tricky.stderr);

    const sqlite = await openStore({ dataDir: data, storage: { kind: 'sqlite' } });
    try {
      await shapeSqlite(sqlite);
    } finally {
      await sqlite.close();
    }

    // Not while a server runs on the data directory; a server killed with SIGKILL leaves its row, which no longer counts.
    // One process: SIGKILL then leaves no worker behind that is still finishing its sessions (test/scale-out/workers.test.ts covers workers).
    const serving = await startServe(data, { extraYaml: 'serve:\n  workers: 1' });
    const refused = await cli(['migrate-storage', '--from', data, '--to', db.url]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      new RegExp(`^letterbox: a server is running on ${data.replace(/[.]/g, '\\.')} \\(${os.hostname()} pid ${serving.proc.pid}, started [\\dT:.Z-]+\\): stop it first; mail delivered during the copy would stay behind\n$`),
    );
    serving.proc.kill('SIGKILL');
    await serving.exited;

    // The source and the target as the new installation's settings give them: the data directory and the storage.
    const copied = await cli(['migrate-storage', '--data-dir', data, '--storage', db.url]);
    assert.equal(copied.code, 0, copied.stderr);
    assert.match(copied.stdout, /^copied 2 accounts, \d+ mailboxes, \d+ messages \(\d+ distinct bodies, [\d.]+ MiB\) to PostgreSQL at /);

    const from = await openStore({ dataDir: data, storage: { kind: 'sqlite' }, quota: QUOTA_DEFAULTS });
    const to = await openStore({ dataDir: data, storage: { kind: 'postgres', url: db.url }, quota: QUOTA_DEFAULTS });
    try {
      assert.deepEqual(
        (await to.listAccounts()).map((a) => a.email),
        ['alice@example.com', 'bob@example.com'],
      );
      assert.deepEqual(
        [(await to.getQuota((await to.getAccount('alice@example.com'))!.id)).messageLimit, (await to.getQuota((await to.getAccount('bob@example.com'))!.id)).messageLimit],
        [null, QUOTA_DEFAULTS.messages],
        "alice's own no-limit and bob's default",
      );
      const alice = await compareAccount(from, to, 'alice@example.com');
      assert.ok(alice > n, 'INBOX and the copies in Archive and Trash');
      assert.ok((await compareAccount(from, to, 'bob@example.com')) > 100);
      // Copies share one body: PostgreSQL holds each distinct content of an account once.
      const bodies = Number((await adminQuery(db.url, 'SELECT COUNT(*) AS n FROM bodies')).rows[0].n);
      assert.ok(bodies < alice, `${bodies} bodies for ${alice} messages`);

      // The copy serves mail as a node would: new mail continues the same UID sequence.
      const acct = (await to.getAccount('alice@example.com'))!;
      const inbox = (await to.getMailbox(acct.id, 'INBOX'))!;
      const before = (await from.getMailbox((await from.getAccount('alice@example.com'))!.id, 'INBOX'))!;
      assert.equal(inbox.uidNext, before.uidNext);
    } finally {
      await from.close();
      await to.close();
    }

    const again = await cli(['migrate-storage', '--from', data, '--to', db.url]);
    assert.equal(again.code, 1);
    assert.equal(
      again.stderr,
      'letterbox: the target database already holds 2 of the accounts alice@example.com, bob@example.com; nothing was copied (copy into a database without these accounts)\n',
    );
    const missing = await cli(['migrate-storage', '--from', path.join(dir, 'nothing'), '--to', db.url]);
    assert.equal(missing.code, 66);
    assert.match(missing.stderr, /no SQLite store at .*letterbox\.db/);
    const noTarget = await cli(['migrate-storage', '--from', data]);
    assert.equal(noTarget.code, 64);
    assert.equal(noTarget.stderr, 'letterbox: no target: give --to postgres://user:password@host:port/database, or configure PostgreSQL storage (--storage, storage.url)\n');
  });
});
