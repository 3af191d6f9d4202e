/**
 * `letterbox who` and `letterbox kick`, run as another process against two running nodes on one store on
 * both backends (SQLite: two servers on one file; PostgreSQL: two nodes on one database): every node's
 * logged-in IMAP and POP3 sessions with their details, a filter by user, kick ending one user's sessions
 * on every node with `* BYE`, and what the operator is told when no server runs or one does not answer.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { imapflowClient } from '../support/imapflow.js';
import { login, loginPop3, exchange } from '../support/transcript.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };
const SERVER = `${os.hostname()} pid ${process.pid}`;

for (const backend of BACKENDS) {
  describe(`letterbox who and kick (${backend})`, () => {
    let one: TestServer;
    let two: TestServer;
    const cli = (args: string[]) => runCli([...args, ...one.cliArgs], '', NO_ENV);
    before(async () => {
      one = await startTestServer(backend);
      two = await startTestServer(backend, undefined, { shareWith: one });
      for (const u of ['alice', 'bob']) await one.addUser(`${u}@example.com`, 'pw');
    });
    after(async () => {
      await two.close();
      await one.close();
    });

    it("who lists every node's sessions: user, protocol, remote, TLS, mailbox, since, server, session; kick ends one user's everywhere", async () => {
      const start = Date.now();
      // alice: IMAP over TLS with INBOX selected on node one, IMAP in cleartext on node two, POP3 over TLS on node two.
      const flow = imapflowClient(one, 'alice@example.com', 'pw');
      await flow.connect();
      await flow.mailboxOpen('INBOX');
      const plain = await login(two.imapPort, 'alice@example.com');
      const pop = await loginPop3(two, 'TLS', 'alice@example.com');
      const bob = await login(one.imapPort, 'bob@example.com');
      await bob.command('s', 'SELECT Archive');

      const r = await cli(['who']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const [head, ...rows] = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
      assert.deepEqual(head, ['USER', 'PROTOCOL', 'REMOTE', 'TLS', 'MAILBOX', 'SINCE', 'SERVER', 'SESSION']);
      assert.deepEqual(
        rows.map((row) => row.slice(0, 5)).sort(),
        [
          ['alice@example.com', 'imap', '127.0.0.1', 'no', '-'],
          ['alice@example.com', 'imap', '127.0.0.1', 'yes', 'INBOX'],
          ['alice@example.com', 'pop3', '127.0.0.1', 'yes', 'INBOX'],
          ['bob@example.com', 'imap', '127.0.0.1', 'no', 'Archive'],
        ],
      );
      for (const row of rows) {
        const since = Date.parse(row[5]!);
        assert.ok(since >= start - 1000 && since <= Date.now(), `since ${row[5]}`);
        assert.equal(row[6], SERVER);
        assert.match(row[7]!, /^[A-Za-z0-9_-]{8}$/);
      }

      const onlyBob = await cli(['who', 'BOB@example.com']);
      assert.deepEqual(onlyBob.stdout.trimEnd().split('\n').slice(1).map((l) => l.split('\t').slice(0, 5)), [['bob@example.com', 'imap', '127.0.0.1', 'no', 'Archive']]);

      const kick = await cli(['kick', 'alice@example.com']);
      assert.equal(kick.code, 0, kick.stderr);
      const ended = kick.stdout.trimEnd().split('\n').sort();
      assert.equal(ended.length, 3);
      for (const line of ended) assert.match(line, new RegExp(`^ended (imap|pop3) session [A-Za-z0-9_-]{8} of alice@example\\.com from 127\\.0\\.0\\.1 on ${SERVER}$`));
      assert.equal(await plain.readLine(10_000), '* BYE Disconnected by the administrator.');
      assert.equal(await plain.closedByServer(5000), true);
      assert.equal(await pop.readLine(10_000), '-ERR [SYS/TEMP] Disconnected by the administrator.');
      assert.equal(await pop.closedByServer(5000), true);
      await new Promise<void>((resolve) => (flow.usable ? flow.once('close', () => resolve()) : resolve()));
      await exchange(bob, 'n', 'NOOP', ['n OK NOOP completed']);

      const after = await cli(['who']);
      assert.deepEqual(after.stdout.trimEnd().split('\n').slice(1).map((l) => l.split('\t')[0]), ['bob@example.com']);
      const again = await login(one.imapPort, 'alice@example.com');
      await exchange(again, 'n', 'NOOP', ['n OK NOOP completed']);
      again.close();
      bob.close();

      const nobody = await cli(['kick', 'carol@example.com']);
      assert.equal(nobody.code, 67);
      assert.equal(nobody.stderr, 'letterbox: no such user: carol@example.com (create it with "letterbox user add carol@example.com")\n');
    });
  });
}

describe('letterbox who without servers', () => {
  it('says so when no server runs on the store, and names a server that does not answer', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-who-'));
    const add = await runCli(['user', 'add', 'dave@example.com', '--password-stdin', '--data-dir', dataDir], 'pw\n', NO_ENV);
    assert.equal(add.code, 0, add.stderr);
    let r = await runCli(['who', '--data-dir', dataDir], '', NO_ENV);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `no server is running on SQLite in ${path.join(dataDir, 'letterbox.db')}\n`);
    r = await runCli(['kick', 'dave@example.com', '--data-dir', dataDir], '', NO_ENV);
    assert.equal(r.stdout, 'dave@example.com has no sessions\n');

    // A node on another machine that stopped answering but whose heartbeat is recent: named, not guessed at.
    const { openStore } = await import('../../src/store/open.js');
    const store = await openStore({ dataDir, storage: { kind: 'sqlite' } });
    await store.putNode({ id: 'gone', host: 'mail9.example.net', pid: 77, startedAt: Date.now(), seenAt: Date.now() });
    await store.close();
    r = await runCli(['who', '--data-dir', dataDir], '', NO_ENV);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /^letterbox: warning: the server on mail9\.example\.net pid 77 \(heartbeat \d+ s ago\) did not answer; its sessions are not listed\n$/);
    assert.equal(r.stdout, 'no sessions on 1 running server\n');
  });
});
