/**
 * Authentication hardening over real sockets: failed logins make the answers to their address ever later
 * (the penalty, auth/penalty.ts) without ever refusing the right password, guesses for one user from one
 * address are answered one after the other however many connections carry them, another address is
 * answered at once; the same answer for an unknown user as for a wrong password; no
 * password or AUTHENTICATE data reaches the log, even at trace level; TLS below 1.2 is refused.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { penaltyAddress } from '../../src/auth/penalty.js';
import { RawClient } from '../support/line-client.js';
import { login, exchange } from '../support/transcript.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const FAILED = 'NO [AUTHENTICATIONFAILED] Authentication failed.';

describe('penalty keys', () => {
  it('counts IPv4 (also IPv4-mapped) by address and IPv6 by its /64', () => {
    const table: Array<[string, string]> = [
      ['192.0.2.7', '192.0.2.7'],
      ['::ffff:192.0.2.7', '192.0.2.7'],
      ['2001:db8:0:1::5', '2001:db8:0:1::/64'],
      ['2001:0db8:0000:0001:abcd:1:2:3', '2001:db8:0:1::/64'],
      ['2001:db8:0:1::/64', '2001:db8:0:1::/64'],
      ['::1', '0:0:0:0::/64'],
      ['fe80::1%eth0', 'fe80:0:0:0::/64'],
      ['unknown', 'unknown'],
    ];
    for (const [ip, key] of table) assert.equal(penaltyAddress(ip), key, ip);
  });
});

for (const backend of BACKENDS) {
  describe(`failed logins over IMAP (${backend})`, () => {
    let srv: TestServer;
    before(async () => {
      // Failures from an address are answered 300, 600, 1200, 1200 ms late.
      srv = await startTestServer(backend, (c) => (c.auth = { penaltyDelayMs: 300, penaltyMaxDelayMs: 1200, penaltyExpireMs: 60_000 }));
      await srv.addUser('alice@example.com', 'right');
      await srv.addUser('carol@example.com', 'right');
    });
    after(async () => srv.close());

    it('answers a wrong password and an unknown user alike, ever later, and never refuses the right password', async () => {
      const c = await RawClient.connect(srv.imapPort, { localAddress: '127.0.0.3' });
      const t0 = Date.now();
      await exchange(c, 'a', 'LOGIN alice@example.com wrong', [`a ${FAILED}`]);
      await exchange(c, 'b', 'LOGIN nobody@example.com wrong', [`b ${FAILED}`]);
      await exchange(c, 'c', 'AUTHENTICATE PLAIN ' + Buffer.from('\0alice@example.com\0wrong').toString('base64'), [`c ${FAILED}`]);
      for (const tag of ['d', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm']) await exchange(c, tag, 'LOGIN alice@example.com wrong', [`${tag} ${FAILED}`]);
      // 13 failures: at least 300 + 600 + 1200 x 11 ms, whatever the machine's speed.
      assert.ok(Date.now() - t0 >= 300 + 600 + 1200 * 11, 'each failure waited its penalty');
      const t1 = Date.now();
      assert.match((await c.command('n', 'LOGIN alice@example.com right')).at(-1)!, /^n OK \[CAPABILITY /, 'the right password is never refused');
      assert.ok(Date.now() - t1 >= 1200, 'but it waits out the address\'s penalty');
      c.close();
    });

    it('answers the right password from another address at once, and for another user from the guessing address after the penalty alone', async () => {
      const guesser = '127.0.0.4';
      const warm = await RawClient.connect(srv.imapPort, { localAddress: guesser });
      for (const tag of ['a', 'b', 'c']) await exchange(warm, tag, 'LOGIN carol@example.com wrong', [`${tag} ${FAILED}`]);
      // Six parallel guesses for carol from the guessing address: answered one after the other, 1.2 s apart.
      const order: string[] = [];
      const guesses = await Promise.all(Array.from({ length: 6 }, () => RawClient.connect(srv.imapPort, { localAddress: guesser })));
      const pending = guesses.map(async (g, i) => {
        g.send('g LOGIN carol@example.com wrong');
        assert.deepEqual(await g.readUntilTagged('g', 60_000), [`g ${FAILED}`]);
        order.push(`guess ${i}`);
      });
      const other = await RawClient.connect(srv.imapPort, { localAddress: '127.0.0.5' });
      assert.match((await other.command('o', 'LOGIN carol@example.com right')).at(-1)!, /^o OK /);
      order.push('carol from another address');
      const alice = await RawClient.connect(srv.imapPort, { localAddress: guesser });
      assert.match((await alice.command('p', 'LOGIN alice@example.com right')).at(-1)!, /^p OK /);
      order.push('alice from the guessing address');
      await Promise.all(pending);
      // The other address was answered before any queued guess, and alice within the penalty: before the second guess.
      assert.equal(order[0], 'carol from another address');
      assert.ok(order.indexOf('alice from the guessing address') <= 2, order.join(', '));
      for (const x of [warm, ...guesses, other, alice]) x.close();
    });
  });
}

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
