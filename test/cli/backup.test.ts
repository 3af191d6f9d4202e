/**
 * `letterbox backup` and `letterbox restore` against a running `letterbox serve`: a backup taken while a
 * client keeps appending is consistent and checked, private (0700/0600), a data directory at once (a
 * server starts on it and serves the mail), and is restored only with the server stopped, keeping the
 * database it replaces. PostgreSQL is sent to pg_dump.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer } from '../../src/index.js';
import { openStore } from '../../src/store/open.js';
import { runCli } from '../support/cli.js';
import { append, login, msg } from '../support/transcript.js';
import { testDatabase } from '../support/postgres.js';
import { startServe, type ServeProcess } from '../support/server.js';

const run = promisify(execFile);
const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };
const CORPUS = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, '', { ...NO_ENV, ...env });

/** inboxCount opens the SQLite store of `dataDir` and counts alice's INBOX. */
async function inboxCount(dataDir: string): Promise<number> {
  const store = await openStore({ dataDir, storage: { kind: 'sqlite' } });
  try {
    const a = (await store.getAccount('alice@example.com'))!;
    return (await store.listMessages(a.id, (await store.getMailbox(a.id, 'INBOX'))!.id)).length;
  } finally {
    await store.close();
  }
}

describe('letterbox backup and restore (SQLite)', { timeout: 600_000 }, () => {
  let tmp: string;
  let data: string;
  let server: ServeProcess | null = null;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lb-backup-'));
    data = path.join(tmp, 'data');
    let r = await runCli(['user', 'add', 'alice@example.com', '--password-stdin', '--data-dir', data], 'pw\n', NO_ENV);
    assert.equal(r.code, 0, r.stderr);
    // Tens of MiB, so that the copy takes many steps while the client below writes.
    r = await cli(['import', 'alice@example.com', path.join(CORPUS, 'real'), '--data-dir', data]);
    assert.equal(r.code, 0, r.stderr);
    server = await startServe(data);
  });
  after(async () => {
    server?.proc.kill('SIGKILL');
    await rm(tmp, { recursive: true, force: true });
  });

  it('copies the store while a client appends: consistent, checked, private, a data directory at once', async () => {
    const c = await login(server!.imapPort, 'alice@example.com');
    let appended = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        assert.match(await append(c, `a${appended}`, 'INBOX', msg(`Subject: during the backup ${appended}`, '', 'x'.repeat(2000))), /OK/);
        appended++;
      }
    })();
    const before = await inboxCount(data);
    const backup = path.join(tmp, 'backup');
    const r = await cli(['backup', backup, '--data-dir', data], { LETTERBOX_PROGRESS_INTERVAL: '0' });
    writing = false;
    await writer;
    c.close();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^backed up ${path.join(data, 'letterbox.db').replace(/[.]/g, '\\.')} \\(\\d+\\.\\d MiB, checked\\) to ${backup.replace(/[.]/g, '\\.')}; use it with --data-dir `));
    const lines = r.stderr.trimEnd().split('\n');
    for (const line of lines) assert.match(line, /^backing up: [\d.]+ of [\d.]+ MiB \(\d+%\), [\d.]+ MiB\/s(, about [\d a-z]+ left)?$/);
    assert.match(lines.at(-1)!, /^backing up: ([\d.]+) of \1 MiB \(100%\)/);
    assert.ok(appended > 0, 'the client wrote during the backup');

    const copied = await inboxCount(backup);
    assert.ok(copied >= before && copied <= before + appended, `${copied} messages: ${before} before the backup, ${appended} appended during it`);
    assert.equal((await stat(backup)).mode & 0o777, 0o700);
    for (const f of await readdir(backup, { recursive: true })) {
      const st = await stat(path.join(backup, f));
      assert.equal(st.mode & 0o777, st.isDirectory() ? 0o700 : f.endsWith('.crt') ? 0o644 : 0o600, f);
    }
    assert.ok((await readdir(backup)).includes('tls'), 'the generated certificate comes along');

    // A data directory at once: a server starts on it and serves the copied mail.
    const second = await startServe(backup);
    try {
      const b = await login(second.imapPort, 'alice@example.com');
      const status = await b.command('s', 'STATUS INBOX (MESSAGES)');
      assert.equal(status[0], `* STATUS INBOX (MESSAGES ${copied})`);
      b.close();
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
    await rm(path.join(backup, 'letterbox.yaml'), { force: true });

    const again = await cli(['backup', backup, '--data-dir', data]);
    assert.equal(again.code, 73);
    assert.equal(again.stderr, `letterbox: ${backup} is not empty: back up into a new or empty directory\n`);
  });

  it('restore: refused while the server runs; then puts the backup back and keeps the replaced database', async () => {
    const backup = path.join(tmp, 'backup');
    const inBackup = await inboxCount(backup);
    let r = await cli(['restore', backup, '--data-dir', data, '--yes']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^letterbox: a server is running on .*: stop it first; it would go on writing to the database being replaced\n$/);
    r = await cli(['restore', backup, '--data-dir', data]);
    assert.equal(r.code, 64, 'no --yes and no terminal to ask on');

    server!.proc.kill('SIGTERM');
    await server!.exited;
    server = null;
    const current = await inboxCount(data);
    assert.ok(current > inBackup, 'mail that came after the backup');
    r = await cli(['restore', backup, '--data-dir', data, '--yes']);
    assert.equal(r.code, 0, r.stderr);
    const kept = /kept as (.*letterbox\.db\.replaced-[\dT-]+Z)\n$/.exec(r.stdout)?.[1];
    assert.ok(kept, r.stdout);
    assert.match(r.stdout, /^restored .*backup\/letterbox\.db \(1 accounts\) into .*data\/letterbox\.db; the database it replaced is kept as /);
    assert.deepEqual(
      (await readdir(data)).filter((f) => f.startsWith('letterbox-search.db')),
      [],
      "the replaced database's full-text index is removed (the restored one's is built again)",
    );
    assert.equal(await inboxCount(data), inBackup);
    assert.equal((await stat(path.join(data, 'letterbox.db'))).mode & 0o777, 0o600);
    // The replaced database is whole on its own (its WAL was checkpointed into it before it moved).
    const aside = path.join(tmp, 'aside');
    await mkdir(aside);
    await rename(kept, path.join(aside, 'letterbox.db'));
    assert.equal(await inboxCount(aside), current);

    r = await cli(['restore', path.join(tmp, 'nothing'), '--data-dir', data, '--yes']);
    assert.equal(r.code, 66);
  });
});

describe('backup on PostgreSQL', () => {
  it('letterbox backup points to pg_dump', async () => {
    const db = await testDatabase();
    try {
      const r = await cli(['backup', path.join(os.tmpdir(), 'never'), '--storage', db.url]);
      assert.equal(r.code, 64);
      assert.equal(r.stderr, 'letterbox: the store is PostgreSQL: back it up with pg_dump and restore it with pg_restore (see "Data" in the README)\n');
    } finally {
      await db.drop();
    }
  });

  it("pg_dump and pg_restore, as the README shows them, copy a Letterbox database whole", async () => {
    const [from, to] = [await testDatabase(), await testDatabase()];
    const dump = path.join(os.tmpdir(), `lb-${process.pid}.dump`);
    try {
      const server = await startServer({ storage: from.url });
      await server.createUser('alice@example.com', 'pw');
      for (let i = 0; i < 3; i++) await server.deliver('alice@example.com', msg(`Subject: kept ${i}`, '', `body ${i}`));
      await server.close();
      await run('pg_dump', ['--format=custom', `--file=${dump}`, from.url]);
      await run('pg_restore', ['--no-owner', `--dbname=${to.url}`, dump]);
      const r = await cli(['mailbox', 'list', 'alice@example.com', 'INBOX', '--storage', to.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.split('\n')[1]!, /^INBOX\t3\t3\t\d+\t\d+\t4\t/);
      const restored = await startServer({ storage: to.url });
      try {
        assert.deepEqual(await restored.deliver('alice@example.com', msg('Subject: after', '', 'x')), { mailbox: 'INBOX', uid: 4 }, 'UIDs go on where they were');
      } finally {
        await restored.close();
      }
    } finally {
      await rm(dump, { force: true });
      await from.drop();
      await to.drop();
    }
  });
});
