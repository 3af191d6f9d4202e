/**
 * `letterbox export` and `letterbox import` are inverses, on both backends: the real and tricky corpora,
 * imported into one account and given flags and keywords over IMAP, exported as a Maildir and as mbox files
 * and imported into other accounts, come back in the same mailboxes with the same bytes, flags, keywords
 * and internal dates (mbox: to the second; a message without a final line end gains one, which mbox cannot
 * hold). Also: --mailbox, the refusal of a directory that is not empty, Maildir's 26 keywords per folder,
 * --skip-duplicates, and the warnings import gives for an empty source and for files that are not mail.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../src/store/types.js';
import { runCli } from '../support/cli.js';
import { append, login, msg } from '../support/transcript.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };
const CORPUS = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');

/** Held is one stored message as the round trip compares it. */
interface Held {
  sha: string;
  flags: string;
  internalDate: number;
  raw: Buffer;
}

/** holdings reads every mailbox of `email`: name -> its messages, sorted by content (order is not kept by Maildir). */
async function holdings(store: Store, email: string): Promise<Map<string, Held[]>> {
  const account = (await store.getAccount(email))!;
  const out = new Map<string, Held[]>();
  for (const mb of await store.listMailboxes(account.id)) {
    const uids = (await store.listMessages(account.id, mb.id)).map((m) => m.uid);
    const held: Held[] = [];
    for (const r of await store.getMessages(account.id, mb.id, uids, { structure: false, envelope: false, envelopeText: false, meta: true })) {
      const raw = await store.readBody(account.id, r.bodyId);
      held.push({ sha: createHash('sha256').update(raw).digest('hex'), flags: [...r.flags].map((f) => f.toLowerCase()).sort().join(' '), internalDate: r.internalDate, raw });
    }
    held.sort((a, b) => (a.sha < b.sha ? -1 : a.sha > b.sha ? 1 : a.flags < b.flags ? -1 : a.flags > b.flags ? 1 : a.internalDate - b.internalDate));
    out.set(mb.name, held);
  }
  return out;
}

