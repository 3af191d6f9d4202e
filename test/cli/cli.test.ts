/**
 * The letterbox command line, run as an operator would (bin/letterbox.js as a child process), with the
 * results checked by opening the store directly.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, truncate, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { verifyPassword } from '../../src/auth/password.js';
import { MAX_LITERAL_OCTETS } from '../../src/limits.js';
import { openStore } from '../../src/store/open.js';
import { runCli } from '../support/cli.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };
const cli = (args: string[], input = '') => runCli(args, input, NO_ENV);

async function tmp(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'lb-cli-'));
}

interface Stored {
  mailbox: string;
  body: string;
  flags: string[];
  internalDate: number;
}

/** contents opens the store in `dataDir` and returns every message of `email`, by mailbox name then UID. */
async function contents(dataDir: string, email: string): Promise<{ mailboxes: string[]; messages: Stored[] }> {
  const store = await openStore({ dataDir, storage: { kind: 'sqlite' } });
  try {
    const account = await store.getAccount(email);
    assert.ok(account, `account ${email}`);
    const mailboxes = await store.listMailboxes(account.id);
    const messages: Stored[] = [];
    for (const mb of mailboxes) {
      const uids = (await store.listMessages(account.id, mb.id)).map((m) => m.uid);
      for (const rec of await store.getMessages(account.id, mb.id, uids)) {
        const body = (await store.readBody(account.id, rec.bodyId)).toString('latin1');
        messages.push({ mailbox: mb.name, body, flags: [...rec.flags].sort(), internalDate: rec.internalDate });
      }
    }
    return { mailboxes: mailboxes.map((m) => m.name), messages };
  } finally {
    await store.close();
  }
}

describe('letterbox --help', () => {
  it('describes every command and option', async () => {
    const top = await cli(['--help']);
    assert.equal(top.code, 0);
    for (const word of ['serve', 'user', 'mailbox', 'who', 'kick', 'import', 'export', 'backup', 'restore', 'deliver', 'migrate', 'migrate-storage', 'sieve', 'LETTERBOX_DATA_DIR', 'LETTERBOX_CONFIG', 'LETTERBOX_STORAGE']) assert.ok(top.stdout.includes(word), word);
    const serve = await cli(['serve', '--help']);
    for (const opt of ['--host', '--imap-port', '--imaps-port', '--pop3-port', '--pop3s-port', '--managesieve-port', '--outgoing-smtp', '--lmtp-host', '--lmtp-port', '--lmtp-socket', '--config', '--data-dir', '--storage', '--log-level']) assert.ok(serve.stdout.includes(opt), opt);
    const add = await cli(['user', 'add', '--help']);
    for (const opt of ['--password-stdin', '--data-dir', '--config']) assert.ok(add.stdout.includes(opt), opt);
    const del = await cli(['user', 'delete', '--help']);
    assert.ok(del.stdout.includes('--yes'));
    const imp = await cli(['import', '--help']);
    for (const opt of ['--mailbox', '--data-dir', '<email>', '<path>']) assert.ok(imp.stdout.includes(opt), opt);
    const mailbox = await cli(['mailbox', '--help']);
    for (const sub of ['list', 'create', 'delete', 'rename']) assert.ok(mailbox.stdout.includes(sub), sub);
    const exp = await cli(['export', '--help']);
    for (const opt of ['--format', '--mailbox', '<dir>']) assert.ok(exp.stdout.includes(opt), opt);
    const ms = await cli(['migrate-storage', '--help']);
    for (const opt of ['--from', '--to', '--config', '--data-dir', '--storage', '--log-level']) assert.ok(ms.stdout.includes(opt), opt);
    assert.ok(imp.stdout.includes('--skip-duplicates'));
    const create = await cli(['mailbox', 'create', '--help']);
    for (const opt of ['--special-use', '--data-dir', '--storage', '<name...>']) assert.ok(create.stdout.includes(opt), opt);
  });

  it('rejects a bad option value with a usage error', async () => {
    const r = await cli(['serve', '--imap-port', 'x']);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /expected a number from 0 to 65535/);
  });
});

