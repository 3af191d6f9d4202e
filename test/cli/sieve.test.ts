/**
 * `letterbox sieve list|put|get|activate|deactivate|delete`, run as another process against a running
 * server on both backends: what it stores is what a ManageSieve session lists and downloads, what a
 * session stores it prints; refusals (no such user or script, the active script, a script that does not
 * compile, the limits, bad names) with one clear line and their exit status.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SIEVE_LIMITS } from '../../src/sieve/index.js';
import { runCli } from '../support/cli.js';
import { ManageSieveClient } from '../support/line-client.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };
const SCRIPT = 'require "fileinto";\nif address :is "from" "boss@example.com" {\n  fileinto "Work";\n}\n';

for (const backend of BACKENDS) {
  describe(`letterbox sieve (${backend})`, () => {
    let srv: TestServer;
    let dir: string;
    const cli = (args: string[], input = '') => runCli([...args, ...srv.cliArgs], input, NO_ENV);
    before(async () => {
      srv = await startTestServer(backend);
      dir = await mkdtemp(path.join(os.tmpdir(), 'lb-sieve-cli-'));
    });
    after(async () => {
      await srv.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('put from a file and from stdin, list, get, activate, deactivate, delete; a ManageSieve session sees the same', async () => {
      await srv.addUser('s@example.com', 'pw');
      const file = path.join(dir, 'work.sieve');
      await writeFile(file, SCRIPT);
      assert.deepEqual(await cli(['sieve', 'list', 's@example.com']), { code: 0, stdout: 'NAME\tACTIVE\tSIZE\n', stderr: '' });
      assert.deepEqual(await cli(['sieve', 'put', 's@example.com', 'work', file]), { code: 0, stdout: `stored script work (${SCRIPT.length} octets)\n`, stderr: '' });
      assert.deepEqual(await cli(['sieve', 'put', 's@example.com', 'keep all', '--activate'], 'keep;\n'), { code: 0, stdout: 'stored script keep all (6 octets), active\n', stderr: '' });
      assert.deepEqual(await cli(['sieve', 'list', 's@example.com']), { code: 0, stdout: `NAME\tACTIVE\tSIZE\nkeep all\tyes\t6\nwork\tno\t${SCRIPT.length}\n`, stderr: '' });
      assert.deepEqual(await cli(['sieve', 'get', 's@example.com', 'work']), { code: 0, stdout: SCRIPT, stderr: '' });
      assert.deepEqual(await cli(['sieve', 'activate', 's@example.com', 'work']), { code: 0, stdout: 'activated script work\n', stderr: '' });

      const c = await ManageSieveClient.connect(srv.managesievePort);
      assert.deepEqual(await c.command(`AUTHENTICATE "PLAIN" "${Buffer.from('\0s@example.com\0pw').toString('base64')}"`), ['OK "Logged in."']);
      assert.deepEqual(await c.command('LISTSCRIPTS'), ['"keep all"', '"work" ACTIVE', 'OK "Listscripts completed."']);
      assert.deepEqual(await c.command('GETSCRIPT "work"'), [`{${SCRIPT.length}}\r\n${SCRIPT}`, 'OK "Getscript completed."']);
      assert.deepEqual(await c.command('PUTSCRIPT "from-client" "discard;"'), ['OK "Putscript completed."']);
      c.close();
      assert.deepEqual(await cli(['sieve', 'get', 's@example.com', 'from-client']), { code: 0, stdout: 'discard;', stderr: '' });

      assert.deepEqual(await cli(['sieve', 'delete', 's@example.com', 'work']), {
        code: 1,
        stdout: '',
        stderr: 'letterbox: cannot delete script work: it is the active script; run "letterbox sieve deactivate" or activate another first\n',
      });
      assert.deepEqual(await cli(['sieve', 'deactivate', 's@example.com']), { code: 0, stdout: 'no script is active\n', stderr: '' });
      assert.deepEqual(await cli(['sieve', 'delete', 's@example.com', 'work']), { code: 0, stdout: 'deleted script work\n', stderr: '' });
      assert.deepEqual(await cli(['sieve', 'list', 's@example.com']), { code: 0, stdout: 'NAME\tACTIVE\tSIZE\nfrom-client\tno\t8\nkeep all\tno\t6\n', stderr: '' });
    });

    it('refuses with one line and its exit status: no such user or script, bad names and files, compile errors, the size limit', async () => {
      await srv.addUser('r@example.com', 'pw');
      const none = await cli(['sieve', 'list', 'nobody@example.com']);
      assert.deepEqual([none.code, none.stderr], [67, 'letterbox: no such user: nobody@example.com (create it with "letterbox user add nobody@example.com")\n']);
      const get = await cli(['sieve', 'get', 'r@example.com', 'nope']);
      assert.deepEqual([get.code, get.stderr], [66, 'letterbox: no such script: nope (see "letterbox sieve list r@example.com")\n']);
      const act = await cli(['sieve', 'activate', 'r@example.com', 'nope']);
      assert.deepEqual([act.code, act.stderr], [66, 'letterbox: cannot activate script nope: There is no script by that name.\n']);
      const del = await cli(['sieve', 'delete', 'r@example.com', 'nope']);
      assert.deepEqual([del.code, del.stderr], [66, 'letterbox: cannot delete script nope: There is no script by that name.\n']);
      const name = await cli(['sieve', 'put', 'r@example.com', 'tab\there'], 'keep;');
      assert.deepEqual([name.code, name.stderr], [64, 'letterbox: invalid script name "tab\\there": a script name cannot contain control characters\n']);
      const missing = await cli(['sieve', 'put', 'r@example.com', 'x', path.join(dir, 'missing.sieve')]);
      assert.deepEqual([missing.code, missing.stderr], [66, `letterbox: cannot read ${path.join(dir, 'missing.sieve')}: no such file\n`]);
      const latin1 = path.join(dir, 'latin1.sieve');
      await writeFile(latin1, Buffer.from('# Gr\xfc\xdfe\nkeep;\n', 'latin1'));
      const binary = await cli(['sieve', 'put', 'r@example.com', 'x', latin1]);
      assert.deepEqual([binary.code, binary.stderr], [65, `letterbox: ${latin1}: the script is not UTF-8 text (RFC 5228 section 2.1)\n`]);
      const big = await cli(['sieve', 'put', 'r@example.com', 'big'], '#'.repeat(DEFAULT_SIEVE_LIMITS.maxScriptOctets + 1));
      assert.deepEqual([big.code, big.stderr], [1, `letterbox: standard input: the script is ${DEFAULT_SIEVE_LIMITS.maxScriptOctets + 1} octets, more than the limit of ${DEFAULT_SIEVE_LIMITS.maxScriptOctets} (managesieve.max_script_size)\n`]);
      // A script that does not compile is refused with its line and column.
      const r = await cli(['sieve', 'put', 'r@example.com', 'broken'], 'if true {\n  keep;\n');
      assert.deepEqual([r.code, r.stderr], [65, 'letterbox: standard input: line 3, column 1: expected "}" or a command, found end of script\n']);
    });
  });
}