for (const backend of BACKENDS) {
  describe(`letterbox export and import round trip (${backend})`, { timeout: 600_000 }, () => {
    let srv: TestServer;
    let tmp: string;
    let source: Map<string, Held[]>;
    // Progress lines would come every 5 s on a slow run: off here, but for the commands that check them.
    const cli = (args: string[], progressEvery = '3600') => runCli([...args, ...srv.cliArgs], '', { ...NO_ENV, LETTERBOX_PROGRESS_INTERVAL: progressEvery });
    before(async () => {
      srv = await startTestServer(backend);
      tmp = await mkdtemp(path.join(os.tmpdir(), 'lb-export-'));
      for (const u of ['src', 'viamaildir', 'viambox']) await srv.addUser(`${u}@example.com`, 'pw');
      let r = await cli(['import', 'src@example.com', path.join(CORPUS, 'real')]);
      assert.equal(r.code, 0, r.stderr);
      r = await cli(['import', 'src@example.com', path.join(CORPUS, 'tricky'), '--mailbox', 'Lists/Tricky.mime']);
      assert.equal(r.code, 0, r.stderr);
      r = await cli(['mailbox', 'create', 'src@example.com', 'Empty/Below', 'Entwürfe', 'INBOX/Child', '.dot']);
      assert.equal(r.code, 0, r.stderr);
      // Flags and keywords set as a client sets them, over IMAP.
      const c = await login(srv.imapPort, 'src@example.com');
      await c.command('s', 'SELECT INBOX');
      for (const [set, flags] of [
        ['1:1000', '\\Seen'],
        ['500:1500', '\\Flagged $Label1'],
        ['1400:1600', '\\Answered Work'],
        ['3000:3010', '\\Deleted \\Draft $Forwarded'],
      ]) {
        const lines = await c.command('f', `STORE ${set} +FLAGS.SILENT (${flags})`);
        assert.equal(lines.at(-1), 'f OK STORE completed');
      }
      await c.command('s2', 'SELECT Lists/Tricky.mime');
      assert.equal((await c.command('f2', 'STORE 1:50 +FLAGS.SILENT (\\Seen NonJunk)')).at(-1), 'f2 OK STORE completed');
      assert.match(await append(c, 'a', 'INBOX/Child', msg('Subject: child', '', 'in a child of INBOX'), ' (\\Flagged) "03-Jan-1996 01:05:34 +0000"'), /^a OK/);
      assert.match(await append(c, 'a2', '.dot', msg('Subject: dot', '', 'x')), /^a2 OK/);
      c.close();
      source = await holdings(srv.store, 'src@example.com');
    });
    after(async () => {
      await srv.close();
      await rm(tmp, { recursive: true, force: true });
    });

    it('Maildir: import(export(account)) has the same mailboxes, bytes, flags, keywords and internal dates', async () => {
      const dir = path.join(tmp, 'maildir');
      // With LETTERBOX_PROGRESS_INTERVAL=0, a progress line (stderr is no terminal here) for every message.
      const r = await cli(['export', 'src@example.com', dir], '0');
      assert.equal(r.code, 0, r.stderr);
      const progress = r.stderr.trimEnd().split('\n');
      assert.equal(progress.length, 4162, 'one when the count is known, then one per message');
      assert.match(progress[0]!, /^exporting: 0 of 4161 messages \(0%\), 0 messages\/s$/);
      for (const line of progress.slice(1)) assert.match(line, /^exporting: \d+ of 4161 messages \(\d+%\), \d+ messages\/s, [^,]+(, about [\d a-z]+ left)?$/);
      assert.match(progress.at(-1)!, /^exporting: 4161 of 4161 messages \(100%\), \d+ messages\/s, Lists\/Tricky\.mime$/);
      assert.match(r.stdout, new RegExp(`^exported 4161 messages \\(\\d+\\.\\d MiB\\) from 13 mailboxes to ${dir.replace(/[.]/g, '\\.')} as a Maildir\n  INBOX: 3963 messages\n  \\.dot: 1 message\n`));
      assert.ok((await readdir(dir)).includes('.Lists.Tricky\\2emime'), 'a "." inside a name is escaped (listescape)');
      const back = await cli(['import', 'viamaildir@example.com', dir]);
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /^imported 4161 messages .* into 13 mailboxes, skipped 0\n/);
      const copy = await holdings(srv.store, 'viamaildir@example.com');
      assert.deepEqual([...copy.keys()].sort(), [...source.keys()].sort());
      for (const [name, held] of source) {
        const got = copy.get(name)!;
        assert.equal(got.length, held.length, name);
        assert.deepEqual(got.map((h) => [h.sha, h.flags, h.internalDate]), held.map((h) => [h.sha, h.flags, h.internalDate]), `mailbox ${name}`);
      }
      const again = await cli(['import', 'viamaildir@example.com', dir, '--skip-duplicates']);
      assert.match(again.stdout, /^imported 0 messages \(0\.0 MiB\) into 13 mailboxes, skipped 0, left out 4161 duplicates\n  INBOX: 0 messages \(3963 already there\)\n/);
    });

    it('mbox: the same, with dates to the second; a message without a final line end gains CRLF', async () => {
      const dir = path.join(tmp, 'mbox');
      const r = await cli(['export', 'src@example.com', dir, '--format', 'mbox']);
      assert.equal(r.code, 0, r.stderr);
      const top = (await readdir(dir)).sort();
      assert.deepEqual(top, ['.dot.mbox', 'Archive.mbox', 'Drafts.mbox', 'Empty', 'Empty.mbox', 'Entwürfe.mbox', 'INBOX', 'INBOX.mbox', 'Junk.mbox', 'Lists', 'Lists.mbox', 'Sent.mbox', 'Trash.mbox']);
      const back = await cli(['import', 'viambox@example.com', dir]);
      assert.equal(back.code, 0, back.stderr);
      const copy = await holdings(srv.store, 'viambox@example.com');
      assert.deepEqual([...copy.keys()].sort(), [...source.keys()].sort());
      let gained = 0;
      for (const [name, held] of source) {
        const expected = held
          .map((h) => {
            const ends = h.raw.length >= 2 && h.raw.subarray(-2).toString('latin1') === '\r\n';
            if (!ends) gained++;
            const raw = ends ? h.raw : Buffer.concat([h.raw, Buffer.from('\r\n')]);
            return [createHash('sha256').update(raw).digest('hex'), h.flags, Math.floor(h.internalDate / 1000) * 1000];
          })
          .sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : Number(a[2]) - Number(b[2])));
        assert.deepEqual(copy.get(name)!.map((h) => [h.sha, h.flags, h.internalDate]), expected, `mailbox ${name}`);
      }
      assert.equal(gained, 11, 'the tricky messages that end without a line end');
    });

    it('--mailbox exports a mailbox with its children under their names; a directory that is not empty is refused', async () => {
      const dir = path.join(tmp, 'lists');
      let r = await cli(['export', 'src@example.com', dir, '--mailbox', 'Lists', '--format', 'mbox']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.split('\n').slice(1).join('\n'), '  Lists: 0 messages\n  Lists/Tricky.mime: 196 messages\n');
      assert.deepEqual((await readdir(dir)).sort(), ['Lists', 'Lists.mbox']);
      assert.deepEqual(await readdir(path.join(dir, 'Lists')), ['Tricky.mime.mbox']);
      r = await cli(['export', 'src@example.com', dir]);
      assert.equal(r.code, 73);
      assert.equal(r.stderr, `letterbox: ${dir} is not empty (2 entries): export into a new or empty directory\n`);
      r = await cli(['export', 'src@example.com', path.join(tmp, 'none'), '--mailbox', 'Nope']);
      assert.equal(r.code, 73);
      assert.equal(r.stderr, 'letterbox: src@example.com has no mailbox Nope\n');
    });
  });
}

