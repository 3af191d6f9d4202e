/**
 * fetchmail, the classic POP3 downloader, against Letterbox in POP3 mode with `uidl` and `keep`: over STLS
 * (fetchmail upgrades when CAPA offers STLS; `sslproto` makes it mandatory) and over implicit TLS (`ssl`),
 * with the certificate verified, on both storage backends. The first run downloads every message, the
 * second finds them all seen by their UIDL and fetches nothing, the third fetches only a newly delivered
 * one; the server keeps everything. Requires fetchmail (Debian package fetchmail; .ci/run installs it).
 * Fails, never skips, without it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deliver } from '../../src/delivery/deliver.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';
import { msg } from '../support/transcript.js';

function fetchmail(rc: string, home: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the server runs in this process and must answer while fetchmail runs.
    const p = spawn('fetchmail', ['-f', rc, '--nodetach', '--nosyslog', '-v'], { env: { ...process.env, FETCHMAILHOME: home, HOME: home } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', (err) => reject(new Error(`fetchmail is needed for this test (apt-get install fetchmail): ${err.message}`)));
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** downloaded lists the messages the MDA script wrote, by content, in name order. */
async function downloaded(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(names.map((n) => readFile(path.join(dir, n), 'utf8')));
}

const message = (i: number, extra = ''): string => msg(`From: sender${i}@example.org`, 'To: alice@example.com', `Subject: fetch ${i}`, `Message-ID: <fetch${i}@example.org>`, '', `Body ${i}`, `${extra}`);
/** What the MDA receives: fetchmail hands it LF line endings (stripcr) and, with `invisible`, adds no Received field. */
const delivered = (raw: string): string => raw.replace(/\r\n/g, '\n');

for (const backend of BACKENDS) {
  describe(`fetchmail [${backend}]`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend);
    });
    after(async () => srv.close());

    for (const mode of ['STLS', 'TLS'] as const) {
      it(`downloads with uidl and keep over ${mode}; the second run fetches nothing new, the third only the new message`, async () => {
        const email = `fetch-${mode.toLowerCase()}@example.com`;
        const account = await srv.addUser(email, 'fetch pw');
        const first = [message(1, '.a line with a leading dot'), message(2), message(3, '..two dots')];
        await deliver(srv.store, account, 'INBOX', first.map((m, i) => ({ raw: Buffer.from(m), flags: [], internalDate: Date.UTC(2026, 10, 1 + i) })));

        const home = path.join(srv.dataDir, `fetchmail-${mode}`);
        const outDir = path.join(home, 'out');
        await mkdir(outDir, { recursive: true });
        const ca = path.join(home, 'ca.pem');
        await writeFile(ca, srv.cert);
        const mda = path.join(home, 'save.sh');
        // One file per message, named so that `ls` order is delivery order.
        await writeFile(mda, `#!/bin/sh\nexec cat > "${outDir}/$(date +%s%N)"\n`);
        await chmod(mda, 0o755);
        const rc = path.join(home, 'fetchmailrc');
        await writeFile(
          rc,
          [
            'set no syslog',
            'set invisible',
            `poll localhost via 127.0.0.1 with proto POP3 port ${mode === 'TLS' ? srv.pop3sPort : srv.pop3Port} uidl`,
            `  user "${email}" there with password "fetch pw" is "${os.userInfo().username}" here`,
            `  options keep ${mode === 'TLS' ? 'ssl ' : ''}sslproto "TLS1.2+" sslcertck sslcertfile "${ca}" sslcommonname localhost`,
            `  mda "${mda}"`,
            '',
          ].join('\n'),
          { mode: 0o600 },
        );

        const run1 = await fetchmail(rc, home);
        assert.equal(run1.code, 0, run1.out);
        assert.match(run1.out, mode === 'STLS' ? /POP3> STLS\n.*\n[\s\S]*upgrade to TLS succeeded/ : /SSL\/TLS: using protocol TLSv1\.[23]/);
        assert.match(run1.out, /3 messages for fetch-\w+@example\.com at localhost/);
        assert.deepEqual(await downloaded(outDir), first.map(delivered));

        // Status 1 is fetchmail's "no new mail": every UIDL was seen in the first run.
        const run2 = await fetchmail(rc, home);
        assert.equal(run2.code, 1, run2.out);
        assert.match(run2.out, /3 messages \(3 seen\) for fetch-\w+@example\.com at localhost/);
        assert.equal((await downloaded(outDir)).length, 3);

        const fourth = message(4);
        await deliver(srv.store, account, 'INBOX', [{ raw: Buffer.from(fourth), flags: [], internalDate: Date.UTC(2026, 10, 9) }]);
        const run3 = await fetchmail(rc, home);
        assert.equal(run3.code, 0, run3.out);
        assert.match(run3.out, /4 messages \(3 seen\) for fetch-\w+@example\.com at localhost/);
        assert.deepEqual(await downloaded(outDir), [...first, fourth].map(delivered));

        // `keep`: nothing was deleted on the server.
        const inbox = (await srv.store.getMailbox(account.id, 'INBOX'))!;
        assert.equal((await srv.store.listMessages(account.id, inbox.id)).length, 4);
      });
    }
  });
}
