/**
 * The log of an IMAP session, as an operator greps it: every line of one connection carries the same
 * `session` id; connect (remote, local, TLS), login (user, mechanism), a failed login (the name tried,
 * never the password) and disconnect (reason, in/out octets) are one line each, as Dovecot logs them.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { RawClient } from '../support/line-client.js';
import { exchange } from '../support/transcript.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('IMAP session log lines', () => {
  let srv: TestServer;
  const lines: Array<Record<string, unknown>> = [];
  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    srv = await startTestServer('sqlite', undefined, { log: pino({ level: 'info' }, sink) });
    await srv.addUser('alice@example.com', 'pw');
  });
  after(async () => srv.close());

  async function closedLines(run: () => Promise<void>): Promise<Array<Record<string, unknown>>> {
    const mark = lines.length;
    await run();
    const until = Date.now() + 10_000;
    while (!lines.slice(mark).some((l) => l.msg === 'disconnect') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return lines.slice(mark);
  }

  it('logs connect, a failed login by the name tried, login with the mechanism, and disconnect with reason and octets, under one session id', async () => {
    let sent = 0;
    const got = await closedLines(async () => {
      const c = await RawClient.connect(srv.imapPort);
      for (const [tag, cmd] of [
        ['a', 'LOGIN alice@example.com Sw0rdf1sh'],
        ['b', 'LOGIN alice@example.com pw'],
        ['c', 'LOGOUT'],
      ] as const) {
        sent += Buffer.byteLength(`${tag} ${cmd}\r\n`);
        await c.command(tag, cmd);
      }
      await c.closedByServer(5000);
    });
    const ids = new Set(got.map((l) => l.session));
    assert.equal(ids.size, 1, 'one session id on every line');
    assert.match(String([...ids][0]), /^[A-Za-z0-9_-]{8}$/);
    const pick = (msg: string) => got.filter((l) => l.msg === msg);
    const [connect] = pick('connect');
    assert.deepEqual([connect!.remote, connect!.tls], ['127.0.0.1', false]);
    assert.match(String(connect!.local), /^127\.0\.0\.1:\d+$/);
    const [failed] = pick('login failed');
    assert.deepEqual([failed!.user, failed!.mechanism], ['alice@example.com', 'LOGIN']);
    const [ok] = pick('logged in');
    assert.deepEqual([ok!.user, ok!.mechanism], ['alice@example.com', 'LOGIN']);
    const [bye] = pick('disconnect');
    assert.equal(bye!.reason, 'logout');
    assert.equal(bye!.in, sent);
    assert.ok((bye!.out as number) > 100, 'the greeting, CAPABILITY and replies went out');
    assert.equal(bye!.user, 'alice@example.com', 'lines after login name the user');
    assert.equal(JSON.stringify(got).includes('Sw0rdf1sh'), false, 'never the password');
  });

  it('says why a session ended: the client went away, too many bad commands', async () => {
    const gone = await closedLines(async () => {
      const c = await RawClient.connect(srv.imapPort);
      await exchange(c, 'n', 'NOOP', ['n OK NOOP completed']);
      c.close();
    });
    assert.equal(gone.find((l) => l.msg === 'disconnect')!.reason, 'client disconnected');
    const afterTls = await closedLines(async () => {
      const c = await RawClient.connect(srv.imapPort);
      await exchange(c, 's', 'STARTTLS', ['s OK Begin TLS negotiation now']);
      await c.startTls(srv.cert);
      await exchange(c, 'n', 'NOOP', ['n OK NOOP completed']);
      c.close();
    });
    assert.equal(afterTls.find((l) => l.msg === 'disconnect')!.reason, 'client disconnected', 'also after STARTTLS');
    const bad = await closedLines(async () => {
      const c = await RawClient.connect(srv.imapPort);
      for (let i = 0; i < 20; i++) c.send(`x${i} BOGUS`);
      await c.closedByServer(10_000);
    });
    assert.equal(bad.find((l) => l.msg === 'disconnect')!.reason, 'Too many invalid commands.');
  });
});