describe('export and import details', () => {
  let srv: TestServer;
  let tmp: string;
  const cli = (args: string[]) => runCli([...args, ...srv.cliArgs], '', NO_ENV);
  before(async () => {
    srv = await startTestServer('sqlite');
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lb-export-'));
  });
  after(async () => {
    await srv.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('Maildir names 26 keywords per folder: the rest is left out with a warning; mbox keeps them all', async () => {
    await srv.addUser('kw@example.com', 'pw');
    const c = await login(srv.imapPort, 'kw@example.com');
    const keywords = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    assert.match(await append(c, 'a', 'INBOX', msg('Subject: many keywords', '', 'x'), ` (\\Seen ${keywords.join(' ')})`), /^a OK/);
    c.close();
    let r = await cli(['export', 'kw@example.com', path.join(tmp, 'kw-maildir')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `letterbox: warning: INBOX: 4 keywords not exported (a Maildir folder names 26 at most; --format mbox keeps them all): k26 k27 k28 k29\n`);
    assert.equal((await readFile(path.join(tmp, 'kw-maildir', 'dovecot-keywords'), 'utf8')).split('\n')[25], '25 k25');
    r = await cli(['export', 'kw@example.com', path.join(tmp, 'kw-mbox'), '--format', 'mbox']);
    assert.equal(r.stderr, '');
    const text = await readFile(path.join(tmp, 'kw-mbox', 'INBOX.mbox'), 'latin1');
    assert.match(text, new RegExp(`^From MAILER-DAEMON [A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\nStatus: RO\nX-Status: \nX-Keywords: ${keywords.join(' ')}\nSubject: many keywords\n\nx\n\n$`));
  });

  it('import warns about an empty source and skips files that are not e-mail (an ELF binary named .eml)', async () => {
    await srv.addUser('warn@example.com', 'pw');
    const empty = path.join(tmp, 'empty');
    await mkdir(empty);
    let r = await cli(['import', 'warn@example.com', empty]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'imported 0 messages (0.0 MiB) into 0 mailboxes, skipped 0\n');
    assert.equal(r.stderr, `letterbox: warning: ${empty} holds no messages: nothing was imported\n`);
    const bins = path.join(tmp, 'bins');
    await mkdir(bins);
    await writeFile(path.join(bins, 'program.eml'), await readFile(process.execPath).then((b) => b.subarray(0, 64 * 1024)));
    await writeFile(path.join(bins, 'mail.eml'), msg('Subject: real mail', '', 'hello'));
    r = await cli(['import', 'warn@example.com', bins]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `imported 1 message (0.0 MiB) into 1 mailbox, skipped 1\n  INBOX: 1 message\n  skipped ${path.join(bins, 'program.eml')}: not an e-mail message (binary data)\n`);
    await rm(path.join(bins, 'mail.eml'));
    r = await cli(['import', 'warn@example.com', bins]);
    assert.equal(r.stderr, `letterbox: warning: nothing was imported from ${bins}: every message was skipped (the reasons are listed above)\n`);
  });
});