describe('letterbox user', () => {
  let data: string;
  before(async () => {
    data = path.join(await tmp(), 'data');
  });

  it('adds, lists, changes the password of and deletes users', async () => {
    let r = await cli(['user', 'add', 'Alice@Example.com', '--password-stdin', '--data-dir', data], 'first secret\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'created user alice@example.com\n');
    r = await cli(['user', 'add', 'bob@example.com', '--password-stdin', '-d', data], 'bob pw');
    assert.equal(r.code, 0, r.stderr);

    r = await cli(['user', 'add', 'alice@example.com', '--password-stdin', '--data-dir', data], 'again\n');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^letterbox: user alice@example\.com already exists/);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack');

    r = await cli(['user', 'list', '--data-dir', data]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.split('\t')[0]), ['alice@example.com', 'bob@example.com']);

    const store = await openStore({ dataDir: data, storage: { kind: 'sqlite' } });
    const hashBefore = (await store.getAccount('alice@example.com'))!.passwordHash;
    assert.equal(await verifyPassword(hashBefore, 'first secret'), true, 'one trailing newline removed');
    assert.deepEqual((await store.listMailboxes((await store.getAccount('alice@example.com'))!.id)).map((m) => m.name).sort(), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    await store.close();

    r = await cli(['user', 'passwd', 'alice@example.com', '--password-stdin', '--data-dir', data], 'second secret\n');
    assert.equal(r.code, 0, r.stderr);
    const store2 = await openStore({ dataDir: data, storage: { kind: 'sqlite' } });
    assert.equal(await verifyPassword((await store2.getAccount('alice@example.com'))!.passwordHash, 'second secret'), true);
    await store2.close();

    r = await cli(['user', 'delete', 'bob@example.com', '--data-dir', data]);
    assert.equal(r.code, 64, 'stdin is not a terminal and no --yes');
    assert.match(r.stderr, /--yes/);
    r = await cli(['user', 'delete', 'bob@example.com', '--yes', '--data-dir', data]);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['user', 'list', '--data-dir', data]);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.split('\t')[0]), ['alice@example.com']);
  });

  it('reports bad input clearly', async () => {
    let r = await cli(['user', 'add', 'not-an-address', '--password-stdin', '--data-dir', data], 'pw');
    assert.equal(r.code, 64);
    assert.match(r.stderr, /^letterbox: invalid email address "not-an-address"/);
    r = await cli(['user', 'add', 'carol@example.com', '--password-stdin', '--data-dir', data], '\n');
    assert.equal(r.code, 64);
    assert.match(r.stderr, /password is empty/);
    r = await cli(['user', 'add', 'carol@example.com', '--data-dir', data]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /stdin is not a terminal: pass --password-stdin/);
    r = await cli(['user', 'passwd', 'nobody@example.com', '--password-stdin', '--data-dir', data], 'x');
    assert.equal(r.code, 67);
    assert.match(r.stderr, /no such user: nobody@example\.com/);
    r = await cli(['user', 'list', '--data-dir', path.join(data, 'missing')]);
    assert.equal(r.code, 66);
    assert.match(r.stderr, /no data directory at /);
  });

  it('takes the data directory from LETTERBOX_DATA_DIR and the config file', async () => {
    let r = await runCli(['user', 'list'], '', { LETTERBOX_DATA_DIR: data, LETTERBOX_CONFIG: '' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^alice@example\.com\t/);
    const dir = await tmp();
    const conf = path.join(dir, 'letterbox.yaml');
    await writeFile(conf, `data_dir: ${JSON.stringify(path.relative(dir, data))}\n`);
    r = await cli(['user', 'list', '--config', conf]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^alice@example\.com\t/);
  });

  it('names the bad key of a config file', async () => {
    const dir = await tmp();
    const conf = path.join(dir, 'letterbox.yaml');
    await writeFile(conf, 'imap:\n  port: 99999\n');
    const r = await cli(['user', 'list', '--config', conf]);
    assert.equal(r.code, 78);
    assert.equal(r.stderr, `letterbox: config error in ${conf}: imap.port: expected a number from 0 to 65535\n`);
    await writeFile(conf, 'imap:\n  hots: x\n');
    const r2 = await runCli(['user', 'list'], '', { LETTERBOX_CONFIG: conf, LETTERBOX_DATA_DIR: '' });
    assert.equal(r2.code, 78);
    assert.match(r2.stderr, /imap\.hots: unknown key/);
  });
});

