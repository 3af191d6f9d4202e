/**
 * Scale-out: two real `letterbox serve` processes (bin/letterbox.js) on one PostgreSQL database serve one
 * mailbox consistently: a session IDLE on node A sees what a session on node B appends, flags and expunges
 * (LISTEN/NOTIFY between the nodes), and the other way round, also after the nodes' listening connections
 * were cut; UIDs stay one sequence across nodes.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { append, login } from '../support/transcript.js';
import { adminQuery, testDatabase, type TestDatabase } from '../support/postgres.js';
import { startServe } from '../support/server.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };
const MSG = (n: number) => `From: a@example.com\r\nTo: b@example.com\r\nSubject: node test ${n}\r\n\r\nBody ${n}.\r\n`;

interface Node {
  proc: ChildProcess;
  port: number;
  dataDir: string;
}

/** startNode runs `letterbox serve` on PostgreSQL at `url` (test/support/server.ts startServe) and resolves when it logs ready. */
async function startNode(url: string): Promise<Node> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-node-'));
  // One process per node: the test counts each node's LISTEN connection (workers.test.ts covers workers).
  const serve = await startServe(dataDir, { storage: url, extraYaml: 'serve:\n  workers: 1' });
  return { proc: serve.proc, port: serve.imapPort, dataDir };
}

async function stopNode(n: Node): Promise<void> {
  if (n.proc.exitCode === null) {
    const exited = new Promise((resolve) => n.proc.once('exit', resolve));
    n.proc.kill('SIGTERM');
    await exited;
  }
  await rm(n.dataDir, { recursive: true, force: true });
}

