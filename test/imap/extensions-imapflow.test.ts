/**
 * imapflow driving the extensions it knows, over implicit TLS with COMPRESS=DEFLATE on (imapflow
 * turns it on by itself when advertised) and UTF8=ACCEPT enabled: ID, NAMESPACE, SPECIAL-USE,
 * LIST-STATUS, APPEND with UIDPLUS, COPY/MOVE uid maps, BINARY downloads and literal8 APPEND,
 * OBJECTID mailbox and email ids, UTF-8 mailbox names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ImapFlow } from 'imapflow';
import { imapflowClient } from '../support/imapflow.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';
import { msg } from '../support/transcript.js';

const TEXT = msg('From: Bob <bob@example.org>', 'To: alice@example.com', 'Subject: report', '', 'Numbers are up.');
const ATTACHED = Buffer.from([0x00, 0xff, 0x10, 0x0d, 0x0a, 0x00, 0x42]);
const MIXED = msg(
  'From: Bob <bob@example.org>',
  'Subject: with attachment',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary=xx',
  '',
  '--xx',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Gr=C3=BC=C3=9Fe',
  '--xx',
  'Content-Type: application/octet-stream',
  'Content-Transfer-Encoding: base64',
  '',
  ATTACHED.toString('base64'),
  '--xx--',
);

function client(srv: TestServer): ImapFlow {
  return imapflowClient(srv, 'flow@example.com', 'pw', 'tls', { clientInfo: { name: 'letterbox-test', version: '1' } });
}

for (const backend of BACKENDS) {
  describe(`imapflow and the extensions [${backend}]`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend);
      await srv.addUser('flow@example.com', 'pw');
    });
    after(async () => srv.close());

    it('COMPRESS, ENABLE, ID, NAMESPACE, SPECIAL-USE and LIST-STATUS', async () => {
      const c = client(srv);
      await c.connect();
      assert.ok((c as unknown as { _inflate: unknown })._inflate, 'COMPRESS=DEFLATE is active');
      // imapflow enables CONDSTORE whenever it is advertised.
      assert.deepEqual([...c.enabled].sort(), ['CONDSTORE', 'IMAP4REV2', 'UTF8=ACCEPT']);
      assert.deepEqual(c.serverInfo, { name: 'Letterbox', vendor: 'Letterbox', version: '0.1.0' });
      assert.deepEqual(c.namespace, { prefix: '', delimiter: '/' });
      await c.append('Sent', TEXT);
      const boxes = await c.list({ statusQuery: { messages: true, uidNext: true, unseen: true } });
      assert.deepEqual(
        boxes.sort((a, b) => (a.path === 'INBOX' ? -1 : b.path === 'INBOX' ? 1 : a.path < b.path ? -1 : 1)).map((b) => [b.path, b.specialUse ?? null, b.status?.messages, b.status?.uidNext, b.status?.unseen]),
        [
          ['INBOX', '\\Inbox', 0, 1, 0],
          ['Archive', '\\Archive', 0, 1, 0],
          ['Drafts', '\\Drafts', 0, 1, 0],
          ['Junk', '\\Junk', 0, 1, 0],
          ['Sent', '\\Sent', 1, 2, 1],
          ['Trash', '\\Trash', 0, 1, 0],
        ],
      );
      await c.logout();
    });

    it('APPEND with UIDPLUS, COPY and MOVE uid maps, OBJECTID, BINARY download, UTF-8 mailbox names', async () => {
      const c = client(srv);
      await c.connect();
      const created = await c.mailboxCreate('Äpfel');
      assert.equal(created.path, 'Äpfel');
      assert.match(created.mailboxId ?? '', /^F\d+$/);
      const acct = (await srv.store.getAccount('flow@example.com'))!;
      assert.ok(await srv.store.getMailbox(acct.id, 'Äpfel'), 'the UTF-8 name reached the store as is');
      const inbox = (await srv.store.getMailbox(acct.id, 'INBOX'))!;
      // Not TEXT again: PostgreSQL stores identical bodies once per account, and they then share an EMAILID
      // (RFC 8474 section 5.1 allows either), so the ids below would differ between the backends.
      const a1 = await c.append('INBOX', TEXT.replace('Numbers are up.', 'Numbers are up again.'), ['\\Seen']);
      const a2 = await c.append('INBOX', MIXED);
      assert.deepEqual(a1 && { uid: a1.uid, uidValidity: Number(a1.uidValidity) }, { uid: 1, uidValidity: inbox.uidValidity });
      assert.equal(a2 && a2.uid, 2);
      // Content with NUL goes as literal8 (BINARY APPEND).
      const raw = Buffer.concat([Buffer.from('Subject: nul\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n'), ATTACHED]);
      const a3 = await c.append('INBOX', raw);
      assert.equal(a3 && a3.uid, 3);
      const lock = await c.getMailboxLock('INBOX');
      try {
        assert.equal((c.mailbox as { mailboxId?: string }).mailboxId, 'F1');
        const ids = [];
        for await (const m of c.fetch('1:*', { uid: true, threadId: true })) ids.push([m.uid, m.emailId, m.threadId ?? null]);
        assert.deepEqual(ids, [
          // M1 is the message the first test appended to Sent.
          [1, 'M2', null],
          [2, 'M3', null],
          [3, 'M4', null],
        ]);
        const part = await c.download('2', '2', { uid: true });
        const chunks: Buffer[] = [];
        for await (const chunk of part.content as AsyncIterable<Buffer>) chunks.push(chunk);
        assert.deepEqual(Buffer.concat(chunks), ATTACHED);
        const text = await c.download('2', '1', { uid: true });
        const tchunks: Buffer[] = [];
        for await (const chunk of text.content as AsyncIterable<Buffer>) tchunks.push(chunk);
        assert.equal(Buffer.concat(tchunks).toString('utf8'), 'Grüße');
        const whole = await c.fetchOne('3', { source: true }, { uid: true });
        assert.ok(whole && whole.source && whole.source.subarray(-ATTACHED.length).equals(Buffer.from([0x80, 0xff, 0x10, 0x0d, 0x0a, 0x80, 0x42])));
        const copied = await c.messageCopy('1:2', 'Äpfel', { uid: true });
        assert.ok(copied && typeof copied === 'object');
        assert.deepEqual([...(copied.uidMap ?? new Map()).entries()], [[1, 1], [2, 2]]);
        const moved = await c.messageMove('3', 'Archive', { uid: true });
        assert.ok(moved && typeof moved === 'object');
        assert.deepEqual([...(moved.uidMap ?? new Map()).entries()], [[3, 1]]);
        assert.deepEqual(await c.search({ emailId: 'M3' }, { uid: true }), [2]);
      } finally {
        lock.release();
      }
      const lock2 = await c.getMailboxLock('Äpfel');
      try {
        const ids = [];
        for await (const m of c.fetch('1:*', { uid: true })) ids.push([m.uid, m.emailId]);
        assert.deepEqual(ids, [
          [1, 'M2'],
          [2, 'M3'],
        ]);
      } finally {
        lock2.release();
      }
      await c.logout();
    });
  });
}