describe('letterbox import', () => {
  let data: string;
  let dir: string;
  const email = 'imp@example.com';
  before(async () => {
    dir = await tmp();
    data = path.join(dir, 'data');
    const r = await cli(['user', 'add', email, '--password-stdin', '--data-dir', data], 'pw');
    assert.equal(r.code, 0, r.stderr);
  });

  it('fails for a user that does not exist', async () => {
    const r = await cli(['import', 'ghost@example.com', dir, '--data-dir', data]);
    assert.equal(r.code, 67);
    assert.match(r.stderr, /^letterbox: no such user: ghost@example\.com/);
  });

  it('imports a Maildir with a subfolder, flags and dates', async () => {
    const md = path.join(dir, 'Maildir');
    for (const d of ['cur', 'new', 'tmp', '.Lists.Dev/cur', '.Lists.Dev/new', '.Lists.Dev/tmp']) await mkdir(path.join(md, d), { recursive: true });
    const t = 1_500_000_000;
    await writeFile(path.join(md, 'cur', `${t}.M1P1.box:2,FS`), 'Subject: seen\n\nbody 1\n');
    await writeFile(path.join(md, 'new', `${t + 60}.M2P1.box`), 'Subject: new\r\n\r\nbody 2\r\n');
    await writeFile(path.join(md, '.Lists.Dev', 'cur', `${t + 120}.M3P1.box:2,RT`), 'Subject: dev\n\nbody 3\n');
    await writeFile(path.join(md, 'cur', `${t + 180}.M4P1.box:2,S`), '');

    const r = await cli(['import', email, md, '--data-dir', data]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'imported 3 messages (0.0 MiB) into 2 mailboxes, skipped 1');
    assert.ok(lines.includes('  INBOX: 2 messages'));
    assert.ok(lines.includes('  Lists/Dev: 1 message (new mailbox)'));
    assert.ok(lines.some((l) => /^ {2}skipped .*M4P1\.box:2,S: empty file$/.test(l)), r.stdout);

    const { mailboxes, messages } = await contents(data, email);
    assert.ok(mailboxes.includes('Lists') && mailboxes.includes('Lists/Dev'));
    assert.deepEqual(
      messages.filter((m) => m.mailbox === 'INBOX' || m.mailbox === 'Lists/Dev'),
      [
        { mailbox: 'INBOX', body: 'Subject: seen\r\n\r\nbody 1\r\n', flags: ['\\Flagged', '\\Seen'], internalDate: t * 1000 },
        { mailbox: 'INBOX', body: 'Subject: new\r\n\r\nbody 2\r\n', flags: [], internalDate: (t + 60) * 1000 },
        { mailbox: 'Lists/Dev', body: 'Subject: dev\r\n\r\nbody 3\r\n', flags: ['\\Answered', '\\Deleted'], internalDate: (t + 120) * 1000 },
      ],
    );

    const again = await cli(['import', email, md, '--mailbox', 'Old/Mail', '--data-dir', data]);
    assert.equal(again.code, 0, again.stderr);
    const after = await contents(data, email);
    assert.deepEqual(after.messages.filter((m) => m.mailbox.startsWith('Old')).map((m) => [m.mailbox, m.body.split('\r\n')[0]]), [
      ['Old/Mail', 'Subject: seen'],
      ['Old/Mail', 'Subject: new'],
      ['Old/Mail/Lists/Dev', 'Subject: dev'],
    ]);
  });

  it('imports an mbox file: three messages, >From unquoted, dates from the From_ lines', async () => {
    const file = path.join(dir, 'archive.mbox');
    await writeFile(
      file,
      'From a@example.com Sat Jan  3 01:05:34 1996\nSubject: m1\nStatus: RO\n\n>From here\n>>From there\n\n' +
        'From b@example.com Sun Jan  4 02:00:00 1996\nSubject: m2\n\nbody\nFrom text, not after a blank line\n\n' +
        'From c@example.com Mon Jan  5 03:00:00 1996\nSubject: m3\nX-Status: F\n\nlast\n',
    );
    const r = await cli(['import', email, file, '--mailbox', 'Archive/1996', '--data-dir', data]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^imported 3 messages \(0\.0 MiB\) into 1 mailbox, skipped 0\n {2}Archive\/1996: 3 messages \(new mailbox\)\n$/);
    const got = (await contents(data, email)).messages.filter((m) => m.mailbox === 'Archive/1996');
    assert.deepEqual(got, [
      { mailbox: 'Archive/1996', body: 'Subject: m1\r\nStatus: RO\r\n\r\nFrom here\r\n>From there\r\n', flags: ['\\Seen'], internalDate: Date.UTC(1996, 0, 3, 1, 5, 34) },
      { mailbox: 'Archive/1996', body: 'Subject: m2\r\n\r\nbody\r\nFrom text, not after a blank line\r\n', flags: [], internalDate: Date.UTC(1996, 0, 4, 2) },
      { mailbox: 'Archive/1996', body: 'Subject: m3\r\nX-Status: F\r\n\r\nlast\r\n', flags: ['\\Flagged'], internalDate: Date.UTC(1996, 0, 5, 3) },
    ]);
  });

  it('imports a folder of .eml files, stripping a leading From_ line and skipping what it cannot take', async () => {
    const eml = path.join(dir, 'eml');
    await mkdir(eml);
    await writeFile(path.join(eml, '1.eml'), 'From x@example.com  Thu Aug 22 12:00:00 2002\nSubject: one\nDate: Thu, 22 Aug 2002 18:26:25 -0700\n\nbinary \xff stays\n', 'latin1');
    await writeFile(path.join(eml, '2.eml'), 'Subject: two\r\n\r\nno date\r\n');
    const mtime = new Date(Date.UTC(2019, 4, 6, 7, 8, 9));
    await utimes(path.join(eml, '2.eml'), mtime, mtime);
    await writeFile(path.join(eml, '3.eml'), '');
    await writeFile(path.join(eml, 'huge.eml'), '');
    await truncate(path.join(eml, 'huge.eml'), MAX_LITERAL_OCTETS + 1); // sparse: costs no disk
    await writeFile(path.join(eml, 'readme.txt'), 'not mail');

    const r = await cli(['import', email, eml, '--mailbox', 'inbox', '--data-dir', data]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'imported 2 messages (0.0 MiB) into 1 mailbox, skipped 3');
    assert.equal(lines[1], '  INBOX: 2 messages');
    assert.deepEqual(lines.slice(2).sort(), [
      `  skipped ${path.join(eml, '3.eml')}: empty file`,
      `  skipped ${path.join(eml, 'huge.eml')}: over the size limit (64.0 MiB > 64.0 MiB)`,
      `  skipped ${path.join(eml, 'readme.txt')}: not a .eml file`,
    ]);
    const inbox = (await contents(data, email)).messages.filter((m) => m.mailbox === 'INBOX');
    assert.deepEqual(inbox.slice(-2), [
      { mailbox: 'INBOX', body: 'Subject: one\r\nDate: Thu, 22 Aug 2002 18:26:25 -0700\r\n\r\nbinary \xff stays\r\n', flags: [], internalDate: Date.UTC(2002, 7, 23, 1, 26, 25) },
      { mailbox: 'INBOX', body: 'Subject: two\r\n\r\nno date\r\n', flags: [], internalDate: mtime.getTime() },
    ]);
  });

  it('refuses a path that is not a mail source', async () => {
    const file = path.join(dir, 'notes.txt');
    await writeFile(file, 'hello\n');
    const r = await cli(['import', email, file, '--data-dir', data]);
    assert.equal(r.code, 66);
    assert.match(r.stderr, /^letterbox: cannot import .*notes\.txt: not an mbox file/);
  });
});
