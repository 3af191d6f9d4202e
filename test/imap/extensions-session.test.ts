/**
 * Transcript tests for the session-level extensions: AUTHENTICATE LOGIN (with SASL-IR, RFC 4959),
 * ENABLE (RFC 5161), ID (RFC 2971), LITERAL+ (RFC 7888), COMPRESS=DEFLATE (RFC 4978) and UTF8=ACCEPT
 * (RFC 6855). Every reply line is asserted exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LOGGED_IN } from '../support/capabilities.js';
import { RawClient } from '../support/line-client.js';
import { appendNonSync, login, exchange, msg } from '../support/transcript.js';
import { BACKENDS, serverPerSuite, startTestServer, type TestServer } from '../support/server.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const SERVER_ID = '* ID ("name" "Letterbox" "vendor" "Letterbox" "version" "0.1.0")';
const MSG = msg('From: Bob <bob@example.org>', 'Subject: hi', '', 'Hello');

for (const backend of BACKENDS) {
  describe(`session extensions [${backend}]`, () => {
    const env = serverPerSuite(backend, 'x');

    it('AUTHENTICATE LOGIN asks "Username:" and "Password:" in base64', async () => {
      const c = await RawClient.connect(env.srv.imapPort);
      c.send('a1 AUTHENTICATE LOGIN');
      assert.equal(await c.readLine(), '+ VXNlcm5hbWU6');
      c.send(b64(env.user));
      assert.equal(await c.readLine(), '+ UGFzc3dvcmQ6');
      c.send(b64('pw'));
      assert.match(await c.readLine(), LOGGED_IN);
      c.close();
    });

    it('AUTHENTICATE LOGIN with the user name as initial response (SASL-IR), wrong password, cancel, bad base64', async () => {
      const c = await RawClient.connect(env.srv.imapPort);
      c.send(`a1 AUTHENTICATE LOGIN ${b64(env.user)}`);
      assert.equal(await c.readLine(), '+ UGFzc3dvcmQ6');
      c.send(b64('wrong'));
      assert.equal(await c.readLine(), 'a1 NO [AUTHENTICATIONFAILED] Authentication failed.');
      c.send('a2 AUTHENTICATE LOGIN');
      assert.equal(await c.readLine(), '+ VXNlcm5hbWU6');
      c.send('*');
      assert.equal(await c.readLine(), 'a2 BAD Authentication cancelled');
      c.send('a3 authenticate login');
      assert.equal(await c.readLine(), '+ VXNlcm5hbWU6');
      c.send(b64(env.user));
      assert.equal(await c.readLine(), '+ UGFzc3dvcmQ6');
      c.send('*');
      assert.equal(await c.readLine(), 'a3 BAD Authentication cancelled');
      c.send('a4 AUTHENTICATE LOGIN');
      assert.equal(await c.readLine(), '+ VXNlcm5hbWU6');
      c.send('not base64!');
      assert.equal(await c.readLine(), 'a4 BAD Invalid base64 in authentication response');
      c.send('a5 AUTHENTICATE LOGIN =');
      assert.equal(await c.readLine(), '+ VXNlcm5hbWU6');
      c.send('*');
      assert.equal(await c.readLine(), 'a5 BAD Authentication cancelled');
      c.send(`a6 AUTHENTICATE PLAIN ${b64(`\0${env.user}\0pw`)}`);
      assert.match(await c.readLine(), LOGGED_IN);
      c.close();
    });

    it('ENABLE lists only what it newly enabled and ignores unknown extensions (RFC 5161 section 3.1)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'e1', 'ENABLE', ['e1 BAD Missing arguments']);
      await exchange(c, 'e2', 'ENABLE X-UNKNOWN', ['* ENABLED', 'e2 OK ENABLE completed']);
      await exchange(c, 'e3', 'ENABLE utf8=accept X-UNKNOWN', ['* ENABLED UTF8=ACCEPT', 'e3 OK ENABLE completed']);
      await exchange(c, 'e4', 'ENABLE UTF8=ACCEPT IMAP4rev2', ['* ENABLED IMAP4rev2', 'e4 OK ENABLE completed']);
      await exchange(c, 'e5', 'ENABLE UTF8=ACCEPT IMAP4rev2', ['* ENABLED', 'e5 OK ENABLE completed']);
      assert.equal((await c.command('s', 'SELECT INBOX')).at(-1), 's OK [READ-WRITE] SELECT completed');
      await exchange(c, 'e6', 'ENABLE UTF8=ACCEPT', ['e6 BAD ENABLE is not valid in the selected state']);
      c.close();
    });

    it("ID answers the server's fields for a list or NIL, in any state; bad forms are BAD (RFC 2971 section 3)", async () => {
      const c = await RawClient.connect(env.srv.imapPort);
      await exchange(c, 'i1', 'ID NIL', [SERVER_ID, 'i1 OK ID completed']);
      await exchange(c, 'i2', 'ID ("name" "sodr" "version" "19.34" "vendor" "Pink Floyd Music Limited")', [SERVER_ID, 'i2 OK ID completed']);
      await exchange(c, 'i3', 'ID ()', [SERVER_ID, 'i3 OK ID completed']);
      await exchange(c, 'i4', 'ID', ['i4 BAD Missing arguments']);
      await exchange(c, 'i5', 'ID ("name")', ['i5 BAD Expected a single SP between arguments']);
      await exchange(c, 'i6', 'ID name', ['i6 BAD ID expects a list or NIL']);
      const many = Array.from({ length: 31 }, (_, i) => `"k${i}" "v"`).join(' ');
      await exchange(c, 'i7', `ID (${many})`, ['i7 BAD ID: too many fields (RFC 2971 allows 30)']);
      c.close();
      const d = await login(env.srv.imapPort, env.user);
      await exchange(d, 'i8', 'ID ("name" NIL)', [SERVER_ID, 'i8 OK ID completed']);
      d.close();
    });

    it('LITERAL+: non-synchronizing literals of 4096 octets (the LITERAL- bound) and beyond are taken without "+"', async () => {
      const c = await login(env.srv.imapPort, env.user);
      const caps = await c.command('c', 'CAPABILITY');
      assert.ok(caps[0]!.includes(' LITERAL+ ') && !caps[0]!.includes('LITERAL-'));
      const body = (n: number): string => `Subject: x\r\n\r\n${'y'.repeat(n - 16)}\r\n`;
      assert.equal(body(4096).length, 4096);
      assert.match(await appendNonSync(c, 'l1', 'INBOX', body(4096)), /^l1 OK \[APPENDUID \d+ 1\] APPEND completed$/);
      assert.match(await appendNonSync(c, 'l2', 'INBOX', body(4097)), /^l2 OK \[APPENDUID \d+ 2\] APPEND completed$/);
      await exchange(c, 'l3', 'LOGIN {1+}\r\nx {1+}\r\ny', ['l3 BAD LOGIN is not valid in the authenticated state']);
      await exchange(c, 'l4', 'STATUS INBOX (MESSAGES SIZE)', ['* STATUS INBOX (MESSAGES 2 SIZE 8193)', 'l4 OK STATUS completed']);
      c.close();
    });

    it('COMPRESS DEFLATE: OK uncompressed, then both ways compressed; COMPRESSIONACTIVE; unknown algorithm', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'z0', 'COMPRESS LZW', ['z0 NO Unknown compression algorithm LZW']);
      await exchange(c, 'z1', 'COMPRESS', ['z1 BAD Missing arguments']);
      await exchange(c, 'z2', 'COMPRESS DEFLATE', ['z2 OK DEFLATE active']);
      c.startCompression();
      await exchange(c, 'z3', 'NOOP', ['z3 OK NOOP completed']);
      await exchange(c, 'z4', 'COMPRESS DEFLATE', ['z4 NO [COMPRESSIONACTIVE] DEFLATE active']);
      assert.match(await appendNonSync(c, 'z5', 'INBOX', MSG), /^z5 OK \[APPENDUID \d+ 1\] APPEND completed$/);
      assert.equal((await c.command('z6', 'SELECT INBOX')).at(-1), 'z6 OK [READ-WRITE] SELECT completed');
      await exchange(c, 'z7', 'FETCH 1 BODY.PEEK[]', [`* 1 FETCH (BODY[] {${MSG.length}}\r\n${MSG})`, 'z7 OK FETCH completed']);
      await exchange(c, 'z8', 'LOGOUT', ['* BYE Logging out', 'z8 OK LOGOUT completed']);
      assert.equal(await c.closedByServer(), true);
    });

    it('COMPRESS: a zip bomb line or literal is refused with TOOBIG and the session goes on', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'z1', 'COMPRESS DEFLATE', ['z1 OK DEFLATE active']);
      c.startCompression();
      // 32 MiB of one byte compresses to about 32 KiB.
      c.write(Buffer.concat([Buffer.from('b1 NOOP '), Buffer.alloc(32 * 1024 * 1024, 0x78), Buffer.from('\r\n')]));
      assert.equal(await c.readLine(30000), 'b1 BAD [TOOBIG] Command line too long');
      c.write(Buffer.concat([Buffer.from(`b2 APPEND INBOX {${80 * 1024 * 1024}+}\r\n`), Buffer.alloc(80 * 1024 * 1024, 0x78), Buffer.from('\r\n')]));
      assert.equal(await c.readLine(60000), 'b2 BAD [TOOBIG] Literal too large');
      await exchange(c, 'b3', 'NOOP', ['b3 OK NOOP completed']);
      c.close();
    });

    it('UTF8=ACCEPT: mailbox names in UTF-8 both ways, APPEND UTF8 (~{n}) only once enabled (RFC 6855)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      c.write(`u0 APPEND INBOX UTF8 (~{${MSG.length}+}\r\n${MSG})\r\n`);
      assert.deepEqual(await c.readUntilTagged('u0'), ['u0 BAD The UTF8 APPEND data item needs ENABLE UTF8=ACCEPT']);
      await exchange(c, 'u1', 'ENABLE UTF8=ACCEPT', ['* ENABLED UTF8=ACCEPT', 'u1 OK ENABLE completed']);
      await exchange(c, 'u2', 'CREATE "Äpfel/日本語"', ['u2 OK [MAILBOXID (F8)] CREATE completed']);
      await exchange(c, 'u3', 'LIST "" "Ä*"', ['* LIST (\\HasChildren) "/" "Äpfel"', '* LIST (\\HasNoChildren) "/" "Äpfel/日本語"', 'u3 OK LIST completed']);
      const utf8Msg = msg('From: Jürgen <jürgen@example.de>', 'Subject: Grüße', '', 'Hallo');
      const n = Buffer.byteLength(utf8Msg);
      c.write(`u4 APPEND "Äpfel" UTF8 (~{${n}+}\r\n${utf8Msg})\r\n`);
      assert.match((await c.readUntilTagged('u4')).at(-1)!, /^u4 OK \[APPENDUID \d+ 1\] APPEND completed$/);
      c.write(`u5 APPEND INBOX UTF8 ({${n}+}\r\n${utf8Msg})\r\n`);
      assert.deepEqual(await c.readUntilTagged('u5'), ['u5 BAD The UTF8 APPEND data item takes a literal8 (~{n})']);
      await exchange(c, 'u6', 'STATUS "Äpfel" (MESSAGES)', ['* STATUS "Äpfel" (MESSAGES 1)', 'u6 OK STATUS completed']);
      c.close();
      const d = await login(env.srv.imapPort, env.user);
      await exchange(d, 'v1', 'LIST "" "&AMQ-*"', ['* LIST (\\HasChildren) "/" &AMQ-pfel', '* LIST (\\HasNoChildren) "/" &AMQ-pfel/&ZeVnLIqe-', 'v1 OK LIST completed']);
      d.close();
    });
  });

  for (const port of ['imaps', 'starttls'] as const) {
    describe(`COMPRESS over TLS (${port}) [${backend}]`, () => {
      let srv: TestServer;
      before(async () => {
        srv = await startTestServer(backend);
        await srv.addUser('tls@example.com', 'pw');
      });
      after(async () => srv.close());

      it('compresses inside TLS', async () => {
        let c: RawClient;
        if (port === 'imaps') {
          c = await login(srv.imapsPort, 'tls@example.com', { tlsCa: srv.cert });
        } else {
          c = await RawClient.connect(srv.imapPort);
          await exchange(c, 't1', 'STARTTLS', ['t1 OK Begin TLS negotiation now']);
          await c.startTls(srv.cert);
          assert.match((await c.command('a1', 'LOGIN tls@example.com pw')).at(-1)!, LOGGED_IN);
        }
        await exchange(c, 'z1', 'COMPRESS DEFLATE', ['z1 OK DEFLATE active']);
        c.startCompression();
        await exchange(c, 'z2', 'STATUS INBOX (MESSAGES)', ['* STATUS INBOX (MESSAGES 0)', 'z2 OK STATUS completed']);
        await exchange(c, 'z3', 'LOGOUT', ['* BYE Logging out', 'z3 OK LOGOUT completed']);
      });
    });
  }

  describe(`AUTHENTICATE LOGIN follows the plaintext policy [${backend}]`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend, (c) => (c.imap.plaintextAuth = 'never'));
      await srv.addUser('p@example.com', 'pw');
    });
    after(async () => srv.close());

    it('is refused on cleartext with PRIVACYREQUIRED and not advertised', async () => {
      const c = await RawClient.connect(srv.imapPort);
      assert.equal(c.greeting, '* OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE STARTTLS LOGINDISABLED] Letterbox ready.');
      await exchange(c, 'a1', `AUTHENTICATE LOGIN ${b64('p@example.com')}`, [
        'a1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections. Use STARTTLS first.',
      ]);
      c.close();
    });
  });
}
