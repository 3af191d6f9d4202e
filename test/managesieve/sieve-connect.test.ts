/**
 * The real client: sieve-connect (Debian package sieve-connect, /usr/bin/sieve-connect) uploads a script,
 * lists, activates and downloads it over STARTTLS (the server refuses PLAIN before TLS here, so the client
 * must use it), trusting the server's self-signed certificate, with the password on stdin (--passwordfd 0),
 * as README's ManageSieve section shows, against both storage backends. Without sieve-connect the test is
 * skipped, except with CI=true, where it fails.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const SIEVE_CONNECT = '/usr/bin/sieve-connect';
const installed = spawnSync(SIEVE_CONNECT, ['--help']).status !== null;
if (!installed && process.env.CI === 'true') throw new Error(`${SIEVE_CONNECT} is missing (apt-get install sieve-connect)`);

const SCRIPT = 'require ["fileinto", "mailbox"];\r\nif header :contains "list-id" "rust-lang" {\r\n  fileinto :create "Lists/Rust";\r\n}\r\n';

for (const backend of BACKENDS) {
  describe(`sieve-connect [${backend}]`, { skip: installed ? false : `${SIEVE_CONNECT} is not installed` }, () => {
    let srv: TestServer;
    let dir: string;
    before(async () => {
      srv = await startTestServer(backend, (c) => (c.managesieve.plaintextAuth = 'never'));
      await srv.addUser('alice@example.com', 'a long passphrase');
      dir = await mkdtemp(path.join(os.tmpdir(), 'lb-sieve-connect-'));
      await writeFile(path.join(dir, 'selfsigned.crt'), srv.cert);
      await writeFile(path.join(dir, 'filters.sieve'), SCRIPT);
    });
    after(async () => {
      await srv.close();
      await rm(dir, { recursive: true, force: true });
    });

    /** sieveConnect runs sieve-connect against the server as alice, the password on stdin. */
    const sieveConnect = (...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => run('a long passphrase', args);
    /** run runs sieve-connect with `password` on stdin (the server runs in this process: never spawnSync). */
    const run = (password: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve, reject) => {
        const p = spawn(
          SIEVE_CONNECT,
          ['--server', 'localhost', '--port', String(srv.managesievePort), '--user', 'alice@example.com', '--passwordfd', '0', '--tlscafile', 'selfsigned.crt', ...args],
          { cwd: dir },
        );
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('error', reject);
        p.on('close', (code) => resolve({ code, stdout, stderr }));
        p.stdin.end(`${password}\n`);
      });

    it('uploads, lists, activates and downloads a script over STARTTLS', async () => {
      const up = await sieveConnect('--upload', '--localsieve', 'filters.sieve', '--remotesieve', 'filters');
      assert.equal(up.code, 0, up.stderr);
      assert.deepEqual(await sieveConnect('--list'), { code: 0, stdout: '"filters"\n', stderr: '' });
      const act = await sieveConnect('--activate', '--remotesieve', 'filters');
      assert.equal(act.code, 0, act.stderr);
      assert.deepEqual(await sieveConnect('--list'), { code: 0, stdout: '"filters" ACTIVE\n', stderr: '' });
      const down = await sieveConnect('--download', '--remotesieve', 'filters', '--localsieve', 'downloaded.sieve');
      assert.equal(down.code, 0, down.stderr);
      assert.equal(await readFile(path.join(dir, 'downloaded.sieve'), 'utf8'), SCRIPT);
      const account = (await srv.store.getAccount('alice@example.com'))!;
      assert.deepEqual(await srv.store.getActiveSieveScript(account.id), { name: 'filters', source: SCRIPT });
      const deact = await sieveConnect('--deactivate');
      assert.equal(deact.code, 0, deact.stderr);
      assert.equal(await srv.store.getActiveSieveScript(account.id), null);
      const del = await sieveConnect('--delete', '--remotesieve', 'filters');
      assert.equal(del.code, 0, del.stderr);
      assert.deepEqual(await sieveConnect('--list'), { code: 0, stdout: '', stderr: '' });
    });

    it('fails with a wrong password', async () => {
      const r = await run('wrong', ['--list']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Authentication failed/);
    });
  });
}
