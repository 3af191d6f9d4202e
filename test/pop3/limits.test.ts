/**
 * POP3 hardening over real sockets (as test/hardening does for IMAP): the line length cap, too many bad
 * commands, the autologout timers (RFC 1939 section 3), the slowloris timer, connection and per-user
 * limits, the failed-login penalty shared with IMAP, a client that never reads RETR output, and a
 * shutdown. Timeouts and caps are lowered through startTestServer so the tests run in seconds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deliver } from '../../src/delivery/deliver.js';
import { MAX_BAD_COMMANDS, POP3_MAX_LINE_OCTETS } from '../../src/limits.js';
import { Pop3Client, RawClient } from '../support/line-client.js';
import { login, loginPop3 } from '../support/transcript.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** waitFor polls `check` until it is true or `ms` pass; returns whether it became true. */
async function waitFor(check: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

describe('POP3 limits', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer('sqlite', undefined, {
      pop3Limits: { unauthenticatedTimeoutMs: 1000, authenticatedTimeoutMs: 4000, commandCompletionTimeoutMs: 1000, outputStallTimeoutMs: 3000 },
    });
    for (const user of ['alice@example.com', 'bob@example.com']) await srv.addUser(user, 'pw');
  });
  after(async () => srv.close());

  it('a line over POP3_MAX_LINE_OCTETS gets -ERR and the session goes on', async () => {
    const c = await Pop3Client.connect(srv.pop3Port);
    c.write(`USER ${'x'.repeat(POP3_MAX_LINE_OCTETS)}\r\n`);
    assert.equal(await c.readLine(), '-ERR Line too long.');
    assert.equal(await c.command('USER alice@example.com'), '+OK Send the password.');
    assert.equal(await c.command('PASS pw'), '+OK Logged in.');
    c.close();
  });

  it(`${MAX_BAD_COMMANDS} bad commands in a row end the session; a good one in between resets the count`, async () => {
    const c = await Pop3Client.connect(srv.pop3Port);
    for (let i = 1; i < MAX_BAD_COMMANDS; i++) assert.equal(await c.command('BOGUS'), '-ERR Unknown command: BOGUS');
    assert.equal((await c.multiline('CAPA'))[0], '+OK Capability list follows');
    for (let i = 1; i < MAX_BAD_COMMANDS; i++) assert.equal(await c.command('STAT'), '-ERR STAT is not valid in the AUTHORIZATION state.');
    assert.equal(await c.command('RETR 1'), '-ERR Too many invalid commands.');
    assert.equal(await c.closedByServer(), true);
  });

  it('a session idle before login is closed after the unauthenticated timeout', async () => {
    const c = await Pop3Client.connect(srv.pop3Port);
    assert.equal(await c.readLine(10_000), '-ERR [SYS/TEMP] Autologout; idle for too long.');
    assert.equal(await c.closedByServer(), true);
  });

  it('after login the longer autologout timer applies, and an autologout deletes nothing', async () => {
    const account = (await srv.store.getAccount('alice@example.com'))!;
    await deliver(srv.store, account, 'INBOX', [{ raw: Buffer.from('Subject: keep me\r\n\r\nbody\r\n'), flags: [], internalDate: Date.UTC(2026, 10, 1) }]);
    const c = await loginPop3(srv, 'TLS', 'alice@example.com');
    assert.equal(await c.command('DELE 1'), '+OK Message 1 deleted.');
    // Past the unauthenticated timeout (1 s) the logged-in session is still there (4 s).
    await sleep(1500);
    assert.equal(await c.command('NOOP'), '+OK');
    assert.equal(await c.readLine(15_000), '-ERR [SYS/TEMP] Autologout; idle for too long.');
    assert.equal(await c.closedByServer(), true);
    const inbox = (await srv.store.getMailbox(account.id, 'INBOX'))!;
    assert.equal((await srv.store.listMessages(account.id, inbox.id)).length, 1);
  });

  it('a line that does not complete in time ends the session (slowloris)', async () => {
    // Logged in, so the autologout timer (4 s) is well behind the line timer (1 s).
    const c = await loginPop3(srv, 'STLS', 'bob@example.com');
    c.write('NOO');
    assert.equal(await c.readLine(10_000), '-ERR [SYS/TEMP] Command not completed in time.');
    assert.equal(await c.closedByServer(), true);
  });

  it('RETR to a client that never reads keeps the write buffer bounded; other sessions go on; the stalled one is cut', async () => {
    const account = (await srv.store.getAccount('bob@example.com'))!;
    const line = `${'y'.repeat(998)}\r\n`;
    const big = Buffer.from(`Subject: big\r\n\r\n${line.repeat(4 * 1024)}`);
    await deliver(srv.store, account, 'INBOX', [{ raw: big, flags: [], internalDate: Date.UTC(2026, 10, 1) }]);
    const greedy = await loginPop3(srv, 'TLS', 'bob@example.com');
    greedy.socket.pause();
    // RETR of a 4 MiB message, and many more pipelined behind it, must not make the server buffer more.
    greedy.write('RETR 1\r\n'.repeat(200));
    const other = await loginPop3(srv, 'STLS', 'alice@example.com');
    let maxBuffered = 0;
    for (let i = 0; i < 15; i++) {
      maxBuffered = Math.max(maxBuffered, srv.pop3.bufferedOutput());
      assert.equal(await other.command('NOOP'), '+OK');
      await sleep(100);
    }
    // One 64 KiB piece plus the TLS socket's buffer, never the 800 MiB the RETRs would produce.
    assert.ok(maxBuffered < 1024 * 1024, `buffered ${maxBuffered} octets`);
    assert.ok(await waitFor(() => srv.pop3.connectionCount() === 1, 20_000), 'stalled session not closed');
    assert.equal(await other.command('NOOP'), '+OK');
    greedy.close();
    other.close();
  });
});

