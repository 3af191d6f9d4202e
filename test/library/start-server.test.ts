/**
 * The library (src/index.ts) from source: startServer with its defaults (temporary data directory,
 * ephemeral ports, in-memory certificate), several servers in one process at once, createUser and deliver
 * reaching an IMAP client in IDLE, POP3 and LMTP on the same mail, ports chosen or turned off, PostgreSQL
 * storage, the errors it rejects with, and close() leaving nothing behind. The packed package is tested
 * as a user installs it in package.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { startServer, type LetterboxServer } from '../../src/index.js';
import { freePort } from '../support/ports.js';
import { LmtpClient } from '../support/line-client.js';
import { loginPop3, msg } from '../support/transcript.js';
import { testDatabase } from '../support/postgres.js';

function imapflow(server: LetterboxServer, user: string, pass = 'pw'): ImapFlow {
  return new ImapFlow({
    host: server.imaps!.host,
    port: server.imaps!.port,
    secure: true,
    tls: { ca: [server.certificate], servername: 'localhost' },
    auth: { user, pass },
    logger: false,
  });
}

/** exists resolves with the EXISTS count the client hears first while idling in INBOX. */
async function exists(client: ImapFlow): Promise<number> {
  return new Promise((resolve) => client.once('exists', (e: { count: number }) => resolve(e.count)));
}

describe('startServer (library)', () => {
  it('starts several servers at once on their own ports and data; deliver reaches IDLE; close removes everything', async () => {
    const servers = await Promise.all([startServer(), startServer(), startServer()]);
    const ports = servers.flatMap((s) => [s.imap!.port, s.imaps!.port, s.pop3!.port, s.pop3s!.port, s.lmtp!.port]);
    assert.equal(new Set(ports).size, ports.length, 'every listener on a port of its own');
    assert.equal(new Set(servers.map((s) => s.dataDir)).size, 3);
    for (const s of servers) assert.deepEqual(s.imap!.host, '127.0.0.1');

    await Promise.all(
      servers.map(async (server, i) => {
        await server.createUser(`t${i}@example.com`, 'pw');
        const client = imapflow(server, `t${i}@example.com`);
        await client.connect();
        const lock = await client.getMailboxLock('INBOX');
        try {
          const heard = exists(client);
          // idle() resolves only when IDLE ends (the next command ends it). Whether the delivery comes before
          // or after the server has the IDLE, the EXISTS reaches it: at once, or when IDLE starts.
          const idling = client.idle();
          const delivered = await server.deliver(`t${i}@example.com`, `Subject: hello ${i}\n\nfrom the test\n`, { from: 'sender@example.org' });
          assert.deepEqual(delivered, { mailbox: 'INBOX', uid: 1 });
          assert.equal(await heard, 1);
          const m = await client.fetchOne('1', { source: true });
          assert.ok(m);
          assert.equal(m.source!.toString(), `Return-Path: <sender@example.org>\r\nSubject: hello ${i}\r\n\r\nfrom the test\r\n`);
          await idling;
        } finally {
          lock.release();
        }
        await client.logout();
      }),
    );
    const dirs = servers.map((s) => s.dataDir);
    await Promise.all(servers.map((s) => s.close()));
    await servers[0]!.close();
    for (const d of dirs) assert.equal(existsSync(d), false, `${d} removed`);
  });

  it('serves the same mail over POP3 and takes mail over LMTP; +mailbox and opts.mailbox pick a mailbox', async () => {
    const server = await startServer();
    try {
      await server.createUser('p@example.com', 'pw');
      const lmtp = await LmtpClient.connect(server.lmtp!.port);
      await lmtp.command('LHLO test');
      await lmtp.command('MAIL FROM:<a@example.org>');
      assert.match((await lmtp.command('RCPT TO:<p@example.com>'))[0]!, /^250 /);
      assert.match((await lmtp.command('DATA'))[0]!, /^354 /);
      assert.deepEqual(await lmtp.command('Subject: by lmtp\r\n\r\nx\r\n.'), ['250 2.6.0 <p@example.com> delivered to INBOX']);
      lmtp.close();
      assert.deepEqual(await server.deliver('p+Archive@example.com', msg('Subject: archived', '', 'y')), { mailbox: 'Archive', uid: 1 });
      assert.deepEqual(await server.deliver('p@example.com', msg('Subject: junk', '', 'z'), { mailbox: 'Junk' }), { mailbox: 'Junk', uid: 1 });
      assert.deepEqual(await server.deliver('p@example.com', msg('Subject: nowhere', '', 'z'), { mailbox: 'No such' }), { mailbox: 'INBOX', uid: 2 });
      const pop = await loginPop3({ pop3Port: server.pop3!.port, pop3sPort: server.pop3s!.port, cert: server.certificate }, 'TLS', 'p@example.com');
      assert.match(await pop.command('STAT'), /^\+OK 2 \d+$/);
      await pop.command('QUIT');

      await assert.rejects(server.createUser('p@example.com', 'again'), /already exists/);
      await assert.rejects(server.createUser('not an address', 'pw'), /invalid email address/);
      await assert.rejects(server.deliver('nobody@example.com', 'Subject: x\n\n'), /no such user: nobody@example.com/);
      await assert.rejects(server.deliver('p@example.com', ''), /the message is empty/);
    } finally {
      await server.close();
    }
  });

  it('takes fixed ports, turns listeners off, and keeps a data directory it did not make', async () => {
    const imapPort = await freePort();
    const { mkdtemp, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-lib-'));
    const server = await startServer({ dataDir, ports: { imap: imapPort, pop3: false, pop3s: false, lmtp: false } });
    try {
      assert.deepEqual(server.imap, { host: '127.0.0.1', port: imapPort });
      assert.notEqual(server.imaps, null);
      assert.equal(server.pop3, null);
      assert.equal(server.pop3s, null);
      assert.equal(server.lmtp, null);
      await assert.rejects(startServer({ ports: { imap: imapPort } }), /EADDRINUSE/);
    } finally {
      await server.close();
    }
    assert.equal(existsSync(path.join(dataDir, 'letterbox.db')), true, 'a data directory given is kept');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs on PostgreSQL with storage: a URL', async () => {
    const db = await testDatabase();
    const server = await startServer({ storage: db.url });
    try {
      await server.createUser('pg@example.com', 'pw');
      const client = imapflow(server, 'pg@example.com');
      await client.connect();
      await server.deliver('pg@example.com', msg('Subject: on postgres', '', 'x'));
      const status = await client.status('INBOX', { messages: true });
      assert.equal(status && status.messages, 1);
      await client.logout();
    } finally {
      await server.close();
      await db.drop();
    }
  });
});
