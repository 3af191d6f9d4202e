/**
 * `letterbox deliver` as an MTA runs it: message on stdin, sysexits(3) status, into the same data as a
 * running server, whose IDLE clients see the message.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { CliError } from '../../src/cli/context.js';
import { asDeliveryError, readInput } from '../../src/cli/deliver.js';
import { StoreError } from '../../src/store/types.js';
import { SQLITE_FILE } from '../../src/store/open.js';
import { runCli } from '../support/cli.js';
import { login } from '../support/transcript.js';
import { startTestServer, type TestServer } from '../support/server.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '' };

describe('letterbox deliver', () => {
  let srv: TestServer;
  let n = 0;
  let user = '';
  before(async () => {
    srv = await startTestServer('sqlite');
  });
  after(async () => srv.close());
  beforeEach(async () => {
    user = `lda${++n}@example.com`;
    await srv.addUser(user, 'pw');
  });

  const deliver = (args: string[], input: string) => runCli(['deliver', '--data-dir', srv.dataDir, ...args], input, NO_ENV);

  async function bodies(mailbox: string): Promise<string[]> {
    const c = await login(srv.imapPort, user);
    try {
      assert.match((await c.command('s', `SELECT "${mailbox}"`)).at(-1)!, /^s OK /);
      const lines = await c.command('f', 'FETCH 1:* BODY.PEEK[]');
      if (lines.at(-1)!.startsWith('f BAD')) return [];
      return lines.slice(0, -1).map((l) => /^\* \d+ FETCH \(BODY\[\] \{\d+\}\r\n([\s\S]*)\)$/.exec(l)![1]!);
    } finally {
      c.close();
    }
  }

  it('delivers to INBOX while the server runs; its IDLE client sees the message; -f adds Return-Path', async () => {
    const i = await login(srv.imapPort, user);
    await i.command('s', 'SELECT INBOX');
    i.send('i IDLE');
    assert.equal(await i.readLine(), '+ idling');
    const r = await deliver(['-f', 'bob@example.org', user.toUpperCase()], 'From bob@example.org Sat Nov 21 10:00:00 2026\nSubject: via deliver\n\nhello\n');
    assert.deepEqual(r, { code: 0, stdout: '', stderr: '' });
    // Another process's commit is seen by polling (every 250 ms); allow for a loaded machine.
    assert.equal(await i.readLine(3000), '* 1 EXISTS');
    assert.equal(await i.readLine(), '* 1 RECENT');
    i.send('DONE');
    assert.equal(await i.readLine(), 'i OK IDLE terminated');
    i.close();
    assert.deepEqual(await bodies('INBOX'), ['Return-Path: <bob@example.org>\r\nSubject: via deliver\r\n\r\nhello\r\n']);
  });

  it('delivers into an existing folder named by +folder or --mailbox, never creating one', async () => {
    const [local, domain] = user.split('@');
    assert.equal((await deliver([`${local}+Archive@${domain}`], 'Subject: a\r\n\r\na\r\n')).code, 0);
    assert.equal((await deliver(['-m', 'Junk', `${local}+Archive@${domain}`], 'Subject: b\r\n\r\nb\r\n')).code, 0);
    assert.equal((await deliver(['--mailbox', 'Nope/Never', user], 'Subject: c\r\n\r\nc\r\n')).code, 0);
    assert.equal((await deliver(['-f', '', user], 'Subject: d\r\n\r\nd\r\n')).code, 0);
    assert.deepEqual(await bodies('Archive'), ['Subject: a\r\n\r\na\r\n']);
    assert.deepEqual(await bodies('Junk'), ['Subject: b\r\n\r\nb\r\n']);
    assert.deepEqual(await bodies('INBOX'), ['Subject: c\r\n\r\nc\r\n', 'Return-Path: <>\r\nSubject: d\r\n\r\nd\r\n']);
    assert.equal(await srv.store.getMailbox((await srv.store.getAccount(user))!.id, 'Nope'), null);
  });

  it('exits 67 for an unknown user, 65 for an empty message, 78 without a data directory', async () => {
    assert.deepEqual(await deliver(['nobody@example.com'], 'Subject: x\r\n\r\nx\r\n'), { code: 67, stdout: '', stderr: 'letterbox: no such user: nobody@example.com\n' });
    assert.deepEqual(await deliver([user], ''), { code: 65, stdout: '', stderr: 'letterbox: empty message: nothing on standard input\n' });
    const missing = path.join(await mkdtemp(path.join(os.tmpdir(), 'lb-lda-')), 'nope');
    const r = await runCli(['deliver', '--data-dir', missing, user], 'Subject: x\r\n\r\nx\r\n', NO_ENV);
    assert.equal(r.code, 78);
    assert.match(r.stderr, /^letterbox: no data directory at /);
  });

  it('exits 75 (EX_TEMPFAIL) when the database stays locked, so the MTA retries', async () => {
    const db = new Database(path.join(srv.dataDir, SQLITE_FILE));
    db.exec('BEGIN EXCLUSIVE');
    try {
      const r = await deliver([user], 'Subject: locked\r\n\r\nx\r\n');
      assert.equal(r.code, 75, r.stderr);
      assert.match(r.stderr, /^letterbox: not delivered, try again later: the database is busy \(SQLITE_BUSY/);
    } finally {
      db.exec('ROLLBACK');
      db.close();
    }
    assert.deepEqual(await bodies('INBOX'), []);
  });

  it('gives each failure its sysexits status', () => {
    const status = (err: unknown) => {
      const e = asDeliveryError(err);
      return e instanceof CliError ? e.exitCode : 'unchanged';
    };
    const coded = (code: string) => Object.assign(new Error(code.toLowerCase()), { code });
    assert.equal(status(new StoreError('OVERQUOTA', 'Quota exceeded')), 75);
    assert.equal(status(Object.assign(new StoreError('OVERQUOTA', 'Quota exceeded'), { permanent: true })), 73);
    assert.equal(status(new StoreError('NONEXISTENT', 'gone')), 67);
    assert.equal(status(new StoreError('LIMIT', 'too many')), 75);
    assert.equal(status(coded('SQLITE_BUSY')), 75);
    assert.equal(status(coded('SQLITE_LOCKED_SHAREDCACHE')), 75);
    assert.equal(status(coded('SQLITE_FULL')), 75);
    assert.equal(status(coded('SQLITE_IOERR_WRITE')), 75);
    assert.equal(status(coded('SQLITE_CANTOPEN')), 78);
    assert.equal(status(coded('SQLITE_READONLY')), 78);
    assert.equal(status(coded('EACCES')), 78);
    assert.equal(status(new CliError('no data directory at /x', 66)), 78);
    assert.equal(status(new CliError('no such user: x', 67)), 67);
    assert.equal(status(new TypeError('a bug')), 'unchanged');
  });

  it('reads at most the size limit (exit 65 past it) and normalises the input', async () => {
    const feed = (text: string) => {
      const s = new PassThrough();
      s.end(text);
      return s;
    };
    assert.deepEqual((await readInput(feed('From x\nA: b\n\nc\n'), 100)).toString(), 'A: b\r\n\r\nc\r\n');
    await assert.rejects(readInput(feed('A: b\r\n\r\n' + 'x'.repeat(200)), 100), (err: Error & { exitCode: number }) => err.exitCode === 65 && /message too large/.test(err.message));
    await assert.rejects(readInput(feed('x'.repeat(5000)), 100), (err: Error & { exitCode: number }) => err.exitCode === 65);
  });
});
