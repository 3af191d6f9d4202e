/**
 * curl's POP3 support as a real client: pop3:// with --ssl-reqd (STLS) and pop3s:// (implicit TLS), the
 * certificate verified, on both storage backends. A URL without a message number LISTs, with one it RETRs
 * (curl undoes the byte-stuffing); -X UIDL sends a custom command. curl logs in with SASL PLAIN, or LOGIN
 * when asked. Requires curl (.ci/run installs it); fails, never skips, without it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deliver } from '../../src/delivery/deliver.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

function curl(args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('curl', ['-sS', '-v', ...args]);
    const out: Buffer[] = [];
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', (err) => reject(new Error(`curl is needed for this test: ${err.message}`)));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr }));
  });
}

const MESSAGES = ['Subject: one\r\n\r\n.a dot line\r\n..and two\r\nbody\r\n', 'Subject: two\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGr\u00fc\u00dfe\r\n'];

for (const backend of BACKENDS) {
  describe(`curl POP3 [${backend}]`, () => {
    let srv: TestServer;
    let ca: string;
    let uidValidity: number;
    before(async () => {
      srv = await startTestServer(backend);
      const account = await srv.addUser('alice@example.com', 'curl pw');
      await deliver(srv.store, account, 'INBOX', MESSAGES.map((m, i) => ({ raw: Buffer.from(m), flags: [], internalDate: Date.UTC(2026, 10, 1 + i) })));
      uidValidity = (await srv.store.getMailbox(account.id, 'INBOX'))!.uidValidity;
      ca = path.join(srv.dataDir, 'ca.pem');
      await writeFile(ca, srv.cert);
    });
    after(async () => srv.close());

    const sizes = MESSAGES.map((m) => Buffer.byteLength(m));
    for (const mode of ['STLS', 'TLS'] as const) {
      const url = (p: string): string => (mode === 'TLS' ? `pop3s://localhost:${srv.pop3sPort}/${p}` : `pop3://localhost:${srv.pop3Port}/${p}`);
      const common = (): string[] => ['--cacert', ca, '--user', 'alice@example.com:curl pw', ...(mode === 'STLS' ? ['--ssl-reqd'] : [])];

      it(`LIST and RETR over ${mode}`, async () => {
        const list = await curl([...common(), url('')]);
        assert.equal(list.code, 0, list.stderr);
        assert.equal(list.stdout.toString(), `1 ${sizes[0]}\r\n2 ${sizes[1]}\r\n`);
        if (mode === 'STLS') assert.match(list.stderr, /^> STLS\r?$/m);
        assert.match(list.stderr, /^> AUTH PLAIN\r?$/m);
        for (const [i, m] of MESSAGES.entries()) {
          const retr = await curl([...common(), url(String(i + 1))]);
          assert.equal(retr.code, 0, retr.stderr);
          assert.match(retr.stderr, new RegExp(`^< \\+OK ${sizes[i]} octets\\r?$`, 'm'));
          assert.deepEqual(retr.stdout, Buffer.from(m));
        }
      });

      it(`UIDL, AUTH LOGIN and a wrong password over ${mode}`, async () => {
        const uidl = await curl([...common(), '--login-options', 'AUTH=LOGIN', '-X', 'UIDL', url('')]);
        assert.equal(uidl.code, 0, uidl.stderr);
        const hex = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');
        assert.equal(uidl.stdout.toString(), `1 ${hex(1)}${hex(uidValidity)}\r\n2 ${hex(2)}${hex(uidValidity)}\r\n`);
        assert.match(uidl.stderr, /^> AUTH LOGIN\r?$/m);
        const wrong = await curl([...common().slice(0, 2), '--user', 'alice@example.com:nope', ...(mode === 'STLS' ? ['--ssl-reqd'] : []), url('')]);
        assert.equal(wrong.code, 67, 'CURLE_LOGIN_DENIED');
        assert.match(wrong.stderr, /^< -ERR \[AUTH\] Authentication failed\.\r?$/m);
      });
    }
  });
}