describe('POP3 connection limits and the shared login penalty', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer(
      'sqlite',
      (c) => {
        c.pop3.maxConnectionsPerIp = 3;
        c.pop3.maxConnectionsPerUserIp = 2;
        c.auth = { penaltyDelayMs: 300, penaltyMaxDelayMs: 1200, penaltyExpireMs: 60_000 };
      },
    );
    await srv.addUser('alice@example.com', 'pw');
  });
  after(async () => srv.close());

  it('refuses connections beyond pop3.max_connections_per_ip and logins beyond pop3.max_connections_per_user_ip', async () => {
    const a = await loginPop3(srv, 'TLS', 'alice@example.com');
    const b = await loginPop3(srv, 'STLS', 'alice@example.com');
    const c = await Pop3Client.connect(srv.pop3sPort, { tlsCa: srv.cert });
    assert.equal(await c.command('USER alice@example.com'), '+OK Send the password.');
    assert.equal(await c.command('PASS pw'), '-ERR [IN-USE] Too many sessions of this user from this address.');
    const refused = await Pop3Client.connect(srv.pop3Port);
    assert.equal(refused.greeting, '-ERR [SYS/TEMP] Too many connections from your address.');
    assert.equal(await refused.closedByServer(), true);
    // IMAP has its own limits: the POP3 sessions take none of its slots.
    const imap = await login(srv.imapPort, 'alice@example.com');
    imap.close();
    assert.equal(await a.command('QUIT'), '+OK Logging out.');
    assert.equal(await c.command('USER alice@example.com'), '+OK Send the password.');
    assert.equal(await c.command('PASS pw'), '+OK Logged in.');
    b.close();
    c.close();
    assert.ok(await waitFor(() => srv.pop3.connectionCount() === 0));
  });

  it('failed IMAP logins count for POP3: one penalty for both protocols, which delays and never refuses', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await RawClient.connect(srv.imapPort);
      assert.match((await c.command('a', 'LOGIN alice@example.com wrong', 20_000)).at(-1)!, /^a NO \[AUTHENTICATIONFAILED\]/);
      c.close();
    }
    assert.deepEqual((await srv.store.listPenalties(Date.now(), 60_000)).map((e) => [e.remote, e.failures]), [['127.0.0.1', 3]]);
    const p = await Pop3Client.connect(srv.pop3sPort, { tlsCa: srv.cert });
    assert.equal(await p.command('USER alice@example.com'), '+OK Send the password.');
    const t0 = Date.now();
    assert.equal(await p.command('PASS wrong', 20_000), '-ERR [AUTH] Authentication failed.');
    assert.ok(Date.now() - t0 >= 1200, 'the fourth failure waits the penalty');
    assert.equal(await p.command('USER alice@example.com'), '+OK Send the password.');
    assert.equal(await p.command('PASS pw', 20_000), '+OK Logged in.');
    p.close();
  });
});

describe('POP3 shutdown', () => {
  it('a server shutdown ends sessions with -ERR [SYS/TEMP] and deletes nothing', async () => {
    const srv = await startTestServer('sqlite');
    try {
      const account = await srv.addUser('alice@example.com', 'pw');
      await deliver(srv.store, account, 'INBOX', [{ raw: Buffer.from('Subject: s\r\n\r\nb\r\n'), flags: [], internalDate: Date.UTC(2026, 10, 1) }]);
      const c = await loginPop3(srv, 'TLS', 'alice@example.com');
      assert.equal(await c.command('DELE 1'), '+OK Message 1 deleted.');
      const closing = srv.pop3.close();
      assert.equal(await c.readLine(), '-ERR [SYS/TEMP] Server shutting down.');
      assert.equal(await c.closedByServer(), true);
      await closing;
      const inbox = (await srv.store.getMailbox(account.id, 'INBOX'))!;
      assert.equal((await srv.store.listMessages(account.id, inbox.id)).length, 1);
    } finally {
      await srv.close();
    }
  });

  it('a shutdown during a RETR lets the message finish before the -ERR line', async () => {
    const srv = await startTestServer('sqlite');
    try {
      const account = await srv.addUser('alice@example.com', 'pw');
      // 12 MB: more than the kernel's socket buffers take in on loopback (4 MB of send buffer here, plus the
      // receive window), so that the rest waits in the server while the client does not read.
      const big = Buffer.from(`Subject: big\r\n\r\n${`${'z'.repeat(998)}\r\n`.repeat(12 * 1024)}`);
      await deliver(srv.store, account, 'INBOX', [{ raw: big, flags: [], internalDate: Date.UTC(2026, 10, 1) }]);
      const c = await loginPop3(srv, 'TLS', 'alice@example.com');
      c.socket.pause();
      const retr = c.multilineBytes('RETR 1');
      // The RETR is under way (waiting for the client to read) when the server is told to stop: more is
      // buffered than the login reply, whose octets a TLS socket may still count for a moment after they left.
      assert.ok(await waitFor(() => srv.pop3.bufferedOutput() > 4096));
      const closing = srv.pop3.close();
      c.socket.resume();
      const { status, data } = await retr;
      assert.equal(status, `+OK ${big.length} octets`);
      assert.equal(data.length, big.length + 3);
      assert.equal(await c.readLine(), '-ERR [SYS/TEMP] Server shutting down.');
      assert.equal(await c.closedByServer(), true);
      await closing;
    } finally {
      await srv.close();
    }
  });
});
