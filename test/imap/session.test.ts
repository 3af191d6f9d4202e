/**
 * Transcript tests over TCP and TLS for the session commands: greeting, CAPABILITY, NOOP, LOGOUT,
 * LOGIN, AUTHENTICATE PLAIN, STARTTLS, ENABLE, ID, state errors, malformed commands and pipelining.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { POST_LOGIN, PRE_LOGIN } from '../support/capabilities.js';
import { RawClient } from '../support/line-client.js';
import { exchange } from '../support/transcript.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const PRE = PRE_LOGIN;
const POST = POST_LOGIN;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

for (const backend of BACKENDS) {
  describe(`session commands [${backend}]`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend);
      await srv.addUser('alice@example.com', 'secret pw');
    });
    after(async () => srv.close());

    it('greets with capabilities, answers CAPABILITY and NOOP, and LOGOUT says BYE first', async () => {
      const c = await RawClient.connect(srv.imapPort);
      assert.equal(c.greeting, `* OK [CAPABILITY ${PRE} STARTTLS AUTH=PLAIN AUTH=LOGIN] Letterbox ready.`);
      await exchange(c, 'a1', 'CAPABILITY', [`* CAPABILITY ${PRE} STARTTLS AUTH=PLAIN AUTH=LOGIN`, 'a1 OK CAPABILITY completed']);
      await exchange(c, 'a2', 'noop', ['a2 OK NOOP completed']);
      await exchange(c, 'a3', 'LOGOUT', ['* BYE Logging out', 'a3 OK LOGOUT completed']);
      assert.equal(await c.closedByServer(), true);
    });

    it('implicit TLS on the imaps port offers no STARTTLS', async () => {
      const c = await RawClient.connect(srv.imapsPort, { tlsCa: srv.cert });
      assert.equal(c.greeting, `* OK [CAPABILITY ${PRE} AUTH=PLAIN AUTH=LOGIN] Letterbox ready.`);
      await exchange(c, 'a1', 'LOGIN alice@example.com "secret pw"', [`a1 OK [CAPABILITY ${POST}] Logged in`]);
      await exchange(c, 'a2', 'STARTTLS', ['a2 BAD STARTTLS is not valid in the authenticated state']);
      c.close();
    });

    it('LOGIN: right password, wrong password, unknown user (same answer), literal password', async () => {
      const c = await RawClient.connect(srv.imapPort);
      await exchange(c, 'a1', 'LOGIN alice@example.com wrong', ['a1 NO [AUTHENTICATIONFAILED] Authentication failed.']);
      await exchange(c, 'a2', 'LOGIN nobody@example.com wrong', ['a2 NO [AUTHENTICATIONFAILED] Authentication failed.']);
      c.send('a3 LOGIN ALICE@example.com {9}');
      assert.equal(await c.readLine(), '+ Ready for literal data');
      c.send('secret pw');
      assert.equal(await c.readLine(), `a3 OK [CAPABILITY ${POST}] Logged in`);
      await exchange(c, 'a4', 'LOGIN alice@example.com x', ['a4 BAD LOGIN is not valid in the authenticated state']);
      c.close();
    });

    it('AUTHENTICATE PLAIN with an initial response, with a continuation, and cancelled', async () => {
      const c = await RawClient.connect(srv.imapPort);
      c.send('a1 AUTHENTICATE PLAIN');
      assert.equal(await c.readLine(), '+ ');
      c.send('*');
      assert.equal(await c.readLine(), 'a1 BAD Authentication cancelled');
      c.send('a2 AUTHENTICATE PLAIN');
      assert.equal(await c.readLine(), '+ ');
      c.send(b64('\0alice@example.com\0nope'));
      assert.equal(await c.readLine(), 'a2 NO [AUTHENTICATIONFAILED] Authentication failed.');
      await exchange(c, 'a3', `AUTHENTICATE PLAIN ${b64('alice@example.com\0alice@example.com\0secret pw')}`, [`a3 OK [CAPABILITY ${POST}] Logged in`]);
      c.close();
      const d = await RawClient.connect(srv.imapPort);
      await exchange(d, 'b1', 'AUTHENTICATE CRAM-MD5', ['b1 NO [CANNOT] Unsupported authentication mechanism CRAM-MD5']);
      await exchange(d, 'b2', 'AUTHENTICATE PLAIN !!!notbase64', ['b2 BAD Invalid base64 in authentication response']);
      d.close();
    });

    it('STARTTLS upgrades the connection and then LOGIN works', async () => {
      const c = await RawClient.connect(srv.imapPort);
      await exchange(c, 'a1', 'STARTTLS', ['a1 OK Begin TLS negotiation now']);
      await c.startTls(srv.cert);
      await exchange(c, 'a2', 'CAPABILITY', [`* CAPABILITY ${PRE} AUTH=PLAIN AUTH=LOGIN`, 'a2 OK CAPABILITY completed']);
      await exchange(c, 'a3', 'LOGIN alice@example.com "secret pw"', [`a3 OK [CAPABILITY ${POST}] Logged in`]);
      c.close();
    });

    it('ENABLE IMAP4rev2, ID, NAMESPACE', async () => {
      const c = await RawClient.connect(srv.imapPort);
      await exchange(c, 'a0', 'ENABLE IMAP4rev2', ['a0 BAD ENABLE is not valid in the not authenticated state']);
      await exchange(c, 'a1', 'ID ("name" "test" "version" NIL)', ['* ID ("name" "Letterbox" "vendor" "Letterbox" "version" "0.1.0")', 'a1 OK ID completed']);
      await exchange(c, 'a2', 'LOGIN alice@example.com "secret pw"', [`a2 OK [CAPABILITY ${POST}] Logged in`]);
      await exchange(c, 'a3', 'ENABLE IMAP4rev2 X-UNKNOWN', ['* ENABLED IMAP4rev2', 'a3 OK ENABLE completed']);
      await exchange(c, 'a4', 'ENABLE IMAP4rev2', ['* ENABLED', 'a4 OK ENABLE completed']);
      await exchange(c, 'a5', 'NAMESPACE', ['* NAMESPACE (("" "/")) NIL NIL', 'a5 OK NAMESPACE completed']);
      c.close();
    });

    it('malformed and unknown commands get BAD and the session goes on', async () => {
      const c = await RawClient.connect(srv.imapPort);
      await exchange(c, 'a1', 'FROBNICATE', ['a1 BAD Unknown command FROBNICATE']);
      await exchange(c, 'a2', 'UID NOOP', ['a2 BAD Unknown command UID NOOP']);
      await exchange(c, 'a3', 'SELECT INBOX', ['a3 BAD SELECT is not valid in the not authenticated state']);
      await exchange(c, 'a4', 'LOGIN onlyuser', ['a4 BAD Missing arguments']);
      await exchange(c, 'a5', 'NOOP extra', ['a5 BAD Unexpected characters after arguments']);
      await exchange(c, 'a6', 'NOOP', ['a6 OK NOOP completed']);
      c.close();
    });

    it('caps literal size and line length with BAD [TOOBIG], and the session goes on', async () => {
      const c = await RawClient.connect(srv.imapPort);
      await c.command('l', 'LOGIN alice@example.com "secret pw"');
      // A synchronizing literal over the cap is refused before the client sends it: no continuation.
      c.send(`a1 APPEND INBOX {${64 * 1024 * 1024 + 1}}`);
      const refused = await c.readLine();
      assert.match(refused, /^a1 BAD \[TOOBIG\] /);
      // A non-synchronizing literal over the cap is read and thrown away, then refused.
      const big = 64 * 1024 * 1024 + 1;
      c.write(`a2 APPEND INBOX {${big}+}\r\n`);
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      for (let sent = 0; sent < big; sent += chunk.length) c.write(chunk.subarray(0, Math.min(chunk.length, big - sent)));
      c.write('\r\n');
      assert.match(await c.readLine(15000), /^a2 BAD \[TOOBIG\] /);
      c.send(`a3 NOOP ${'x'.repeat(70 * 1024)}`);
      assert.match(await c.readLine(), /^a3 BAD \[TOOBIG\] /);
      await exchange(c, 'a4', 'NOOP', ['a4 OK NOOP completed']);
      const acct = (await srv.store.getAccount('alice@example.com'))!;
      assert.equal((await srv.store.mailboxCounts(acct.id, (await srv.store.getMailbox(acct.id, 'INBOX'))!.id)).messages, 0);
      c.close();
    });

    it('pipelined commands are answered in order', async () => {
      const c = await RawClient.connect(srv.imapPort);
      c.write('p1 NOOP\r\np2 LOGIN alice@example.com "secret pw"\r\np3 SELECT INBOX\r\np4 NOOP\r\n');
      assert.deepEqual(await c.readUntilTagged('p1'), ['p1 OK NOOP completed']);
      assert.deepEqual(await c.readUntilTagged('p2'), [`p2 OK [CAPABILITY ${POST}] Logged in`]);
      const sel = await c.readUntilTagged('p3');
      assert.equal(sel.at(-1), 'p3 OK [READ-WRITE] SELECT completed');
      assert.deepEqual(await c.readUntilTagged('p4'), ['p4 OK NOOP completed']);
      c.close();
    });

    it('too many bad commands in a row end the session', async () => {
      const c = await RawClient.connect(srv.imapPort);
      for (let i = 0; i < 19; i++) await exchange(c, `b${i}`, 'BOGUS', [`b${i} BAD Unknown command BOGUS`]);
      c.send('b19 BOGUS');
      assert.equal(await c.readLine(), 'b19 BAD Unknown command BOGUS');
      assert.equal(await c.readLine(), '* BYE Too many invalid commands.');
      assert.equal(await c.closedByServer(), true);
    });
  });

  describe(`plaintext authentication policy [${backend}]`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend, (c) => (c.imap.plaintextAuth = 'never'));
      await srv.addUser('alice@example.com', 'pw');
    });
    after(async () => srv.close());

    it('advertises LOGINDISABLED and refuses LOGIN before STARTTLS, allows it after', async () => {
      const c = await RawClient.connect(srv.imapPort);
      assert.equal(c.greeting, `* OK [CAPABILITY ${PRE} STARTTLS LOGINDISABLED] Letterbox ready.`);
      await exchange(c, 'a1', 'LOGIN alice@example.com pw', [
        'a1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections. Use STARTTLS first.',
      ]);
      await exchange(c, 'a2', 'STARTTLS', ['a2 OK Begin TLS negotiation now']);
      await c.startTls(srv.cert);
      await exchange(c, 'a3', 'LOGIN alice@example.com pw', [`a3 OK [CAPABILITY ${POST}] Logged in`]);
      c.close();
    });
  });
}
