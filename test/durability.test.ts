/**
 * A message acknowledged to a client survives kill -9 the next instant: APPEND through a real
 * `letterbox serve` process, SIGKILL it right after the last tagged OK, then open the data directory
 * again and find every acknowledged message, byte for byte.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../src/store/open.js';
import { bin, runCli } from './support/cli.js';
import { freePort } from './support/ports.js';
import { appendNonSync, login, msg } from './support/transcript.js';

describe('durability [sqlite]', () => {
  it('every APPEND answered OK is on disk after SIGKILL', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'letterbox-kill-'));
    try {
      assert.equal((await runCli(['user', 'add', 'alice@example.com', '--password-stdin', '--data-dir', dataDir], 'pw\n')).code, 0);
      const port = await freePort();
      const server = spawn(process.execPath, [bin(), 'serve', '--data-dir', dataDir, '--host', '127.0.0.1', '--imap-port', String(port), '--imaps-port', '0', '--pop3-port', '0', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', '0']);
      let out = '';
      await new Promise<void>((resolve, reject) => {
        server.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('Letterbox ready')) resolve();
        });
        server.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
      });
      const c = await login(port, 'alice@example.com');
      const sent: string[] = [];
      for (let i = 0; i < 25; i++) {
        const body = msg(`Subject: durable ${i}`, `Message-ID: <d${i}@example.org>`, '', `body ${i} ${'x'.repeat(i * 97)}`);
        assert.match(await appendNonSync(c, `a${i}`, 'INBOX', body), /^a\d+ OK \[APPENDUID \d+ \d+\]/);
        sent.push(body);
      }
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGKILL');
      await exited;
      c.close();

      const store = await openStore({ dataDir, storage: { kind: 'sqlite' } });
      try {
        const acct = (await store.getAccount('alice@example.com'))!;
        const inbox = (await store.getMailbox(acct.id, 'INBOX'))!;
        const records = await store.getMessages(acct.id, inbox.id, (await store.listMessages(acct.id, inbox.id)).map((m) => m.uid));
        const bodies = await Promise.all(records.map((r) => store.readBody(acct.id, r.bodyId)));
        assert.deepEqual(
          bodies.map((b) => b.toString()),
          sent,
        );
        assert.deepEqual(
          records.map((r) => r.uid),
          sent.map((_, i) => i + 1),
        );
        assert.equal(inbox.uidNext, sent.length + 1);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
