/**
 * mbsync (isync), a real synchronisation client, against Letterbox over implicit TLS: a first sync
 * copies every message and its flags into a local Maildir byte for byte; local changes (a flag, a
 * deletion, a new message) then go back to the server on the next sync.
 * Requires the `mbsync` binary (Debian package isync; .ci/run installs it). Fails, never skips, without it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareMessage } from '../../src/delivery/prepare.js';
import type { Account } from '../../src/store/types.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';
import { msg } from '../support/transcript.js';

function mbsync(rc: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('mbsync', ['-c', rc, '-a']);
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', (err) => reject(new Error(`mbsync is needed for this test (apt-get install isync): ${err.message}`)));
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** Local Maildir messages of a folder: file content keyed by Subject, with the Maildir flag letters. */
async function localMessages(dir: string): Promise<Map<string, { file: string; flags: string; body: string }>> {
  const out = new Map<string, { file: string; flags: string; body: string }>();
  for (const sub of ['cur', 'new']) {
    for (const f of await readdir(path.join(dir, sub)).catch(() => [] as string[])) {
      const body = await readFile(path.join(dir, sub, f), 'utf8');
      const subject = /^Subject: (.*)$/m.exec(body)?.[1] ?? '';
      out.set(subject, { file: path.join(dir, sub, f), flags: f.includes(':2,') ? f.split(':2,')[1]! : '', body });
    }
  }
  return out;
}

const message = (i: number): string => msg(`From: sender${i}@example.org`, 'To: alice@example.com', `Subject: sync ${i}`, `Message-ID: <sync${i}@example.org>`, '', `Body ${i}`);

for (const backend of BACKENDS) {
  describe(`mbsync over TLS [${backend}]`, () => {
    let srv: TestServer;
    let acct: Account;
    let rc: string;
    let local: string;
    before(async () => {
      srv = await startTestServer(backend);
      acct = await srv.addUser('alice@example.com', 'sync pw');
      const inbox = (await srv.store.getMailbox(acct.id, 'INBOX'))!;
      await srv.store.appendMessages(acct.id, inbox.id, [
        prepareMessage(Buffer.from(message(1)), ['\\Seen'], Date.UTC(2026, 10, 1)),
        prepareMessage(Buffer.from(message(2)), ['\\Flagged', '\\Seen'], Date.UTC(2026, 10, 2)),
        prepareMessage(Buffer.from(message(3)), [], Date.UTC(2026, 10, 3)),
        prepareMessage(Buffer.from(message(4)), ['\\Answered'], Date.UTC(2026, 10, 4)),
      ]);
      local = path.join(srv.dataDir, 'local');
      await mkdir(local);
      const ca = path.join(srv.dataDir, 'ca.pem');
      await writeFile(ca, srv.cert);
      rc = path.join(srv.dataDir, 'mbsyncrc');
      await writeFile(
        rc,
        [
          'IMAPAccount lb',
          'Host 127.0.0.1',
          `Port ${srv.imapsPort}`,
          'User alice@example.com',
          'Pass "sync pw"',
          'SSLType IMAPS',
          `CertificateFile ${ca}`,
          '',
          'IMAPStore remote',
          'Account lb',
          '',
          'MaildirStore near',
          `Path ${local}/`,
          `Inbox ${local}/INBOX`,
          'SubFolders Verbatim',
          '',
          'Channel lb',
          'Far :remote:',
          'Near :near:',
          'Patterns *',
          'Create Both',
          'Expunge Both',
          `SyncState *`,
          'Sync All',
          '',
        ].join('\n'),
      );
    });
    after(async () => {
      await srv.close();
      await rm(local, { recursive: true, force: true });
    });

    it('pulls every mailbox and message with its flags, then pushes local changes back', async () => {
      const first = await mbsync(rc);
      assert.equal(first.code, 0, first.out);
      assert.deepEqual((await readdir(local)).sort(), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
      const pulled = await localMessages(path.join(local, 'INBOX'));
      assert.deepEqual(
        [...pulled.entries()].map(([subject, m]) => [subject, m.flags]).sort(),
        [
          ['sync 1', 'S'],
          ['sync 2', 'FS'],
          ['sync 3', ''],
          ['sync 4', 'R'],
        ],
      );
      // mbsync keeps Maildir files with LF line ends and adds its own X-TUID header while it syncs.
      for (const [subject, m] of pulled) {
        assert.equal(m.body.replace(/^X-TUID: .*\n/m, ''), message(Number(subject.split(' ')[1])).replace(/\r\n/g, '\n'));
      }

      // Local changes: flag "sync 3", delete "sync 4" (Maildir T flag, then expunged), add "sync 5".
      const m3 = pulled.get('sync 3')!;
      await rename(m3.file, path.join(local, 'INBOX', 'cur', `${path.basename(m3.file).split(':2,')[0]}:2,F`));
      const m4 = pulled.get('sync 4')!;
      await rename(m4.file, path.join(local, 'INBOX', 'cur', `${path.basename(m4.file).split(':2,')[0]}:2,RT`));
      await writeFile(path.join(local, 'INBOX', 'new', '1700000000.5.localhost'), message(5).replace(/\r\n/g, '\n'));

      const second = await mbsync(rc);
      assert.equal(second.code, 0, second.out);
      const inbox = (await srv.store.getMailbox(acct.id, 'INBOX'))!;
      const metas = await srv.store.listMessages(acct.id, inbox.id);
      const records = await srv.store.getMessages(acct.id, inbox.id, metas.map((m) => m.uid));
      const state = await Promise.all(
        records.map(async (r) => [(await srv.store.readBody(acct.id, r.bodyId)).toString(), [...r.flags].sort()] as const),
      );
      const bySubject = state.map(([body, flags]) => [/^Subject: (.*)$/m.exec(body)![1], flags]).sort();
      assert.deepEqual(bySubject, [
        ['sync 1', ['\\Seen']],
        ['sync 2', ['\\Flagged', '\\Seen']],
        ['sync 3', ['\\Flagged']],
        ['sync 5', []],
      ]);
      const pushed = state.find(([body]) => body.includes('Subject: sync 5'))![0];
      assert.ok(pushed.endsWith('\r\n\r\nBody 5\r\n'), 'the pushed message is stored with its body intact');

      const third = await mbsync(rc);
      assert.equal(third.code, 0, third.out);
      assert.equal((await srv.store.listMessages(acct.id, inbox.id)).length, 4, 'a sync with no changes changes nothing');
    });
  });
}
