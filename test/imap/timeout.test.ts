/**
 * Inactivity limits (RFC 9051 section 5.4): a session that has not logged in is closed with
 * `* BYE` after 60 seconds without a command; a logged-in one is kept (its limit is 30 minutes).
 * This test waits the real 60 seconds; it runs beside the other test files.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawClient } from '../support/line-client.js';
import { login, exchange } from '../support/transcript.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

for (const backend of BACKENDS) {
  describe(`inactivity timeouts [${backend}]`, { timeout: 120_000 }, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend);
      await srv.addUser('alice@example.com', 'pw');
    });
    after(async () => srv.close());

    it('closes an unauthenticated session after 60 s and keeps an authenticated one', async () => {
      const anon = await RawClient.connect(srv.imapPort);
      const user = await login(srv.imapPort, 'alice@example.com');
      const t0 = Date.now();
      assert.equal(await anon.readLine(70_000), '* BYE Autologout; idle for too long');
      const waited = Date.now() - t0;
      assert.ok(waited >= 59_000 && waited < 65_000, `closed after ${waited} ms`);
      assert.equal(await anon.closedByServer(), true);
      await exchange(user, 'n', 'NOOP', ['n OK NOOP completed']);
      user.close();
    });
  });
}
