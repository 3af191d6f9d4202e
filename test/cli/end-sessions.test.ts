/**
 * `letterbox user passwd` and `letterbox user delete`, run as other processes, end the user's open IMAP
 * and POP3 sessions on a running server (`* BYE`, `-ERR [SYS/TEMP]`), on both backends (SQLite: another process on the same file;
 * PostgreSQL: another node), and leave other users' sessions alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { login, loginPop3, exchange } from '../support/transcript.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };

for (const backend of BACKENDS) {
  describe(`user passwd and delete end the user's sessions (${backend})`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend);
      for (const u of ['alice', 'bob']) await srv.addUser(`${u}@example.com`, 'pw');
    });
    after(async () => srv.close());

    it('passwd: every session of the user gets * BYE, in IDLE or not; other users go on', async () => {
      const idle = await login(srv.imapPort, 'alice@example.com');
      await idle.command('s', 'SELECT INBOX');
      idle.send('i IDLE');
      assert.equal(await idle.readLine(), '+ idling');
      const plain = await login(srv.imapPort, 'alice@example.com');
      const bob = await login(srv.imapPort, 'bob@example.com');
      const r = await runCli(['user', 'passwd', 'alice@example.com', '--password-stdin', ...srv.cliArgs], 'new password\n', NO_ENV);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await idle.readLine(10_000), '* BYE Password changed, please log in again.');
      assert.equal(await idle.closedByServer(5000), true);
      assert.equal(await plain.readLine(10_000), '* BYE Password changed, please log in again.');
      assert.equal(await plain.closedByServer(5000), true);
      await exchange(bob, 'n', 'NOOP', ['n OK NOOP completed']);
      const again = await login(srv.imapPort, 'alice@example.com', { password: 'new password' });
      await exchange(again, 'n', 'NOOP', ['n OK NOOP completed']);
      again.close();
      bob.close();
    });

    it('delete: the deleted user\'s IMAP and POP3 sessions end (* BYE, -ERR [SYS/TEMP])', async () => {
      await srv.addUser('carol@example.com', 'pw');
      const c = await login(srv.imapPort, 'carol@example.com');
      await c.command('s', 'SELECT INBOX');
      const p = await loginPop3(srv, 'TLS', 'carol@example.com');
      const r = await runCli(['user', 'delete', 'carol@example.com', '--yes', ...srv.cliArgs], '', NO_ENV);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await c.readLine(10_000), '* BYE Account deleted.');
      assert.equal(await c.closedByServer(5000), true);
      assert.equal(await p.readLine(10_000), '-ERR [SYS/TEMP] Account deleted.');
      assert.equal(await p.closedByServer(5000), true);
    });
  });
}
