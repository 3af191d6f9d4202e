/**
 * Mail from a real MTA: Postfix (started by the test on loopback, own config) takes a message by SMTP
 * and hands it to a real `letterbox serve` over LMTP, through the unix socket for example.com and over
 * TCP for example.net. The test reads the result over IMAP: Return-Path, Delivered-To, Postfix's
 * Received field, then the sent bytes unchanged; an unknown user is refused at RCPT TO and bounced.
 * Needs root and Postfix: skipped without them, except with CI=true, where that is a failure.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { runCli, spawnServe } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { login, msg } from '../support/transcript.js';
import { postfixAvailable, startPostfix } from '../support/postfix.js';

const MESSAGE = msg(
  'From: Bob <bob@example.com>',
  'To: Alice <alice@example.com>, Dave <dave@example.net>',
  'Subject: =?UTF-8?Q?caf=C3=A9?= through Postfix',
  'Date: Sat, 21 Nov 2026 10:00:00 +0000',
  'Message-ID: <postfix-test-1@example.com>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Hello Alice,',
  '.a line that starts with a dot',
  '..and one with two',
  'caf\u00e9 \u2013 8-bit text',
  `${'long '.repeat(150)}end`,
);

/** A Received field as Postfix's smtpd writes it (cleanup prepends it; folded lines start with a tab). */
const RECEIVED = /^Received: from [^\r\n]+\r\n\tby mta\.letterbox\.test \(Postfix\) with E?SMTP id \w+[^\r\n]*\r\n(?:\t[^\r\n]*\r\n)*/;

describe('Postfix relays to Letterbox over LMTP', () => {
  it('delivers over the unix socket and TCP; IMAP serves the exact bytes; an unknown user bounces', async (t) => {
    const missing = await postfixAvailable();
    if (missing) {
      if (process.env.CI === 'true') assert.fail(`${missing}: this test must run in CI`);
      t.skip(missing);
      return;
    }
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-pf-data-'));
    // Postfix's lmtp client runs as "postfix": it must reach the socket, which the 0700 data directory would hide.
    const sockDir = await mkdtemp(path.join(os.tmpdir(), 'lb-pf-sock-'));
    await chmod(sockDir, 0o755);
    const socket = path.join(sockDir, 'lmtp.sock');
    const cleanup: Array<() => Promise<unknown>> = [() => rm(dataDir, { recursive: true, force: true }), () => rm(sockDir, { recursive: true, force: true })];
    try {
      for (const u of ['alice@example.com', 'bob@example.com', 'dave@example.net']) {
        assert.equal((await runCli(['user', 'add', u, '--password-stdin', '--data-dir', dataDir], 'pw\n')).code, 0);
      }
      const [imap, lmtp, smtp] = [await freePort(), await freePort(), await freePort()];
      const server = await spawnServe(['--data-dir', dataDir, '--host', '127.0.0.1', '--imap-port', String(imap), '--imaps-port', '0', '--pop3-port', '0', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', String(lmtp), '--lmtp-socket', socket]);
      cleanup.unshift(() => server.stop());
      const postfix = await startPostfix({ smtpPort: smtp, domains: { 'example.com': `lmtp:unix:${socket}`, 'example.net': `lmtp:inet:127.0.0.1:${lmtp}` } });
      cleanup.unshift(() => postfix.stop());

      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp, secure: false, ignoreTLS: true });
      const info = await transport.sendMail({
        envelope: { from: 'bob@example.com', to: ['alice+Archive@example.com', 'dave@example.net', 'nobody@example.com'] },
        raw: MESSAGE,
      });
      transport.close();
      assert.deepEqual(info.accepted.sort(), ['alice+Archive@example.com', 'dave@example.net', 'nobody@example.com']);

      await postfix.waitForLog(/to=<alice\+Archive@example\.com>, relay=[^\n]*lmtp\.sock[^\n]*status=sent \(250 2\.6\.0 <alice\+Archive@example\.com> delivered to Archive\)/);
      await postfix.waitForLog(/to=<dave@example\.net>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+[^\n]*status=sent \(250 2\.6\.0 <dave@example\.net> delivered to INBOX\)/);
      await postfix.waitForLog(/to=<nobody@example\.com>[^\n]*status=bounced \(host [^\n]*said: 550 5\.1\.1 <nobody@example\.com> no such user here \(in reply to RCPT TO command\)\)/);
      // The bounce goes to the sender, bob@example.com: again through Letterbox, with the null sender.
      await postfix.waitForLog(/to=<bob@example\.com>[^\n]*status=sent \(250 2\.6\.0 <bob@example\.com> delivered to INBOX\)/);

      const fetchAll = async (user: string, mailbox: string): Promise<string[]> => {
        const c = await login(imap, user);
        try {
          await c.command('s', `SELECT ${mailbox}`);
          const lines = await c.command('f', 'FETCH 1:* BODY.PEEK[]');
          assert.equal(lines.at(-1), 'f OK FETCH completed');
          return lines.slice(0, -1).map((l) => /^\* \d+ FETCH \(BODY\[\] \{\d+\}\r\n([\s\S]*)\)$/.exec(l)![1]!);
        } finally {
          c.close();
        }
      };
      const check = (stored: string, rcpt: string) => {
        const head = `Return-Path: <bob@example.com>\r\nDelivered-To: ${rcpt}\r\n`;
        assert.equal(stored.slice(0, head.length), head);
        const received = RECEIVED.exec(stored.slice(head.length));
        assert.ok(received, stored);
        assert.equal(stored.slice(head.length + received[0].length), MESSAGE);
      };
      const archive = await fetchAll('alice@example.com', 'Archive');
      assert.equal(archive.length, 1);
      check(archive[0]!, 'alice+Archive@example.com');
      const dave = await fetchAll('dave@example.net', 'INBOX');
      assert.equal(dave.length, 1);
      check(dave[0]!, 'dave@example.net');
      const bounce = await fetchAll('bob@example.com', 'INBOX');
      assert.equal(bounce.length, 1);
      assert.match(bounce[0]!, /^Return-Path: <>\r\nDelivered-To: bob@example\.com\r\nReceived: by mta\.letterbox\.test \(Postfix\)/);
      assert.match(bounce[0]!, /\r\nFrom: Mail Delivery System <MAILER-DAEMON@mta\.letterbox\.test>\r\n/);
      assert.match(bounce[0]!, /\r\nDiagnostic-Code: smtp; 550 5\.1\.1 <nobody@example\.com> no such user here\r\n/);
    } finally {
      for (const step of cleanup) await step();
    }
  });
});
