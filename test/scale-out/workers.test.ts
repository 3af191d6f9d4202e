/**
 * One `letterbox serve` with two worker processes (serve.workers: 2), on SQLite and on PostgreSQL: the
 * primary hands connections to the worker with the fewest, so two sessions are served by two processes; a
 * session IDLE in one worker sees at once what a session in the other appends, flags and expunges (and NOOP
 * shows it at the next command); a worker killed with SIGKILL is replaced while the other goes on serving;
 * /health names the listeners and /metrics sums the workers' sessions; LMTP connections all go to one worker
 * on SQLite and are spread on PostgreSQL. Connections made while the workers start wait and are then spread
 * over both.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { testDatabase, type TestDatabase } from '../support/postgres.js';
import { startServe, type ServeProcess } from '../support/server.js';
import { LmtpClient, RawClient } from '../support/line-client.js';
import { append, login } from '../support/transcript.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };
const MSG = (n: number) => `From: a@example.com\r\nTo: b@example.com\r\nSubject: worker test ${n}\r\n\r\nBody ${n}.\r\n`;

/** sessionPids runs `letterbox who` and returns the server pid of each session (its SERVER column, "host pid N"). */
async function sessionPids(storage: string[]): Promise<number[]> {
  const who = await runCli(['who', ...storage], '', NO_ENV);
  assert.equal(who.code, 0, who.stderr);
  return who.stdout
    .split('\n')
    .slice(1)
    .filter((l) => l.includes('@'))
    .map((l) => Number(/\bpid (\d+)\b/.exec(l)?.[1]));
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`letterbox serve with two workers [${backend}]`, { timeout: 180_000 }, () => {
    let dataDir: string;
    let db: TestDatabase | undefined;
    let serve: ServeProcess;
    let storage: string[];
    let adminPort: number;
    before(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-workers-'));
      db = backend === 'postgres' ? await testDatabase() : undefined;
      storage = db ? ['--storage', db.url] : ['--data-dir', dataDir];
      const added = await runCli(['user', 'add', 'alice@example.com', '--password-stdin', ...storage], 'pw\n', NO_ENV);
      assert.equal(added.code, 0, added.stderr);
      adminPort = await freePort();
      serve = await startServe(dataDir, { storage: db?.url, extraYaml: ['serve:', '  workers: 2', 'admin:', '  host: 127.0.0.1', `  port: ${adminPort}`].join('\n') });
    });
    after(async () => {
      if (serve?.proc.exitCode === null) {
        serve.proc.kill('SIGTERM');
        assert.equal(await serve.exited, 0);
      }
      await db?.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('serves two sessions from two processes; IDLE and NOOP in one see the changes made in the other at once', async () => {
      const ca = await login(serve.imapPort, 'alice@example.com');
      const cb = await login(serve.imapPort, 'alice@example.com');
      const pids = await sessionPids(storage);
      assert.equal(pids.length, 2);
      assert.notEqual(pids[0], pids[1], `both sessions in one worker: ${pids.join(', ')}`);
      assert.ok(!pids.includes(serve.proc.pid!), 'the primary serves no session');

      await ca.command('s', 'SELECT INBOX');
      ca.send('i IDLE');
      assert.equal(await ca.readLine(), '+ idling');
      assert.match(await append(cb, 'b1', 'INBOX', MSG(1)), /^b1 OK \[APPENDUID \d+ 1\]/);
      assert.equal(await ca.readLine(5000), '* 1 EXISTS');
      assert.equal(await ca.readLine(5000), '* 1 RECENT');
      await cb.command('s', 'SELECT INBOX');
      await cb.command('t', 'STORE 1 +FLAGS.SILENT (\\Flagged)');
      assert.equal(await ca.readLine(5000), '* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))');
      ca.send('DONE');
      assert.equal(await ca.readLine(), 'i OK IDLE terminated');

      // NOOP: the change is there at the next command, without waiting for any notification.
      await ca.command('t', 'STORE 1 +FLAGS.SILENT (\\Seen)');
      assert.deepEqual(await cb.command('n', 'NOOP'), ['* 1 FETCH (UID 1 FLAGS (\\Seen \\Flagged))', 'n OK NOOP completed']);
      await ca.command('d', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
      await ca.command('e', 'EXPUNGE');
      // The flag change of a message expunged since is not told: only its expunge.
      assert.deepEqual(await cb.command('n', 'NOOP'), ['* 1 EXPUNGE', 'n OK NOOP completed']);
      ca.close();
      cb.close();
    });

    it('/health names each listener; /metrics sums the sessions of both workers', async () => {
      const ca = await login(serve.imapPort, 'alice@example.com');
      const cb = await login(serve.imapPort, 'alice@example.com');
      const health = await fetch(`http://127.0.0.1:${adminPort}/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok', checks: { server: 'ok', imap: 'ok', lmtp: 'ok', store: 'ok' } });
      // The sessions of the test before end as their LOGOUT is read: wait for the count to settle at these two.
      let sessions = '';
      for (let i = 0; i < 50 && sessions !== '2'; i++) {
        const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
        sessions = /^letterbox_sessions (\d+)$/m.exec(metrics)?.[1] ?? '';
        if (sessions !== '2') await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(sessions, '2', 'the sum over both workers');
      ca.close();
      cb.close();
    });

    it(backend === 'sqlite' ? 'hands every LMTP connection to one worker, whose deliveries share commits' : 'spreads LMTP connections over both workers', async () => {
      const clients = await Promise.all([1, 2, 3, 4].map(() => LmtpClient.connect(serve.lmtpPort)));
      const from = serve.output().length;
      for (const [i, c] of clients.entries()) {
        assert.equal((await c.command('LHLO mta')).at(-1)!.slice(0, 4), '250 ');
        assert.deepEqual(await c.command('MAIL FROM:<mta@example.org>'), ['250 2.1.0 Accepted']);
        assert.deepEqual(await c.command('RCPT TO:<alice@example.com>'), ['250 2.1.5 Accepted']);
        assert.deepEqual(await c.command('DATA'), ['354 End data with <CR><LF>.<CR><LF>']);
        c.write(`${MSG(100 + i)}.\r\n`);
        assert.deepEqual(await c.readReply(), ['250 2.6.0 <alice@example.com> delivered to INBOX']);
      }
      for (const c of clients) c.close();
      // Each delivery's log line names the worker that made it.
      const workers = serve
        .output()
        .slice(from)
        .split('\n')
        .filter((l) => l.includes('LMTP: delivered'))
        .map((l) => (JSON.parse(l) as { worker: number }).worker);
      assert.equal(workers.length, 4, serve.output().slice(from));
      assert.equal(new Set(workers).size, backend === 'sqlite' ? 1 : 2, `workers: ${workers.join(', ')}`);
    });

    it('a worker killed with SIGKILL is replaced; the other serves on meanwhile', async () => {
      const ca = await login(serve.imapPort, 'alice@example.com');
      const [victim] = await sessionPids(storage);
      const from = serve.output().length;
      process.kill(victim!, 'SIGKILL');
      await serve.waitForLog('restarted', from, 20_000);
      // The session of the killed worker is gone; new sessions are served (by the survivor or the new worker).
      const cb = await login(serve.imapPort, 'alice@example.com');
      assert.match((await cb.command('s', 'SELECT INBOX')).at(-1)!, /^s OK \[READ-WRITE\]/);
      cb.close();
      ca.close();
      assert.equal(serve.proc.exitCode, null, 'the primary still runs');
    });
  });
}

/** accepts resolves once a TCP connection to 127.0.0.1:`port` succeeds (closed at once), polling every 10 ms until `ms` pass. */
async function accepts(port: number, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; ; ) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing accepted on port ${port} in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('letterbox serve with two workers: connections made while they start', { timeout: 120_000 }, () => {
  it('wait until both workers are ready and are then served by both, not all by the first ready', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-workers-start-'));
    let serve: ServeProcess | undefined;
    try {
      const added = await runCli(['user', 'add', 'alice@example.com', '--password-stdin', '--data-dir', dataDir], 'pw\n', NO_ENV);
      assert.equal(added.code, 0, added.stderr);
      serve = await startServe(dataDir, { extraYaml: ['serve:', '  workers: 2'].join('\n'), waitReady: false });
      // The primary binds the listeners before it starts the workers; connect as soon as it accepts.
      await accepts(serve.imapPort);
      // The greetings come once the workers are ready, which under the load of the whole suite has taken over 5 s.
      const connecting = Promise.all([RawClient.connect(serve.imapPort, { greetingMs: 60_000 }), RawClient.connect(serve.imapPort, { greetingMs: 60_000 })]);
      assert.ok(!serve.output().includes('Letterbox ready'), `connected only once the server was ready: ${serve.output()}`);
      const [ca, cb] = await connecting;
      for (const c of [ca, cb]) assert.match((await c.command('L', 'LOGIN alice@example.com "pw"')).at(-1)!, /^L OK /);
      const pids = await sessionPids(['--data-dir', dataDir]);
      assert.equal(pids.length, 2);
      assert.notEqual(pids[0], pids[1], `both early sessions in one worker: ${pids.join(', ')}`);
      ca.close();
      cb.close();
    } finally {
      if (serve?.proc.exitCode === null) {
        serve.proc.kill('SIGTERM');
        await serve.exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
