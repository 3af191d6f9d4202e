/**
 * A 250 after DATA means the message is on disk: LMTP deliveries to a real `letterbox serve` process,
 * over TCP and the unix socket, several recipients per transaction; SIGKILL right after the last 250;
 * a new server on the same data (replacing the stale socket) serves every acknowledged message,
 * byte for byte with exactly the added Return-Path and Delivered-To.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, spawnServe } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { LmtpClient } from '../support/line-client.js';
import { login, msg } from '../support/transcript.js';

const USERS = ['alice@example.com', 'bob@example.com', 'carol@example.com'];

describe('LMTP durability [sqlite]', () => {
  it('every recipient answered 250 has the message after SIGKILL and a restart', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-lmtp-kill-'));
    const socket = path.join(dataDir, 'lmtp.sock');
    try {
      for (const u of USERS) assert.equal((await runCli(['user', 'add', u, '--password-stdin', '--data-dir', dataDir], 'pw\n')).code, 0);
      const [imap, lmtp] = [await freePort(), await freePort()];
      const args = ['--data-dir', dataDir, '--host', '127.0.0.1', '--imap-port', String(imap), '--imaps-port', '0', '--pop3-port', '0', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', String(lmtp)];
      let server = await spawnServe(args);

      /** expected[mailbox key "user mailbox"] = stored messages in delivery order. */
      const expected = new Map<string, string[]>();
      const expect = (user: string, mailbox: string, text: string) => {
        const key = `${user} ${mailbox}`;
        expected.set(key, [...(expected.get(key) ?? []), text]);
      };
      const tcp = await LmtpClient.connect(lmtp);
      const unix = await LmtpClient.connect(socket);
      for (const c of [tcp, unix]) assert.equal((await c.command('LHLO mta')).at(-1)!.slice(0, 4), '250 ');
      let sent = 0;
      for (let t = 0; sent < 30; t++) {
        const c = t % 2 === 0 ? tcp : unix;
        const from = t % 5 === 0 ? '' : `sender${t}@example.org`;
        const rcpts = [USERS[t % 3]!, USERS[(t + 1) % 3]!, t % 4 === 0 ? 'alice+Archive@example.com' : null].filter((r): r is string => r !== null);
        assert.deepEqual(await c.command(`MAIL FROM:<${from}>`), ['250 2.1.0 Accepted']);
        for (const r of rcpts) assert.deepEqual(await c.command(`RCPT TO:<${r}>`), ['250 2.1.5 Accepted']);
        assert.deepEqual(await c.command('DATA'), ['354 End data with <CR><LF>.<CR><LF>']);
        const body = msg(`Subject: durable ${t}`, `Message-ID: <t${t}@example.org>`, '', `transaction ${t} caf\u00e9`, ...Array.from({ length: t * 3 }, (_, i) => `line ${i} ${'y'.repeat(i * 7)}`));
        c.write(body + '.\r\n');
        for (const r of rcpts) {
          const mailbox = r.includes('+Archive') ? 'Archive' : 'INBOX';
          assert.deepEqual(await c.readReply(), [`250 2.6.0 <${r}> delivered to ${mailbox}`]);
          expect(r.replace('+Archive', ''), mailbox, `Return-Path: <${from}>\r\nDelivered-To: ${r}\r\n${body}`);
          sent++;
        }
      }
      // The last 250 has been read: kill at once.
      assert.equal(await server.stop('SIGKILL'), 'SIGKILL');
      tcp.close();
      unix.close();

      server = await spawnServe(args);
      try {
        for (const [key, messages] of expected) {
          const [user, mailbox] = key.split(' ') as [string, string];
          const c = await login(imap, user);
          await c.command('s', `SELECT ${mailbox}`);
          const lines = await c.command('f', 'FETCH 1:* BODY.PEEK[]');
          assert.equal(lines.at(-1), 'f OK FETCH completed');
          const got = lines.slice(0, -1).map((l) => /^\* \d+ FETCH \(BODY\[\] \{\d+\}\r\n([\s\S]*)\)$/.exec(l)![1]!);
          assert.deepEqual(got, messages, key);
          c.close();
        }
        assert.equal([...expected.values()].flat().length, sent);
        // The restarted server took over the socket the killed one left behind.
        const again = await LmtpClient.connect(socket);
        assert.match(again.greeting, /^220 /);
        again.close();
      } finally {
        await server.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
