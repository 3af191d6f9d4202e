/**
 * Sieve at delivery, end to end, against both storage backends: a script uploaded and activated with the
 * real ManageSieve client sieve-connect, mail delivered over LMTP (raw transcripts) and by `letterbox
 * deliver`, read back over IMAP with imapflow; redirect, vacation and reject MDNs caught by an SMTP sink
 * (smtp-server) that outgoing.smtp points at. The README's "Sieve filtering" example is EXAMPLE below.
 * Without sieve-connect the tests that need it are skipped, except with CI=true, where they fail.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { startLmtpServer, type RunningLmtp } from '../../src/lmtp/server.js';
import { runCli } from '../support/cli.js';
import { imapflowClient } from '../support/imapflow.js';
import { LmtpClient } from '../support/line-client.js';
import { freePort } from '../support/ports.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const SIEVE_CONNECT = '/usr/bin/sieve-connect';
const installed = spawnSync(SIEVE_CONNECT, ['--help']).status !== null;
if (!installed && process.env.CI === 'true') throw new Error(`${SIEVE_CONNECT} is missing (apt-get install sieve-connect)`);
const needsSieveConnect = { skip: installed ? false : `${SIEVE_CONNECT} is not installed` };

/** EXAMPLE is the README's example script, word for word. */
const EXAMPLE = `require ["fileinto", "mailbox", "imap4flags", "vacation"];

# Mailing lists into a folder of their own, created at the first message
if header :contains "List-Id" "<rust-users.lists.rust-lang.org>" {
  fileinto :create "Lists/Rust";
  stop;
}
# Spam the MTA marked: dropped
if header :is "X-Spam-Flag" "YES" {
  discard;
  stop;
}
# Mail from the boss: flagged, kept in INBOX
if address :is "from" "boss@example.com" {
  addflag "\\\\Flagged";
}
vacation :days 7 :subject "Away until Monday"
  "I am away until Monday and will answer your mail then.";
`;

const PASSWORD = 'a long passphrase';

