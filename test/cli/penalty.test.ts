/**
 * `letterbox penalty` against a running server's store, on both backends: it lists the addresses whose
 * failed logins the server penalised, and --clear / --clear-all forgive them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { RawClient } from '../support/line-client.js';
import { exchange } from '../support/transcript.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const FAILED = 'NO [AUTHENTICATIONFAILED] Authentication failed.';
const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };

for (const backend of BACKENDS) {
  describe(`letterbox penalty (${backend})`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend);
      await srv.addUser('alice@example.com', 'right');
    });
    after(async () => srv.close());

    it('lists the penalised addresses with their failures and delay, and clears one or all', async () => {
      assert.equal((await runCli(['penalty', ...srv.cliArgs], '', NO_ENV)).stdout, 'no address has a penalty\n');
      const a = await RawClient.connect(srv.imapPort, { localAddress: '127.0.0.6' });
      for (const tag of ['a', 'b', 'c']) await exchange(a, tag, `LOGIN user${tag}@example.com wrong`, [`${tag} ${FAILED}`]);
      const b = await RawClient.connect(srv.imapPort, { localAddress: '127.0.0.7' });
      await exchange(b, 'a', 'LOGIN alice@example.com wrong', [`a ${FAILED}`]);

      const listed = await runCli(['penalty', ...srv.cliArgs], '', NO_ENV);
      assert.equal(listed.code, 0, listed.stderr);
      const lines = listed.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
      assert.deepEqual(lines[0], ['ADDRESS', 'FAILURES', 'DELAY', 'LAST FAILURE', 'NAMES TRIED']);
      // Delays as the config's defaults give them (2 s doubling), whatever the test server waits.
      assert.deepEqual(lines.slice(1).map((l) => [l[0], l[1], l[2], l[4]]), [
        ['127.0.0.6', '3', '8s', '3'],
        ['127.0.0.7', '1', '2s', '1'],
      ]);
      assert.ok(Math.abs(Date.parse(lines[1]![3]!) - Date.now()) < 60_000);

      assert.equal((await runCli(['penalty', '--clear', '127.0.0.6', ...srv.cliArgs], '', NO_ENV)).stdout, 'cleared the penalty of 127.0.0.6\n');
      assert.equal((await runCli(['penalty', '--clear', '127.0.0.6', ...srv.cliArgs], '', NO_ENV)).stdout, '127.0.0.6 has no penalty\n');
      assert.match((await runCli(['penalty', ...srv.cliArgs], '', NO_ENV)).stdout, /^ADDRESS.*\n127\.0\.0\.7\t1\t/);
      assert.equal((await runCli(['penalty', '--clear-all', ...srv.cliArgs], '', NO_ENV)).stdout, 'cleared the penalty of 1 address\n');
      assert.equal((await runCli(['penalty', ...srv.cliArgs], '', NO_ENV)).stdout, 'no address has a penalty\n');
      // The server reads the cleared state: the next failure from 127.0.0.6 is its first again.
      await exchange(a, 'd', 'LOGIN alice@example.com wrong', [`d ${FAILED}`]);
      assert.match((await runCli(['penalty', ...srv.cliArgs], '', NO_ENV)).stdout, /\n127\.0\.0\.6\t1\t2s\t/);
      a.close();
      b.close();
    });
  });
}
