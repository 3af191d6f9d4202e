/**
 * POP3 as raw transcripts: every command and every error, with the exact lines the server sends, over
 * STLS (RFC 2595) and over implicit TLS (RFC 8314), against both storage backends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareMessage } from '../../src/delivery/prepare.js';
import type { Store } from '../../src/store/types.js';
import { Pop3Client } from '../support/line-client.js';
import { openPop3, loginPop3, POP3_MODES } from '../support/transcript.js';
import { BACKENDS, serverPerSuite, startTestServer } from '../support/server.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** The test mailbox: a line that begins with a dot, one with two, and a message without a final line break (as IMAP APPEND may store). */
const MESSAGES = [
  'From: Bob <bob@example.org>\r\nSubject: first\r\n\r\nHello\r\n.hidden dot line\r\n..two dots\r\n',
  'Subject: second\r\n\r\nline 1\r\nline 2\r\nline 3\r\n',
  'Subject: third\r\n\r\nno final line break',
];
const SIZES = MESSAGES.map((m) => Buffer.byteLength(m));
const TOTAL = SIZES.reduce((a, b) => a + b, 0);

/** fill stores MESSAGES in the user's INBOX and returns the INBOX's id and UIDVALIDITY. */
async function fill(store: Store, email: string): Promise<{ accountId: number; inbox: number; uidValidity: number }> {
  const account = (await store.getAccount(email))!;
  const inbox = (await store.getMailbox(account.id, 'INBOX'))!;
  await store.appendMessages(
    account.id,
    inbox.id,
    MESSAGES.map((m, i) => prepareMessage(Buffer.from(m), [], Date.UTC(2026, 10, 1 + i))),
  );
  return { accountId: account.id, inbox: inbox.id, uidValidity: inbox.uidValidity };
}

const uidl = (uid: number, uidValidity: number): string => uid.toString(16).toUpperCase().padStart(8, '0') + uidValidity.toString(16).toUpperCase().padStart(8, '0');

