/**
 * Overload: with 500 connections sending commands as fast as the server answers, a new connection is
 * still greeted and answered (a correctness check with a generous bound; the latency figure is
 * bench/overload.ts's), and one beyond imap.maxConnections gets `* BYE [UNAVAILABLE] Too many
 * connections` while the others go on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { probe, startLoad } from '../support/load.js';
import { startTestServer } from '../support/server.js';

const BUSY = 500;

describe('overload', { timeout: 120_000 }, () => {
  it(`answers a new connection under ${BUSY} busy ones, and refuses beyond maxConnections with BYE`, async () => {
    const srv = await startTestServer('sqlite', (c) => (c.imap.maxConnections = BUSY + 1));
    const load = await startLoad(srv.imapPort, BUSY);
    try {
      assert.equal(load.connected, BUSY);
      await sleep(1000);
      const before = load.replies();
      assert.ok(before > 0, 'the busy connections are being answered');
      const p = await probe(srv.imapPort);
      assert.match(p.greeting, /^\* OK \[CAPABILITY /);
      assert.equal(p.reply, 'p OK NOOP completed');

      // Fill the last slot (once the probe's is free again), then one more is refused with a clear BYE.
      while (srv.server.connectionCount() > BUSY) await sleep(20);
      const last = await startLoad(srv.imapPort, 1);
      const refused = await probe(srv.imapPort);
      assert.equal(refused.greeting, '* BYE [UNAVAILABLE] Too many connections');
      assert.equal(refused.reply, null);
      await sleep(500);
      assert.ok(load.replies() > before, 'the busy connections are still answered');
      await last.stop();
    } finally {
      await load.stop();
      await srv.close();
    }
  });
});
