/**
 * Two imapflow clients with QRESYNC (RFC 7162 section 3.2): while one is offline the other changes flags,
 * expunges and appends; the first then resynchronises with SELECT ... (QRESYNC (uidvalidity modseq)) and,
 * from the VANISHED (EARLIER) and FETCH responses alone, ends with exactly the server's state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ImapFlow } from 'imapflow';
import { imapflowClient } from '../support/imapflow.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';
import { msg } from '../support/transcript.js';

function client(srv: TestServer): ImapFlow {
  return imapflowClient(srv, 'dana@example.com', 'pw', 'tls', { qresync: true });
}

const message = (i: number): string => msg('From: bob@example.org', 'To: dana@example.com', `Subject: m${i}`, '', `Body ${i}`);

/** A client-side cache: UID -> sorted flags. */
type Cache = Map<number, string[]>;

async function snapshot(c: ImapFlow): Promise<Cache> {
  const out: Cache = new Map();
  for await (const m of c.fetch('1:*', { uid: true, flags: true })) out.set(m.uid, [...(m.flags ?? [])].sort());
  return out;
}

for (const backend of BACKENDS) {
  describe(`QRESYNC with two imapflow clients [${backend}]`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend);
      await srv.addUser('dana@example.com', 'pw');
    });
    after(async () => srv.close());

    it('an offline client resyncs flag changes, expunges and new messages exactly', async () => {
      const a = client(srv);
      await a.connect();
      for (let i = 1; i <= 8; i++) await a.append('INBOX', message(i), i % 3 === 0 ? ['\\Seen'] : []);

      // Client B syncs fully once and remembers UIDVALIDITY, HIGHESTMODSEQ and its cache, then goes offline.
      const b1 = client(srv);
      await b1.connect();
      assert.ok(b1.enabled.has('QRESYNC'), 'the server accepted ENABLE QRESYNC');
      const opened = await b1.mailboxOpen('INBOX');
      const uidValidity = opened.uidValidity;
      const modseq = opened.highestModseq!;
      const cache = await snapshot(b1);
      await b1.logout();
      assert.equal(cache.size, 8);

      // Client A works while B is offline.
      await a.mailboxOpen('INBOX');
      await a.messageFlagsAdd('2,4', ['\\Flagged', '$Work'], { uid: true });
      await a.messageFlagsRemove('3', ['\\Seen'], { uid: true });
      await a.messageFlagsAdd('5:6', ['\\Seen'], { uid: true });
      await a.messageDelete('1,6,7', { uid: true });
      await a.append('INBOX', message(9), ['\\Answered']);
      await a.messageFlagsAdd('8', ['\\Deleted'], { uid: true }); // flagged \Deleted but not expunged
      const server = await snapshot(a);
      await a.logout();

      // B comes back: only VANISHED (EARLIER) and FETCH responses during SELECT.
      const b2 = client(srv);
      const vanished: number[] = [];
      const changed: Array<{ uid: number; flags: string[] }> = [];
      b2.on('expunge', (e: { uid?: number; vanished: boolean; earlier?: boolean }) => {
        assert.equal(e.vanished, true, 'QRESYNC reports VANISHED, never EXPUNGE');
        if (e.uid) vanished.push(e.uid);
      });
      b2.on('flags', (e: { uid?: number; flags: Set<string> }) => changed.push({ uid: e.uid!, flags: [...e.flags].sort() }));
      await b2.connect();
      const reopened = await b2.mailboxOpen('INBOX', { uidValidity, changedSince: modseq } as never);
      assert.equal((reopened as { qresync?: boolean }).qresync, true, 'imapflow used QRESYNC');
      for (const uid of vanished) cache.delete(uid);
      for (const c of changed) cache.set(c.uid, c.flags);
      assert.deepEqual([...cache.entries()].sort((x, y) => x[0] - y[0]), [...server.entries()].sort((x, y) => x[0] - y[0]));
      assert.deepEqual(vanished.sort((x, y) => x - y), [1, 6, 7]);
      assert.deepEqual(changed.map((c) => c.uid).sort((x, y) => x - y), [2, 3, 4, 5, 8, 9], 'only what changed');
      assert.equal(BigInt(reopened.highestModseq!) > BigInt(modseq), true);
      await b2.logout();
    });
  });
}