describe('two letterbox nodes on one PostgreSQL', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let a: Node;
  let b: Node;
  before(async () => {
    db = await testDatabase();
    const migrated = await runCli(['migrate', '--storage', db.url], '', NO_ENV);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /schema upgraded from version 0 to \d+/);
    const added = await runCli(['user', 'add', 'alice@example.com', '--password-stdin', '--storage', db.url], 'pw\n', NO_ENV);
    assert.equal(added.code, 0, added.stderr);
    [a, b] = await Promise.all([startNode(db.url), startNode(db.url)]);
  });
  after(async () => {
    await Promise.all([a && stopNode(a), b && stopNode(b)]);
    await db?.drop();
  });

  // Read timeouts are generous for a loaded machine; on an idle one the updates arrive in milliseconds.
  it('IDLE on one node sees appends, flag changes and expunges made through the other, both ways', async () => {
    const ca = await login(a.port, 'alice@example.com');
    const cb = await login(b.port, 'alice@example.com');
    await ca.command('s', 'SELECT INBOX');
    ca.send('i IDLE');
    assert.equal(await ca.readLine(), '+ idling');

    assert.match(await append(cb, 'b1', 'INBOX', MSG(1)), /^b1 OK \[APPENDUID \d+ 1\]/);
    assert.equal(await ca.readLine(5000), '* 1 EXISTS');
    // A has INBOX selected, B not: the new message is \Recent in A (RFC 3501 section 2.3.2).
    assert.equal(await ca.readLine(5000), '* 1 RECENT');
    await cb.command('s', 'SELECT INBOX');
    await cb.command('t', 'STORE 1 +FLAGS.SILENT (\\Flagged)');
    assert.equal(await ca.readLine(5000), '* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))');

    // The other way: B idles, A changes.
    cb.send('j IDLE');
    assert.equal(await cb.readLine(), '+ idling');
    ca.send('DONE');
    assert.equal(await ca.readLine(), 'i OK IDLE terminated');
    await ca.command('t', 'STORE 1 +FLAGS.SILENT (\\Seen)');
    assert.equal(await cb.readLine(5000), '* 1 FETCH (UID 1 FLAGS (\\Seen \\Flagged))');
    assert.match(await append(ca, 'a2', 'INBOX', MSG(2)), /^a2 OK \[APPENDUID \d+ 2\]/);
    assert.equal(await cb.readLine(5000), '* 2 EXISTS');
    // \Recent in whichever of A (ending its APPEND) and B (in IDLE) learns of it first.
    assert.match(await cb.readLine(5000), /^\* [01] RECENT$/);
    await ca.command('d', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    assert.equal(await cb.readLine(5000), '* 1 FETCH (UID 1 FLAGS (\\Seen \\Flagged \\Deleted))');
    await ca.command('e', 'EXPUNGE');
    assert.equal(await cb.readLine(5000), '* 1 EXPUNGE');
    cb.send('DONE');
    assert.equal(await cb.readLine(), 'j OK IDLE terminated');

    // Both nodes agree on what is there (\Recent apart: it belongs to one session).
    const stored = (lines: string[]): string[] => lines.map((l) => l.replace(/ ?\\Recent/, ''));
    const fa = stored(await ca.command('f', 'UID FETCH 1:* (FLAGS)'));
    const fb = stored(await cb.command('f', 'UID FETCH 1:* (FLAGS)'));
    assert.deepEqual(fa, ['* 1 FETCH (UID 2 FLAGS ())', 'f OK UID FETCH completed']);
    assert.deepEqual(fb, fa);
    ca.close();
    cb.close();
  });

  it('a node whose listening connection is cut reconnects, and its IDLE sessions still see the other node\'s changes', async () => {
    const ca = await login(a.port, 'alice@example.com');
    const cb = await login(b.port, 'alice@example.com');
    await ca.command('c', 'CREATE Cut');
    await ca.command('s', 'SELECT Cut');
    ca.send('i IDLE');
    assert.equal(await ca.readLine(), '+ idling');
    // Both nodes' LISTEN connections, as a PostgreSQL restart or a network cut would drop them.
    const killed = await adminQuery(
      db.url,
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'letterbox-listen %'",
    );
    assert.equal(killed.rowCount, 2);
    assert.match(await append(cb, 'b1', 'Cut', MSG(300)), /^b1 OK \[APPENDUID \d+ 1\]/);
    assert.equal(await ca.readLine(10_000), '* 1 EXISTS');
    assert.equal(await ca.readLine(10_000), '* 1 RECENT');
    // Listening again: a later change arrives as before.
    await cb.command('s', 'SELECT Cut');
    await cb.command('t', 'STORE 1 +FLAGS.SILENT (\\Answered)');
    assert.equal(await ca.readLine(10_000), '* 1 FETCH (UID 1 FLAGS (\\Answered \\Recent))');
    ca.send('DONE');
    assert.equal(await ca.readLine(), 'i OK IDLE terminated');
    ca.close();
    cb.close();
  });

  it('a change acknowledged on one node shows at the very next command of a session on the other', async () => {
    const ca = await login(a.port, 'alice@example.com');
    const cb = await login(b.port, 'alice@example.com');
    await ca.command('c', 'CREATE Next');
    await ca.command('s', 'SELECT Next');
    await cb.command('s', 'SELECT Next');
    // Twenty times: B's APPEND, STORE and EXPUNGE get their tagged OK, then A's very next command reports
    // each, whether or not node A has had B's notification yet (it reads the committed HIGHESTMODSEQ).
    for (let i = 1; i <= 20; i++) {
      assert.match(await append(cb, 'b1', 'Next', MSG(400 + i)), /^b1 OK /);
      assert.deepEqual(await ca.command('n1', 'NOOP'), ['* 1 EXISTS', '* 0 RECENT', 'n1 OK NOOP completed']);
      assert.deepEqual(await cb.command('b2', 'STORE 1 +FLAGS.SILENT (\\Deleted)'), ['b2 OK STORE completed']);
      // FETCH answers from the session's view, then the update follows within the same command.
      assert.deepEqual(await ca.command('f1', 'FETCH 1 (FLAGS)'), ['* 1 FETCH (FLAGS ())', `* 1 FETCH (UID ${i} FLAGS (\\Deleted))`, 'f1 OK FETCH completed']);
      assert.deepEqual(await cb.command('b3', 'EXPUNGE'), ['* 1 EXPUNGE', 'b3 OK EXPUNGE completed']);
      assert.deepEqual(await ca.command('n2', 'NOOP'), ['* 1 EXPUNGE', 'n2 OK NOOP completed']);
    }
    ca.close();
    cb.close();
  });

  it('appends through both nodes at once get one sequence of UIDs', async () => {
    const ca = await login(a.port, 'alice@example.com');
    const cb = await login(b.port, 'alice@example.com');
    await ca.command('c', 'CREATE Both');
    const replies = await Promise.all([
      (async () => {
        const out: string[] = [];
        for (let i = 0; i < 10; i++) out.push(await append(ca, `a${i}`, 'Both', MSG(100 + i)));
        return out;
      })(),
      (async () => {
        const out: string[] = [];
        for (let i = 0; i < 10; i++) out.push(await append(cb, `b${i}`, 'Both', MSG(200 + i)));
        return out;
      })(),
    ]);
    const uids = replies
      .flat()
      .map((r) => Number(/APPENDUID \d+ (\d+)\]/.exec(r)?.[1]))
      .sort((x, y) => x - y);
    assert.deepEqual(uids, Array.from({ length: 20 }, (_, i) => i + 1));
    const status = await cb.command('st', 'STATUS Both (MESSAGES UIDNEXT)');
    assert.match(status[0]!, /^\* STATUS Both \(MESSAGES 20 UIDNEXT 21\)$/);
    ca.close();
    cb.close();
  });
});