const PRE_LOGIN_CAPA = ['+OK Capability list follows', 'TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'USER', 'SASL PLAIN LOGIN', 'IMPLEMENTATION Letterbox'];

for (const backend of BACKENDS) {
  describe(`POP3 transcript [${backend}]`, () => {
    const env = serverPerSuite(backend, 'pop');

    it('greets, and offers STLS on the cleartext port before TLS only', async () => {
      const c = await Pop3Client.connect(env.srv.pop3Port);
      assert.equal(c.greeting, '+OK Letterbox ready.');
      // From loopback the default plaintext_auth rule allows passwords before STLS.
      assert.deepEqual(await c.multiline('CAPA'), [...PRE_LOGIN_CAPA.slice(0, -1), 'STLS', 'IMPLEMENTATION Letterbox']);
      assert.equal(await c.stls(env.srv.cert), '+OK Begin TLS negotiation now.');
      assert.deepEqual(await c.multiline('CAPA'), PRE_LOGIN_CAPA);
      assert.equal(await c.command('STLS'), '-ERR TLS is already active.');
      assert.equal(await c.command('STLS now'), '-ERR STLS takes no arguments.');
      c.close();
      const t = await Pop3Client.connect(env.srv.pop3sPort, { tlsCa: env.srv.cert });
      assert.equal(t.greeting, '+OK Letterbox ready.');
      assert.deepEqual(await t.multiline('CAPA'), PRE_LOGIN_CAPA);
      assert.equal(await t.command('STLS'), '-ERR TLS is already active.');
      t.close();
    });

    for (const mode of POP3_MODES) {
      it(`AUTHORIZATION state: USER/PASS, AUTH and their errors over ${mode}`, async () => {
        const c = await openPop3(env.srv, mode);
        const user = env.user;
        const exchanges: Array<[string, string]> = [
          ['STAT', '-ERR STAT is not valid in the AUTHORIZATION state.'],
          ['RETR 1', '-ERR RETR is not valid in the AUTHORIZATION state.'],
          ['NOOP', '-ERR NOOP is not valid in the AUTHORIZATION state.'],
          ['APOP alice 0123456789abcdef', '-ERR Unknown command: APOP'],
          ['XYZZY', '-ERR Unknown command: XYZZY'],
          ['', '-ERR Empty command.'],
          ['PASS pw', '-ERR Send USER first.'],
          ['USER', '-ERR USER needs a user name.'],
          [`USER ${user}`, '+OK Send the password.'],
          ['PASS wrong', '-ERR [AUTH] Authentication failed.'],
          // A failed PASS forgets the name: the client starts again with USER (RFC 1939 section 7).
          ['PASS pw', '-ERR Send USER first.'],
          ['USER nobody@example.com', '+OK Send the password.'],
          ['PASS pw', '-ERR [AUTH] Authentication failed.'],
          ['AUTH CRAM-MD5', '-ERR Unsupported authentication mechanism.'],
          ['AUTH PLAIN !!!!', '-ERR Invalid base64 in authentication response'],
          [`AUTH PLAIN ${b64('no separators')}`, '-ERR Malformed PLAIN response'],
          [`AUTH PLAIN ${b64(`other@example.com\0${user}\0pw`)}`, '-ERR [AUTH] Authorization identity must be empty or equal the user name.'],
          [`AUTH PLAIN ${b64(`\0${user}\0wrong`)}`, '-ERR [AUTH] Authentication failed.'],
          ['AUTH PLAIN a b c', '-ERR AUTH takes at most 2 arguments.'],
        ];
        for (const [line, reply] of exchanges) assert.equal(await c.command(line), reply, line);
        assert.deepEqual(await c.multiline('AUTH'), ['+OK Supported SASL mechanisms follow', 'PLAIN', 'LOGIN']);
        // A challenge is "+ " and base64; "*" cancels (RFC 5034 section 4).
        assert.equal(await c.command('AUTH PLAIN'), '+ ');
        assert.equal(await c.command('*'), '-ERR Authentication cancelled.');
        assert.equal(await c.command('AUTH LOGIN'), `+ ${b64('Username:')}`);
        assert.equal(await c.command(b64(user)), `+ ${b64('Password:')}`);
        assert.equal(await c.command(b64('pw')), '+OK Logged in.');
        assert.equal(await c.command('STAT'), '+OK 0 0');
        assert.equal(await c.command('QUIT'), '+OK Logging out.');
        assert.equal(await c.closedByServer(), true);
      });

      it(`AUTH PLAIN with an initial response and after a challenge, AUTH LOGIN with an initial response, over ${mode}`, async () => {
        const user = env.user;
        const a = await openPop3(env.srv, mode);
        assert.equal(await a.command(`AUTH PLAIN ${b64(`\0${user}\0pw`)}`), '+OK Logged in.');
        a.close();
        const b = await openPop3(env.srv, mode);
        assert.equal(await b.command('AUTH plain'), '+ ');
        assert.equal(await b.command(b64(`${user}\0${user}\0pw`)), '+OK Logged in.');
        b.close();
        const c = await openPop3(env.srv, mode);
        assert.equal(await c.command(`AUTH LOGIN ${b64(user)}`), `+ ${b64('Password:')}`);
        assert.equal(await c.command(b64('pw')), '+OK Logged in.');
        assert.equal(await c.command('QUIT'), '+OK Logging out.');
      });

      it(`TRANSACTION state: STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, CAPA, QUIT and their errors over ${mode}`, async () => {
        const { accountId, inbox, uidValidity } = await fill(env.srv.store, env.user);
        const c = await loginPop3(env.srv, mode, env.user);
        assert.equal(await c.command('STAT'), `+OK 3 ${TOTAL}`);
        assert.deepEqual(await c.multiline('LIST'), [`+OK 3 messages (${TOTAL} octets)`, `1 ${SIZES[0]}`, `2 ${SIZES[1]}`, `3 ${SIZES[2]}`]);
        assert.equal(await c.command('LIST 2'), `+OK 2 ${SIZES[1]}`);
        assert.deepEqual(await c.multiline('UIDL'), ['+OK Unique-ID listing follows', `1 ${uidl(1, uidValidity)}`, `2 ${uidl(2, uidValidity)}`, `3 ${uidl(3, uidValidity)}`]);
        assert.equal(await c.command('UIDL 3'), `+OK 3 ${uidl(3, uidValidity)}`);
        for (const [line, reply] of [
          ['LIST 4', '-ERR There is no message 4; the maildrop has 3 messages.'],
          ['LIST 0', '-ERR Invalid message number.'],
          ['LIST one', '-ERR Invalid message number.'],
          ['LIST 1 2', '-ERR LIST takes at most 1 argument.'],
          ['UIDL 9', '-ERR There is no message 9; the maildrop has 3 messages.'],
          ['RETR', '-ERR RETR takes 1 argument.'],
          ['RETR 4', '-ERR There is no message 4; the maildrop has 3 messages.'],
          ['TOP 2', '-ERR TOP takes 2 arguments.'],
          ['TOP 2 -1', '-ERR Invalid number of lines.'],
          ['STAT 1', '-ERR STAT takes no arguments.'],
          ['USER x', '-ERR USER is not valid in the TRANSACTION state.'],
          ['PASS x', '-ERR PASS is not valid in the TRANSACTION state.'],
          ['AUTH PLAIN', '-ERR AUTH is not valid in the TRANSACTION state.'],
          ['STLS', '-ERR STLS is not valid in the TRANSACTION state.'],
          ['LAST', '-ERR Unknown command: LAST'],
        ] as const) {
          assert.equal(await c.command(line), reply, line);
        }

        // RETR: the exact octets, byte-stuffed (RFC 1939 section 3).
        const r1 = await c.multilineBytes('RETR 1');
        assert.equal(r1.status, `+OK ${SIZES[0]} octets`);
        assert.equal(r1.data.toString('latin1'), 'From: Bob <bob@example.org>\r\nSubject: first\r\n\r\nHello\r\n..hidden dot line\r\n...two dots\r\n.\r\n');
        // A message without a final line break gets one before the terminating line.
        const r3 = await c.multilineBytes('retr 3');
        assert.equal(r3.status, `+OK ${SIZES[2]} octets`);
        assert.equal(r3.data.toString('latin1'), 'Subject: third\r\n\r\nno final line break\r\n.\r\n');
        assert.deepEqual(await c.multiline('TOP 2 0'), ['+OK Top of message follows', 'Subject: second', '']);
        assert.deepEqual(await c.multiline('TOP 2 2'), ['+OK Top of message follows', 'Subject: second', '', 'line 1', 'line 2']);
        assert.deepEqual(await c.multiline('TOP 1 1'), ['+OK Top of message follows', 'From: Bob <bob@example.org>', 'Subject: first', '', 'Hello']);

        assert.equal(await c.command('DELE 2'), '+OK Message 2 deleted.');
        assert.equal(await c.command('DELE 2'), '-ERR Message 2 is already deleted.');
        assert.equal(await c.command('RETR 2'), '-ERR Message 2 is already deleted.');
        assert.equal(await c.command('LIST 2'), '-ERR Message 2 is already deleted.');
        assert.equal(await c.command('STAT'), `+OK 2 ${SIZES[0]! + SIZES[2]!}`);
        assert.deepEqual(await c.multiline('LIST'), [`+OK 2 messages (${SIZES[0]! + SIZES[2]!} octets)`, `1 ${SIZES[0]}`, `3 ${SIZES[2]}`]);
        assert.deepEqual(await c.multiline('UIDL'), ['+OK Unique-ID listing follows', `1 ${uidl(1, uidValidity)}`, `3 ${uidl(3, uidValidity)}`]);
        assert.equal(await c.command('RSET'), `+OK Maildrop has 3 messages (${TOTAL} octets).`);
        assert.equal(await c.command('LIST 2'), `+OK 2 ${SIZES[1]}`);
        assert.equal(await c.command('DELE 1'), '+OK Message 1 deleted.');
        assert.equal(await c.command('NOOP'), '+OK');
        assert.deepEqual(await c.multiline('CAPA'), ['+OK Capability list follows', 'TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'IMPLEMENTATION Letterbox']);

        // Before QUIT nothing is removed; RETR has set \Seen, TOP has not.
        const flags = async (): Promise<Array<[number, string[]]>> => (await env.srv.store.listMessages(accountId, inbox)).map((m) => [m.uid, m.flags]);
        assert.deepEqual(await flags(), [
          [1, ['\\Seen']],
          [2, []],
          [3, ['\\Seen']],
        ]);
        assert.equal(await c.command('QUIT'), '+OK Logging out; 1 message deleted.');
        assert.equal(await c.closedByServer(), true);
        assert.deepEqual(await flags(), [
          [2, []],
          [3, ['\\Seen']],
        ]);

        // The next session numbers what is left from 1, and the unique-ids stay.
        const d = await loginPop3(env.srv, mode, env.user);
        assert.deepEqual(await d.multiline('UIDL'), ['+OK Unique-ID listing follows', `1 ${uidl(2, uidValidity)}`, `2 ${uidl(3, uidValidity)}`]);
        assert.equal(await d.command('QUIT'), '+OK Logging out.');
      });
    }

    it('answers pipelined commands in order (PIPELINING, RFC 2449 section 6.6)', async () => {
      const { uidValidity } = await fill(env.srv.store, env.user);
      const c = await openPop3(env.srv, 'TLS');
      c.write(`USER ${env.user}\r\nPASS pw\r\nSTAT\r\nLIST 2\r\nUIDL 1\r\nTOP 2 0\r\nDELE 3\r\nBOGUS\r\nRSET\r\nQUIT\r\n`);
      const expected = [
        '+OK Send the password.',
        '+OK Logged in.',
        `+OK 3 ${TOTAL}`,
        `+OK 2 ${SIZES[1]}`,
        `+OK 1 ${uidl(1, uidValidity)}`,
        '+OK Top of message follows',
        'Subject: second',
        '',
        '.',
        '+OK Message 3 deleted.',
        '-ERR Unknown command: BOGUS',
        `+OK Maildrop has 3 messages (${TOTAL} octets).`,
        '+OK Logging out.',
      ];
      const lines: string[] = [];
      for (let i = 0; i < expected.length; i++) lines.push(await c.readLine());
      assert.deepEqual(lines, expected);
      assert.equal(await c.closedByServer(), true);
    });
  });

  describe(`POP3 with plaintext_auth never [${backend}]`, () => {
    it('refuses USER, PASS and AUTH before STLS with [AUTH] and leaves them out of CAPA; after STLS they work', async () => {
      const srv = await startTestServer(backend, (c) => (c.pop3.plaintextAuth = 'never'));
      try {
        await srv.addUser('alice@example.com', 'pw');
        const c = await Pop3Client.connect(srv.pop3Port);
        assert.deepEqual(await c.multiline('CAPA'), ['+OK Capability list follows', 'TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'STLS', 'IMPLEMENTATION Letterbox']);
        const refused = '-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections. Use STLS first.';
        assert.equal(await c.command('USER alice@example.com'), refused);
        assert.equal(await c.command('PASS pw'), refused);
        assert.equal(await c.command(`AUTH PLAIN ${b64('\0alice@example.com\0pw')}`), refused);
        assert.equal(await c.command('AUTH LOGIN'), refused);
        assert.deepEqual(await c.multiline('AUTH'), ['+OK Supported SASL mechanisms follow']);
        assert.equal(await c.stls(srv.cert), '+OK Begin TLS negotiation now.');
        assert.deepEqual(await c.multiline('CAPA'), PRE_LOGIN_CAPA);
        assert.equal(await c.command('USER alice@example.com'), '+OK Send the password.');
        assert.equal(await c.command('PASS pw'), '+OK Logged in.');
        c.close();
      } finally {
        await srv.close();
      }
    });
  });
}
