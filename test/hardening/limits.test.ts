/**
 * Every limit of src/limits.ts that a client can run into, over a real socket: the reply it
 * gets, and that the session (or the server, for connection limits) goes on. Timeouts and connection
 * caps are lowered through startTestServer's limits so the tests run in seconds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deliver } from '../../src/delivery/deliver.js';
import { MAX_BAD_COMMANDS, MAX_LINE_OCTETS, MAX_LITERAL_OCTETS, MAX_NESTING_DEPTH, MAX_SEARCH_KEYS } from '../../src/limits.js';
import { RawClient } from '../support/line-client.js';
import { login, exchange } from '../support/transcript.js';
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

describe('command limits', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
    await srv.addUser('alice@example.com', 'pw');
  });
  after(async () => srv.close());

  it('a command line over MAX_LINE_OCTETS gets BAD [TOOBIG] and the session goes on', async () => {
    const c = await login(srv.imapPort, 'alice@example.com');
    c.write(`a NOOP ${'x'.repeat(MAX_LINE_OCTETS)}\r\n`);
    assert.equal(await c.readLine(), 'a BAD [TOOBIG] Command line too long');
    await exchange(c, 'b', 'NOOP', ['b OK NOOP completed']);
    c.close();
  });

  it('a literal over APPENDLIMIT gets BAD [TOOBIG] before any octet is sent, and the session goes on', async () => {
    const c = await login(srv.imapPort, 'alice@example.com');
    await exchange(c, 'a', `APPEND INBOX {${MAX_LITERAL_OCTETS + 1}}`, ['a BAD [TOOBIG] Literal too large']);
    await exchange(c, 'b', 'NOOP', ['b OK NOOP completed']);
    c.close();
  });

  it('parenthesised lists nested deeper than MAX_NESTING_DEPTH get BAD', async () => {
    const c = await login(srv.imapPort, 'alice@example.com');
    await c.command('s', 'SELECT INBOX');
    const deep = `${'('.repeat(MAX_NESTING_DEPTH + 1)}ALL${')'.repeat(MAX_NESTING_DEPTH + 1)}`;
    await exchange(c, 'a', `SEARCH ${deep}`, ['a BAD Arguments nested too deeply']);
    const ok = `${'('.repeat(MAX_NESTING_DEPTH - 1)}ALL${')'.repeat(MAX_NESTING_DEPTH - 1)}`;
    await exchange(c, 'b', `SEARCH ${ok}`, ['* SEARCH', 'b OK SEARCH completed']);
    c.close();
  });

  it('a SEARCH with more than MAX_SEARCH_KEYS keys gets BAD [LIMIT]', async () => {
    const c = await login(srv.imapPort, 'alice@example.com');
    await c.command('s', 'SELECT INBOX');
    await exchange(c, 'a', `SEARCH ${Array(MAX_SEARCH_KEYS + 1).fill('ALL').join(' ')}`, [`a BAD [LIMIT] Too many search keys (at most ${MAX_SEARCH_KEYS})`]);
    await exchange(c, 'b', `SEARCH ${Array(MAX_SEARCH_KEYS).fill('ALL').join(' ')}`, ['* SEARCH', 'b OK SEARCH completed']);
    c.close();
  });

  it(`MAX_BAD_COMMANDS (${MAX_BAD_COMMANDS}) bad commands in a row end the session with BYE; a good one resets the count`, async () => {
    const c = await RawClient.connect(srv.imapPort);
    for (let i = 1; i < MAX_BAD_COMMANDS; i++) await exchange(c, `b${i}`, 'FROB', [`b${i} BAD Unknown command FROB`]);
    await exchange(c, 'n', 'NOOP', ['n OK NOOP completed']);
    for (let i = 1; i < MAX_BAD_COMMANDS; i++) await exchange(c, `c${i}`, 'FROB', [`c${i} BAD Unknown command FROB`]);
    c.send('last FROB');
    assert.equal(await c.readLine(), 'last BAD Unknown command FROB');
    assert.equal(await c.readLine(), '* BYE Too many invalid commands.');
    assert.equal(await c.closedByServer(), true);
  });
});

describe('connection limits', () => {
  it('refuses connections beyond imap.maxConnections with BYE [UNAVAILABLE], and accepts again when one closes', async () => {
    const srv = await startTestServer('sqlite', (c) => (c.imap.maxConnections = 3));
    try {
      const open = await Promise.all([0, 1, 2].map(() => RawClient.connect(srv.imapPort)));
      const extra = await RawClient.connect(srv.imapPort);
      assert.equal(extra.greeting, '* BYE [UNAVAILABLE] Too many connections');
      assert.equal(await extra.closedByServer(), true);
      await exchange(open[0]!, 'n', 'NOOP', ['n OK NOOP completed']);
      open[0]!.close();
      assert.ok(await waitFor(() => srv.server.connectionCount() === 2));
      const again = await RawClient.connect(srv.imapPort);
      assert.match(again.greeting, /^\* OK \[CAPABILITY /);
      for (const c of [...open, again]) c.close();
    } finally {
      await srv.close();
    }
  });

  it('refuses connections beyond the per-IP limit', async () => {
    const srv = await startTestServer('sqlite', undefined, { limits: { maxConnectionsPerIp: 2 } });
    try {
      const open = await Promise.all([0, 1].map(() => RawClient.connect(srv.imapPort)));
      const extra = await RawClient.connect(srv.imapPort);
      assert.equal(extra.greeting, '* BYE [UNAVAILABLE] Too many connections from your address');
      assert.equal(await extra.closedByServer(), true);
      for (const c of open) c.close();
    } finally {
      await srv.close();
    }
  });

  it('refuses a login beyond the per-user-and-IP limit with NO [LIMIT]; the slot frees at LOGOUT', async () => {
    const srv = await startTestServer('sqlite', undefined, { limits: { maxConnectionsPerUserIp: 2 } });
    try {
      await srv.addUser('alice@example.com', 'pw');
      await srv.addUser('bob@example.com', 'pw');
      const a1 = await login(srv.imapPort, 'alice@example.com');
      const a2 = await login(srv.imapPort, 'alice@example.com');
      const a3 = await RawClient.connect(srv.imapPort);
      await exchange(a3, 'L', 'LOGIN alice@example.com pw', ['L NO [LIMIT] Maximum number of connections from user+IP exceeded.']);
      // Another user from the same address is not affected.
      const b = await login(srv.imapPort, 'bob@example.com');
      await exchange(a1, 'o', 'LOGOUT', ['* BYE Logging out', 'o OK LOGOUT completed']);
      assert.ok(await waitFor(() => srv.server.connectionCount() === 3));
      const lines = await a3.command('L2', 'LOGIN alice@example.com pw');
      assert.match(lines.at(-1)!, /^L2 OK /);
      for (const c of [a2, a3, b]) c.close();
    } finally {
      await srv.close();
    }
  });
});

describe('slow and non-reading clients', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer('sqlite', undefined, { limits: { commandCompletionTimeoutMs: 1500, unauthenticatedTimeoutMs: 3000, outputStallTimeoutMs: 4000 } });
    const alice = await srv.addUser('alice@example.com', 'pw');
    await srv.addUser('bob@example.com', 'pw');
    // 24 messages of 1 MiB: far more than a socket buffer, so a FETCH of all of them must wait for the client.
    const big = Buffer.from(`Subject: big\r\n\r\n${'0123456789abcdef'.repeat(64).concat('\r\n').repeat(1024)}`);
    await deliver(srv.store, alice, 'INBOX', Array.from({ length: 24 }, () => ({ raw: big, flags: [], internalDate: Date.now() })));
  });
  after(async () => srv.close());

  it('a command line sent one byte at a time is cut off after the completion timeout (slowloris)', async () => {
    const c = await RawClient.connect(srv.imapPort);
    const line = 'a NOOP and a lot more text that never ends';
    let closed = false;
    const dripping = (async () => {
      for (let i = 0; i < line.length && !closed; i++) {
        c.write(line[i]!);
        await sleep(250);
      }
    })();
    assert.equal(await c.readLine(10_000), '* BYE Command not completed in time.');
    closed = await c.closedByServer(5000);
    assert.equal(closed, true);
    await dripping;
  });

  it('an unauthenticated session that sends nothing is closed after the unauthenticated timeout', async () => {
    const c = await RawClient.connect(srv.imapPort);
    assert.equal(await c.readLine(10_000), '* BYE Autologout; idle for too long');
    assert.equal(await c.closedByServer(), true);
  });

  it('FETCH 1:* BODY[] to a client that never reads keeps the write buffer bounded, other sessions go on, the stalled one is cut', async () => {
    const greedy = await login(srv.imapPort, 'alice@example.com');
    await greedy.command('s', 'SELECT INBOX');
    greedy.socket.pause();
    greedy.send('f FETCH 1:* BODY[]');
    // Pipelined commands behind the FETCH, and many of them, must not make the server buffer more.
    greedy.write('n NOOP\r\n'.repeat(20_000));
    const other = await login(srv.imapPort, 'bob@example.com');
    let maxBuffered = 0;
    for (let i = 0; i < 15; i++) {
      maxBuffered = Math.max(maxBuffered, srv.server.bufferedOutput());
      await exchange(other, `o${i}`, 'NOOP', [`o${i} OK NOOP completed`]);
      await sleep(100);
    }
    // One message (1 MiB) plus the socket's high-water mark, never the 24 MiB the FETCH would produce.
    assert.ok(maxBuffered < 3 * 1024 * 1024, `buffered ${maxBuffered} octets`);
    assert.ok(await waitFor(() => srv.server.connectionCount() === 1, 20_000), 'stalled session not closed');
    await exchange(other, 'z', 'NOOP', ['z OK NOOP completed']);
    greedy.close();
    other.close();
  });
});