it('the README\'s Sieve example is the script these tests run', async () => {
  const readme = await readFile(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  assert.equal(/```sieve\n([\s\S]*?)```/.exec(readme)?.[1], EXAMPLE);
});

/** SentMail is one message the SMTP sink received. */
interface SentMail {
  from: string;
  to: string[];
  data: string;
}

/** message builds a CRLF message from header lines and a body line. */
function message(headers: string[], body = 'Hello.'): string {
  return `${headers.join('\r\n')}\r\n\r\n${body}\r\n`;
}

for (const backend of BACKENDS) {
  describe(`Sieve at delivery [${backend}]`, () => {
    let srv: TestServer;
    let lmtp: RunningLmtp;
    let lmtpPort = 0;
    let sink: SMTPServer;
    let sinkPort = 0;
    const sent: SentMail[] = [];
    const logged: Array<Record<string, unknown>> = [];
    let dir = '';
    let n = 0;

    const logStream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line) logged.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });

    before(async () => {
      sinkPort = await freePort();
      sink = new SMTPServer({
        disabledCommands: ['STARTTLS', 'AUTH'],
        authOptional: true,
        logger: false,
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
            sent.push({ from, to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString('utf8') });
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => sink.listen(sinkPort, '127.0.0.1', resolve));
      srv = await startTestServer(backend, (c) => {
        c.outgoing.smtp = `smtp://127.0.0.1:${sinkPort}`;
        c.managesieve.plaintextAuth = 'never';
      });
      lmtp = await startLmtpServer({
        config: { ...srv.config, lmtp: { host: '127.0.0.1', port: 24, socket: null } },
        store: srv.store,
        log: pino({ level: 'info' }, logStream),
        ephemeralPort: true,
      });
      lmtpPort = lmtp.addresses.flatMap((a) => ('port' in a ? [a.port] : []))[0]!;
      dir = await mkdtemp(path.join(os.tmpdir(), 'lb-sieve-delivery-'));
      await writeFile(path.join(dir, 'selfsigned.crt'), srv.cert);
    });
    after(async () => {
      await lmtp.close();
      await srv.close();
      await new Promise<void>((resolve) => sink.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    });

    /** newUser creates an account with the password PASSWORD. */
    const newUser = async (): Promise<string> => {
      const email = `sieve${++n}@example.com`;
      await srv.addUser(email, PASSWORD);
      return email;
    };

    /** activate stores `source` as the account's active script `name` directly in the store (sieve-connect is tested with EXAMPLE). */
    const activate = async (email: string, name: string, source: string): Promise<void> => {
      const account = (await srv.store.getAccount(email))!;
      await srv.store.putSieveScript(account.id, name, source, { maxScripts: 20, maxOctets: 65_536 });
      await srv.store.setActiveSieveScript(account.id, name);
    };

    /** sieveConnect runs sieve-connect as `email` against `target`'s ManageSieve port (STARTTLS, the password on stdin). */
    const sieveConnect = (target: TestServer, email: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve, reject) => {
        const p = spawn(
          SIEVE_CONNECT,
          ['--server', 'localhost', '--port', String(target.managesievePort), '--user', email, '--passwordfd', '0', '--tlscafile', 'selfsigned.crt', ...args],
          { cwd: dir },
        );
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('error', reject);
        p.on('close', (code) => resolve({ code, stdout, stderr }));
        p.stdin.end(`${PASSWORD}\n`);
      });

    /**
     * lmtpSend runs one LMTP transaction: LHLO, MAIL FROM:<from>, one RCPT TO per recipient (each must be
     * accepted), DATA with `body`; returns the replies after DATA, one per recipient.
     */
    const lmtpSend = async (from: string, rcpts: string[], body: string): Promise<string[]> => {
      const c = await LmtpClient.connect(lmtpPort);
      try {
        await c.command('LHLO mta.example.org');
        assert.deepEqual(await c.command(`MAIL FROM:<${from}>`), ['250 2.1.0 Accepted']);
        for (const r of rcpts) assert.deepEqual(await c.command(`RCPT TO:<${r}>`), ['250 2.1.5 Accepted']);
        assert.deepEqual(await c.command('DATA'), ['354 End data with <CR><LF>.<CR><LF>']);
        c.write(`${body}.\r\n`);
        const replies: string[] = [];
        for (const _ of rcpts) replies.push(...(await c.readReply()));
        await c.command('QUIT');
        return replies;
      } finally {
        c.close();
      }
    };

    /** mailbox lists the subjects and flags of the messages in `name` over IMAP, in UID order; null when the mailbox does not exist. */
    const mailbox = async (email: string, name: string): Promise<Array<{ subject: string; flags: string[] }> | null> => {
      const client = imapflowClient(srv, email, PASSWORD);
      await client.connect();
      try {
        const list = await client.list();
        if (!list.some((m) => m.path === name)) return null;
        const lock = await client.getMailboxLock(name);
        try {
          const out: Array<{ subject: string; flags: string[] }> = [];
          if (typeof client.mailbox === 'object' && client.mailbox.exists === 0) return out;
          for await (const m of client.fetch('1:*', { envelope: true, flags: true })) {
            out.push({ subject: m.envelope?.subject ?? '', flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort() });
          }
          return out;
        } finally {
          lock.release();
        }
      } finally {
        await client.logout();
      }
    };

    /** sentTo returns (and forgets) what the sink received for `rcpt`. */
    const sentTo = (rcpt: string): SentMail[] => {
      const mine = sent.filter((m) => m.to.includes(rcpt));
      for (const m of mine) sent.splice(sent.indexOf(m), 1);
      return mine;
    };

    it('runs the README example uploaded and activated with sieve-connect: fileinto :create, discard, imap4flags, vacation once per sender', needsSieveConnect, async () => {
      const user = await newUser();
      await writeFile(path.join(dir, 'filters.sieve'), EXAMPLE);
      const up = await sieveConnect(srv, user, ['--upload', '--localsieve', 'filters.sieve', '--remotesieve', 'filters']);
      assert.equal(up.code, 0, up.stderr);
      const act = await sieveConnect(srv, user, ['--activate', '--remotesieve', 'filters']);
      assert.equal(act.code, 0, act.stderr);
      assert.deepEqual(await sieveConnect(srv, user, ['--list']), { code: 0, stdout: '"filters" ACTIVE\n', stderr: '' });

      const list = message(['From: Ann <ann@lists.example.org>', `To: rust-users@lists.rust-lang.org`, 'Subject: list mail', 'List-Id: Rust users <rust-users.lists.rust-lang.org>', 'Message-ID: <l1@example.org>']);
      assert.deepEqual(await lmtpSend('ann@lists.example.org', [user], list), [`250 2.6.0 <${user}> delivered to Lists/Rust`]);
      const spam = message(['From: spammer@example.net', `To: ${user}`, 'Subject: spam', 'X-Spam-Flag: YES', 'Message-ID: <s1@example.net>']);
      assert.deepEqual(await lmtpSend('spammer@example.net', [user], spam), [`250 2.6.0 <${user}> discarded by Sieve`]);
      const boss = message(['From: The Boss <boss@example.com>', `To: ${user}`, 'Subject: from the boss', 'Message-ID: <b1@example.com>']);
      assert.deepEqual(await lmtpSend('boss@example.com', [user], boss), [`250 2.6.0 <${user}> delivered to INBOX`]);
      const friend = (id: string, extra: string[] = []) => message(['From: Bob <bob@example.org>', `To: ${user}`, `Subject: question ${id}`, `Message-ID: <${id}@example.org>`, ...extra]);
      assert.deepEqual(await lmtpSend('bob@example.org', [user], friend('q1')), [`250 2.6.0 <${user}> delivered to INBOX`]);
      assert.deepEqual(await lmtpSend('bob@example.org', [user], friend('q2')), [`250 2.6.0 <${user}> delivered to INBOX`]);
      assert.deepEqual(await lmtpSend('carol@example.org', [user], message(['From: carol@example.org', `To: ${user}`, 'Subject: newsletter', 'Precedence: bulk'])), [`250 2.6.0 <${user}> delivered to INBOX`]);

      assert.deepEqual(await mailbox(user, 'Lists/Rust'), [{ subject: 'list mail', flags: [] }]);
      assert.deepEqual(await mailbox(user, 'INBOX'), [
        { subject: 'from the boss', flags: ['\\Flagged'] },
        { subject: 'question q1', flags: [] },
        { subject: 'question q2', flags: [] },
        { subject: 'newsletter', flags: [] },
      ]);

      // One reply to the boss, one to bob (not for his second message), none for the bulk mail, the list or the spam.
      assert.equal(sentTo('ann@lists.example.org').length + sentTo('spammer@example.net').length + sentTo('carol@example.org').length, 0);
      assert.equal(sentTo('boss@example.com').length, 1);
      const replies = sentTo('bob@example.org');
      assert.equal(replies.length, 1);
      const reply = replies[0]!;
      assert.equal(reply.from, '', 'MAIL FROM:<>');
      assert.match(reply.data, /^Auto-Submitted: auto-replied\r$/m);
      assert.match(reply.data, /^In-Reply-To: <q1@example\.org>\r$/m);
      assert.match(reply.data, /^Subject: Away until Monday\r$/m);
      assert.match(reply.data, new RegExp(`^From: ${user}\\r$`, 'm'));
      assert.match(reply.data, /^To: bob@example\.org\r$/m);
      assert.match(reply.data, /\r\n\r\nI am away until Monday and will answer your mail then\.\r\n$/);
    });

    it('refuses a script that sends mail at upload when no relay is configured (PUTSCRIPT NO with the reason)', needsSieveConnect, async () => {
      const norelay = await startTestServer(backend, (c) => (c.managesieve.plaintextAuth = 'never'));
      try {
        await norelay.addUser('alice@example.com', PASSWORD);
        await writeFile(path.join(dir, 'filters.sieve'), EXAMPLE);
        const up = await sieveConnect(norelay, 'alice@example.com', ['--upload', '--localsieve', 'filters.sieve', '--remotesieve', 'filters']);
        assert.notEqual(up.code, 0);
        assert.match(up.stderr, /vacation needs outgoing mail: set outgoing\.smtp/);
        assert.deepEqual(await sieveConnect(norelay, 'alice@example.com', ['--list']), { code: 0, stdout: '', stderr: '' });
      } finally {
        await norelay.close();
      }
    });

    it('redirect sends the message as received, with the original envelope sender, and keeps no copy', async () => {
      const user = await newUser();
      await activate(user, 'forward', 'redirect "bob@elsewhere.example";\r\n');
      const body = message(['From: ann@example.org', `To: ${user}`, 'Subject: pass it on', 'Message-ID: <r1@example.org>'], 'Please forward.');
      assert.deepEqual(await lmtpSend('ann@example.org', [user], body), [`250 2.6.0 <${user}> redirected by Sieve`]);
      const out = sentTo('bob@elsewhere.example');
      assert.equal(out.length, 1);
      assert.equal(out[0]!.from, 'ann@example.org');
      assert.equal(out[0]!.data, `Delivered-To: ${user}\r\n${body}`);
      assert.deepEqual(await mailbox(user, 'INBOX'), []);
    });

    it('reject and ereject answer 550 5.7.1 for their recipient while another recipient of the transaction gets 250', async () => {
      const [rejecting, erejecting, plain] = [await newUser(), await newUser(), await newUser()];
      await activate(rejecting, 'no', 'require "reject";\r\nreject "I do not accept mail from you.";\r\n');
      await activate(erejecting, 'no', 'require "ereject";\r\nif header :contains "subject" "offer" { ereject "No offers, thanks."; }\r\n');
      const body = message(['From: seller@example.net', `To: ${rejecting}, ${erejecting}, ${plain}`, 'Subject: a great offer', 'Message-ID: <o1@example.net>']);
      assert.deepEqual(await lmtpSend('seller@example.net', [rejecting, plain, erejecting], body), [
        '550 5.7.1 I do not accept mail from you.',
        `250 2.6.0 <${plain}> delivered to INBOX`,
        '550 5.7.1 No offers, thanks.',
      ]);
      assert.deepEqual(await mailbox(rejecting, 'INBOX'), []);
      assert.deepEqual(await mailbox(erejecting, 'INBOX'), []);
      assert.deepEqual(await mailbox(plain, 'INBOX'), [{ subject: 'a great offer', flags: [] }]);
      assert.equal(sentTo('seller@example.net').length, 0, 'refused in LMTP: no MDN');
    });

    it('a script that fails at run time keeps the message in INBOX without its flags, and the log says why', async () => {
      const user = await newUser();
      await activate(user, 'broken', 'require ["include", "imap4flags", "fileinto"];\r\naddflag "\\\\Seen";\r\ninclude "missing";\r\nfileinto "Archive";\r\n');
      const from = logged.length;
      const body = message(['From: ann@example.org', `To: ${user}`, 'Subject: still here']);
      assert.deepEqual(await lmtpSend('ann@example.org', [user], body), [`250 2.6.0 <${user}> delivered to INBOX (Sieve failed)`]);
      assert.deepEqual(await mailbox(user, 'INBOX'), [{ subject: 'still here', flags: [] }]);
      assert.deepEqual(await mailbox(user, 'Archive'), []);
      const line = logged.slice(from).find((l) => String(l.msg).startsWith('Sieve:'));
      assert.ok(line, JSON.stringify(logged.slice(from)));
      assert.equal(line.msg, 'Sieve: script "broken" failed: include: no personal script "missing"; message kept');
      assert.equal(line.script, 'broken');
      assert.equal(line.account, user);
    });

    it('fileinto a missing mailbox without :create files into INBOX; several fileintos store one copy per mailbox', async () => {
      const user = await newUser();
      await activate(user, 'many', 'require ["fileinto", "copy", "imap4flags"];\r\nfileinto :copy :flags "$Work" "Archive";\r\nfileinto "NoSuchFolder";\r\nfileinto "Archive";\r\n');
      const body = message(['From: ann@example.org', `To: ${user}`, 'Subject: sorted']);
      assert.deepEqual(await lmtpSend('ann@example.org', [user], body), [`250 2.6.0 <${user}> delivered to Archive, INBOX`]);
      assert.deepEqual(await mailbox(user, 'Archive'), [{ subject: 'sorted', flags: ['$Work'] }]);
      assert.deepEqual(await mailbox(user, 'INBOX'), [{ subject: 'sorted', flags: [] }]);
      assert.equal(await mailbox(user, 'NoSuchFolder'), null);
    });

    it('a relay that is down fails no delivery: the message is filed as the script says and the failure is logged', async () => {
      const user = await newUser();
      const closed = await freePort();
      const down = await startLmtpServer({
        config: { ...srv.config, outgoing: { smtp: `smtp://127.0.0.1:${closed}` }, lmtp: { host: '127.0.0.1', port: 24, socket: null } },
        store: srv.store,
        log: pino({ level: 'info' }, logStream),
        ephemeralPort: true,
      });
      try {
        await activate(user, 'away', 'require ["vacation", "fileinto", "copy"];\r\nvacation "Away.";\r\nredirect :copy "bob@elsewhere.example";\r\nredirect "carol@elsewhere.example";\r\nfileinto "Archive";\r\n');
        const port = down.addresses.flatMap((a) => ('port' in a ? [a.port] : []))[0]!;
        const from = logged.length;
        const c = await LmtpClient.connect(port);
        await c.command('LHLO mta');
        await c.command('MAIL FROM:<ann@example.org>');
        await c.command(`RCPT TO:<${user}>`);
        await c.command('DATA');
        c.write(`${message(['From: ann@example.org', `To: ${user}`, 'Subject: relay down'])}.\r\n`);
        assert.deepEqual(await c.readReply(), [`250 2.6.0 <${user}> delivered to Archive`]);
        c.close();
        assert.deepEqual(await mailbox(user, 'Archive'), [{ subject: 'relay down', flags: [] }]);
        const failures = logged.slice(from).filter((l) => /could not be sent/.test(String(l.msg))).map((l) => l.msg);
        assert.deepEqual(failures, ['Sieve: redirect to bob@elsewhere.example could not be sent', 'Sieve: redirect to carol@elsewhere.example could not be sent', 'Sieve: vacation reply to ann@example.org could not be sent']);
      } finally {
        await down.close();
      }
    });

    it('letterbox deliver runs the active script too; ereject exits 77', async () => {
      const user = await newUser();
      await activate(user, 'lists', 'require ["fileinto", "mailbox", "ereject"];\r\nif header :contains "List-Id" "rust" { fileinto :create "Lists/Rust"; }\r\nif header :is "subject" "unwanted" { ereject "Not wanted here."; }\r\n');
      const deliver = (input: string) => runCli(['deliver', ...srv.cliArgs, '-f', 'ann@example.org', user], input, { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '' });
      assert.deepEqual(await deliver('List-Id: <rust-users.lists.rust-lang.org>\nSubject: via deliver\n\nhello\n'), { code: 0, stdout: '', stderr: '' });
      const refused = await deliver('Subject: unwanted\n\nhello\n');
      assert.equal(refused.code, 77);
      assert.equal(refused.stderr, `letterbox: rejected by the Sieve script "lists" of ${user}: Not wanted here.\n`);
      assert.deepEqual(await mailbox(user, 'Lists/Rust'), [{ subject: 'via deliver', flags: [] }]);
      assert.deepEqual(await mailbox(user, 'INBOX'), []);
    });
  });
}
