/**
 * Letterbox driven by a real IMAP client library (imapflow) over STARTTLS (143-style port) and
 * implicit TLS (993-style port): login, list, append, fetch, search, store, move, expunge, and IDLE
 * notifications between two connections.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ImapFlow } from 'imapflow';
import { imapflowClient } from '../support/imapflow.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';
import { msg } from '../support/transcript.js';

function client(srv: TestServer, mode: 'starttls' | 'tls'): ImapFlow {
  return imapflowClient(srv, 'alice@example.com', 'correct horse', mode);
}

const message = (i: number, from = 'bob@example.org'): string =>
  msg(`From: Sender ${i} <${from}>`, 'To: alice@example.com', `Subject: Test message ${i}`, `Message-ID: <m${i}@example.org>`, 'Date: Wed, 11 Nov 2026 12:00:00 +0000', '', `Body of message ${i}: apples and pears`);

for (const backend of BACKENDS) {
  for (const mode of ['starttls', 'tls'] as const) {
    describe(`imapflow over ${mode} [${backend}]`, () => {
      let srv: TestServer;
      before(async () => {
        srv = await startTestServer(backend);
        await srv.addUser('alice@example.com', 'correct horse');
      });
      after(async () => srv.close());

      it('logs in, lists the default mailboxes with special-use', async () => {
        const c = client(srv, mode);
        await c.connect();
        assert.equal(c.secureConnection || mode === 'starttls', true);
        const boxes = await c.list();
        const byPath = Object.fromEntries(boxes.map((b) => [b.path, b.specialUse ?? null]));
        assert.deepEqual(byPath, { INBOX: '\\Inbox', Archive: '\\Archive', Drafts: '\\Drafts', Junk: '\\Junk', Sent: '\\Sent', Trash: '\\Trash' });
        await c.logout();
      });

      it('appends, fetches, searches, stores, moves and expunges', async () => {
        const c = client(srv, mode);
        await c.connect();
        for (let i = 1; i <= 4; i++) {
          const r = await c.append('INBOX', message(i, i === 3 ? 'carol@example.net' : 'bob@example.org'), i === 1 ? ['\\Seen'] : []);
          assert.equal(r && typeof r === 'object' ? r.uid : undefined, i);
        }
        const lock = await c.getMailboxLock('INBOX');
        try {
          const mb = c.mailbox as { exists: number; uidNext: number };
          assert.equal(mb.exists, 4);
          assert.equal(mb.uidNext, 5);
          const fetched = [];
          for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true, source: true })) fetched.push(m);
          assert.deepEqual(
            fetched.map((m) => [m.seq, m.uid, [...(m.flags ?? [])], m.envelope?.subject, m.envelope?.from?.[0]?.address]),
            [
              [1, 1, ['\\Seen'], 'Test message 1', 'bob@example.org'],
              [2, 2, [], 'Test message 2', 'bob@example.org'],
              [3, 3, [], 'Test message 3', 'carol@example.net'],
              [4, 4, [], 'Test message 4', 'bob@example.org'],
            ],
          );
          assert.equal(fetched[1]!.source!.toString(), message(2));
          assert.deepEqual(await c.search({ from: 'carol' }, { uid: true }), [3]);
          assert.deepEqual(await c.search({ body: 'PEARS', seen: false }, { uid: true }), [2, 3, 4]);
          assert.deepEqual(await c.search({ subject: 'message 4' }), [4]);
          await c.messageFlagsAdd('2', ['\\Flagged', '$Important'], { uid: true });
          const one = await c.fetchOne('2', { flags: true }, { uid: true });
          assert.deepEqual([...(one && one.flags ? one.flags : [])].sort(), ['$Important', '\\Flagged']);
          assert.deepEqual(await c.search({ flagged: true }, { uid: true }), [2]);
          const moved = await c.messageMove('3', 'Archive', { uid: true });
          assert.ok(moved && typeof moved === 'object');
          assert.deepEqual([...(moved.uidMap ?? new Map()).entries()], [[3, 1]]);
          await c.messageDelete('4', { uid: true });
          const left = [];
          for await (const m of c.fetch('1:*', { uid: true })) left.push(m.uid);
          assert.deepEqual(left, [1, 2]);
        } finally {
          lock.release();
        }
        const st = await c.status('Archive', { messages: true, uidNext: true });
        assert.ok(st);
        assert.equal(st.messages, 1);
        assert.equal(st.uidNext, 2);
        await c.logout();
      });

      it('IDLE on one connection sees EXISTS, flag changes and EXPUNGE made by another', async () => {
        const watcher = client(srv, mode);
        const actor = client(srv, mode);
        await watcher.connect();
        await actor.connect();
        await watcher.mailboxOpen('INBOX');
        await actor.mailboxOpen('INBOX');
        const events: string[] = [];
        const waitFor = (pred: () => boolean): Promise<void> =>
          new Promise((resolve, reject) => {
            const t0 = Date.now();
            const tick = (): void => {
              if (pred()) resolve();
              else if (Date.now() - t0 > 2000) reject(new Error(`timed out; events: ${events.join(', ')}`));
              else setTimeout(tick, 10);
            };
            tick();
          });
        watcher.on('exists', (e: { count: number }) => events.push(`exists ${e.count}`));
        watcher.on('flags', (e: { uid?: number; flags: Set<string> }) => events.push(`flags ${e.uid} ${[...e.flags].join(' ')}`));
        watcher.on('expunge', (e: { seq: number }) => events.push(`expunge ${e.seq}`));
        const before = (watcher.mailbox as { exists: number }).exists;
        const idling = watcher.idle();
        await new Promise((r) => setTimeout(r, 100));
        await actor.append('INBOX', message(9));
        await waitFor(() => events.includes(`exists ${before + 1}`));
        await actor.messageFlagsAdd('1', ['\\Answered'], { uid: true });
        await waitFor(() => events.some((e) => e.startsWith('flags 1 ')));
        await actor.messageDelete('1', { uid: true });
        await waitFor(() => events.includes('expunge 1'));
        await actor.logout();
        await watcher.logout();
        await idling.catch(() => undefined);
      });
    });
  }
}
