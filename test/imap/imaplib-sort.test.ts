/**
 * SORT and THREAD through Python's standard imaplib (its sort(), thread() and uid() methods) over implicit
 * TLS, on the fixture mailbox of sort-fixtures.ts. The expected answers are the Dovecot-checked ones of
 * sort.test.ts. Requires python3 (CI has it); the test fails, never skips, when it is missing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';
import { login } from '../support/transcript.js';
import { corpusFixtures, SYNTHETIC } from './sort-fixtures.js';

const SCRIPT = path.resolve(import.meta.dirname, '..', 'python', 'imaplib_sort.py');

function python(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', [SCRIPT, ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', (err) => reject(new Error(`python3 is needed for this test: ${err.message}`)));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

for (const backend of BACKENDS) {
  describe(`Python imaplib sort() and thread() [${backend}]`, () => {
    let srv: TestServer;
    let caFile: string;
    before(async () => {
      srv = await startTestServer(backend);
      await srv.addUser('sorter@example.com', 'imaplib pw');
      caFile = path.join(srv.dataDir, 'ca.pem');
      await writeFile(caFile, srv.cert);
      const c = await login(srv.imapPort, 'sorter@example.com', { password: 'imaplib pw' });
      for (const [i, f] of [...SYNTHETIC, ...corpusFixtures()].entries()) {
        c.write(Buffer.concat([Buffer.from(`a${i} APPEND INBOX ${f.date} {${f.body.length}+}\r\n`), f.body, Buffer.from('\r\n')]));
        assert.match((await c.readUntilTagged(`a${i}`)).at(-1)!, /OK \[APPENDUID/);
      }
      c.close();
    });
    after(async () => srv.close());

    it('sorts and threads the fixture mailbox as Dovecot does; another charset is NO [BADCHARSET]', async () => {
      const r = await python([String(srv.imapsPort), caFile, 'sorter@example.com', 'imaplib pw']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), {
        capabilities: ['ESEARCH', 'SEARCHRES', 'SORT', 'SORT=DISPLAY', 'THREAD=ORDEREDSUBJECT', 'THREAD=REFERENCES', 'WITHIN'],
        exists: 37,
        sort_date: ['13 14 15 16 18 17 24 25 28 26 30 29 31 27 32 19 20 21 22 34 37 35 36 33 23 2 12 3 9 1 5 4 6 7 8 10 11'],
        sort_subject: ['8 9 10 11 3 4 13 14 15 16 17 18 24 25 26 27 28 29 30 31 32 6 7 33 35 36 19 20 21 22 23 1 2 5 12 34 37'],
        sort_reverse_from: ['9 10 11'],
        uid_sort_displayfrom: ['11 2 5 12 3 7 9 10 4 6 8 1'],
        thread_references: [
          '(13 (14 (15)(16))(18)(17))((24 25 26 27)(28 (30 31 32)(29)))(19 20 21 (22)(23))(34 37 35 36 33)((2 1 5)(12))((9 10)(11))(4 3)((6)(7))(8)',
        ],
        thread_orderedsubject: ['(2 (12)(1)(5))(3 4)(9 (10)(11))(6 7)(8)'],
        uid_thread_references: ['(13 (14 (15)(16))(18)(17))((24 25 26 27)(28 (30 31 32)(29)))(19 20 21 (22)(23))(34 37 35 36 33)'],
        badcharset: ['NO', ['[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset KOI8-R']],
        logout: 'BYE',
      });
    });
  });
}
