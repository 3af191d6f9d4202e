/**
 * Authentication hardening over real sockets: failed logins are answered late and then refused, per IP
 * address and per user name, with the same answer for an unknown user as for a wrong password; no
 * password or AUTHENTICATE data reaches the log, even at trace level; TLS below 1.2 is refused.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { AuthThrottle } from '../../src/auth/throttle.js';
import { login } from '../helpers/imap.js';
import { RawClient } from '../helpers/raw-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { exchange } from '../helpers/transcript.js';

const FAILED = 'NO [AUTHENTICATIONFAILED] Authentication failed.';
const THROTTLED = 'NO [UNAVAILABLE] Too many failed logins; try again later.';

describe('AuthThrottle', () => {
  const limits = { failureDelayMs: 100, maxFailureDelayMs: 1000, maxFailures: 5, penaltyWindowMs: 60_000, maxTracked: 3 };

  it('doubles the delay per failure up to the cap, blocks at maxFailures, and forgets after the window', () => {
    let now = 0;
    const t = new AuthThrottle(limits, () => now);
    assert.deepEqual([1, 2, 3, 4].map(() => t.failure('1.2.3.4', 'a@x')), [100, 200, 400, 800]);
    assert.equal(t.blocked('1.2.3.4', 'other@x'), false);
    assert.equal(t.failure('1.2.3.4', 'a@x'), 1000);
    assert.equal(t.blocked('1.2.3.4', 'other@x'), true, 'the IP is blocked for every user');
    assert.equal(t.blocked('5.6.7.8', 'A@X'), true, 'the user is blocked from every IP, case-insensitively');
    assert.equal(t.blocked('5.6.7.8', 'other@x'), false);
    now += 60_001;
    assert.equal(t.blocked('1.2.3.4', 'a@x'), false);
  });

  it('renews only the IP penalty for refused attempts, and forgets on success', () => {
    let now = 0;
    const t = new AuthThrottle(limits, () => now);
    for (let i = 0; i < 5; i++) t.failure('1.2.3.4', 'a@x');
    now += 50_000;
    t.failure('1.2.3.4', 'a@x', true);
    now += 20_000;
    assert.equal(t.blocked('5.6.7.8', 'a@x'), false, 'the account penalty ran out');
    assert.equal(t.blocked('1.2.3.4', 'b@x'), true, 'the hammering IP is still blocked');
    t.success('1.2.3.4', 'b@x');
    assert.equal(t.blocked('1.2.3.4', 'b@x'), false);
  });

  it('remembers at most maxTracked keys', () => {
    const t = new AuthThrottle({ ...limits, maxFailures: 1 });
    for (const ip of ['1', '2', '3', '4']) t.failure(ip, `u${ip}`);
    assert.equal(t.blocked('1', 'nobody'), false, 'the oldest IP was forgotten');
    assert.equal(t.blocked('4', 'nobody'), true);
  });
});

describe('failed logins over IMAP', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer('sqlite', undefined, { limits: { authFailureDelayMs: 100, authMaxFailureDelayMs: 400, authMaxFailures: 4 } });
    await srv.addUser('alice@example.com', 'right');
    await srv.addUser('carol@example.com', 'right');
  });
  after(async () => srv.close());

  it('answers a wrong password and an unknown user alike, late, then refuses with UNAVAILABLE even the right password', async () => {
    const c = await RawClient.connect(srv.imapPort);
    const t0 = Date.now();
    await exchange(c, 'a', 'LOGIN alice@example.com wrong', [`a ${FAILED}`]);
    assert.ok(Date.now() - t0 >= 90, 'the failure was delayed');
    await exchange(c, 'b', 'LOGIN nobody@example.com wrong', [`b ${FAILED}`]);
    await exchange(c, 'c', 'AUTHENTICATE PLAIN ' + Buffer.from('\0alice@example.com\0wrong').toString('base64'), [`c ${FAILED}`]);
    await exchange(c, 'd', 'LOGIN nobody@example.com wrong', [`d ${FAILED}`]);
    // Four failures from this address: from now on it is refused, whatever it sends.
    await exchange(c, 'e', 'LOGIN alice@example.com right', [`e ${THROTTLED}`]);
    await exchange(c, 'f', 'LOGIN nobody@example.com wrong', [`f ${THROTTLED}`]);
    await exchange(c, 'g', 'AUTHENTICATE PLAIN ' + Buffer.from('\0carol@example.com\0right').toString('base64'), [`g ${THROTTLED}`]);
    // The session itself goes on.
    await exchange(c, 'n', 'NOOP', ['n OK NOOP completed']);
    c.close();
  });
});

describe('secrets never reach the log', () => {
  it('runs LOGIN, AUTHENTICATE (inline and as a continuation) and failures at trace level without logging a password', async () => {
    let captured = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        captured += chunk.toString();
        done();
      },
    });
    const log = pino({ level: 'trace' }, sink);
    const srv = await startTestServer('sqlite', undefined, { log });
    try {
      const secret = 'Sw0rdf1sh-s3cr3t';
      const plain = Buffer.from(`\0alice@example.com\0${secret}`).toString('base64');
      await srv.addUser('alice@example.com', secret);
      const c = await login(srv.imapPort, 'alice@example.com', { password: secret });
      await exchange(c, 'o', 'LOGOUT', ['* BYE Logging out', 'o OK LOGOUT completed']);
      const d = await RawClient.connect(srv.imapPort);
      assert.match((await d.command('a', `AUTHENTICATE PLAIN ${plain}`)).at(-1)!, /^a OK /);
      d.close();
      const e = await RawClient.connect(srv.imapPort);
      e.send('b AUTHENTICATE PLAIN');
      assert.equal(await e.readLine(), '+ ');
      e.send(plain);
      assert.match((await e.readUntilTagged('b')).at(-1)!, /^b OK /);
      await exchange(e, 'c', `LOGIN alice@example.com ${secret}x`, ['c BAD LOGIN is not valid in the authenticated state']);
      e.close();
      const f = await RawClient.connect(srv.imapPort);
      await exchange(f, 'd', `LOGIN alice@example.com ${secret}x`, [`d ${FAILED}`]);
      await exchange(f, 'e', `LOGIN ${secret} ${secret}`, [`e ${FAILED}`]);
      f.close();
      assert.ok(captured.length > 0, 'the server logged something at trace level');
      assert.match(captured, /logged in/);
      for (const needle of [secret, plain, Buffer.from(secret).toString('base64')]) {
        assert.equal(captured.includes(needle), false, `the log contains ${needle}`);
      }
    } finally {
      await srv.close();
    }
  });
});

describe('TLS versions', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => srv.close());

  const handshake = (opts: tls.ConnectionOptions): Promise<string> =>
    new Promise((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: srv.imapsPort, ca: srv.cert, servername: 'localhost', ...opts }, () => {
        const v = s.getProtocol() ?? 'unknown';
        s.destroy();
        resolve(v);
      });
      s.on('error', (err: NodeJS.ErrnoException) => resolve(`refused: ${err.code ?? err.message}`));
    });

  it('refuses a TLS 1.1 client and accepts TLS 1.2 and 1.3', async () => {
    // OpenSSL 3 refuses TLS 1.1 even on the client side at its default security level; level 0 lets it try.
    const old = await handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    assert.match(old, /^refused: /);
    assert.equal(await handshake({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }), 'TLSv1.2');
    assert.equal(await handshake({ minVersion: 'TLSv1.3' }), 'TLSv1.3');
  });

  it('refuses TLS 1.2 with only weak (CBC, non-forward-secret) cipher suites', async () => {
    assert.match(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-SHA' }), /^refused: /);
  });
});
