/**
 * LMTP dialogues (RFC 2033) over TCP and over the unix socket, with exact reply lines, and what they
 * store, read back over IMAP.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startLmtpServer, type RunningLmtp } from '../../src/lmtp/server.js';
import { LmtpClient } from '../support/line-client.js';
import { login, msg } from '../support/transcript.js';
import { startTestServer, type TestServer } from '../support/server.js';

const HOST = os.hostname();
/** A small size limit, so the oversize test sends kilobytes, not 64 MiB. */
const LIMIT = 4000;

const LHLO = [`250-${HOST}`, '250-PIPELINING', '250-8BITMIME', '250-SMTPUTF8', '250-ENHANCEDSTATUSCODES', `250 SIZE ${LIMIT}`];

describe('LMTP transcripts', () => {
  let srv: TestServer;
  let lmtp: RunningLmtp;
  let port = 0;
  let socket = '';
  let n = 0;
  let user = '';
  /** Every log line of the LMTP server, parsed. */
  const logged: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logged.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });

  before(async () => {
    srv = await startTestServer('sqlite');
    socket = path.join(srv.dataDir, 'lmtp.sock');
    lmtp = await startLmtpServer({
      config: { ...srv.config, lmtp: { host: '127.0.0.1', port: 24, socket } },
      store: srv.store,
      log: pino({ level: 'debug' }, sink),
      ephemeralPort: true,
      maxMessageOctets: LIMIT,
    });
    port = lmtp.addresses.flatMap((a) => ('port' in a ? [a.port] : []))[0]!;
  });
  after(async () => {
    await lmtp.close();
    await srv.close();
  });
  beforeEach(async () => {
    user = `lmtp${++n}@example.com`;
    await srv.addUser(user, 'pw');
  });

  /** bodies returns the stored messages of `mailbox` as fetched over IMAP (BODY.PEEK[]), in UID order. */
  async function bodies(email: string, mailbox: string): Promise<string[]> {
    const c = await login(srv.imapPort, email);
    try {
      const sel = await c.command('s', `SELECT "${mailbox}"`);
      assert.match(sel.at(-1)!, /^s OK /);
      const lines = await c.command('f', 'FETCH 1:* BODY.PEEK[]');
      if (lines.at(-1)!.startsWith('f BAD')) return [];
      return lines.slice(0, -1).map((l) => {
        const m = /^\* \d+ FETCH \(BODY\[\] \{(\d+)\}\r\n([\s\S]*)\)$/.exec(l);
        assert.ok(m, l);
        const data = Buffer.from(m[2]!, 'utf8');
        assert.equal(data.length, Number(m[1]));
        return data.toString('utf8');
      });
    } finally {
      c.close();
    }
  }

  it('over TCP: LHLO, MAIL, RCPT good, unknown and +detail, DATA with one reply per recipient, QUIT', async () => {
    await srv.store.createMailbox((await srv.store.getAccount(user))!.id, 'Lists/Work');
    const [local, domain] = user.split('@');
    const c = await LmtpClient.connect(port);
    assert.equal(c.greeting, `220 ${HOST} LMTP Letterbox LMTP ready`);
    assert.deepEqual(await c.command('LHLO mta.example.org'), LHLO);
    assert.deepEqual(await c.command('MAIL FROM:<bob@example.org> SIZE=100'), ['250 2.1.0 Accepted']);
    assert.deepEqual(await c.command(`RCPT TO:<${user}>`), ['250 2.1.5 Accepted']);
    assert.deepEqual(await c.command('RCPT TO:<nobody@example.com>'), ['550 5.1.1 <nobody@example.com> no such user here']);
    assert.deepEqual(await c.command(`RCPT TO:<${local!.toUpperCase()}+Lists/Work@${domain!.toUpperCase()}>`), ['250 2.1.5 Accepted']);
    assert.deepEqual(await c.command(`RCPT TO:<${local}+NoSuchFolder@${domain}>`), ['250 2.1.5 Accepted']);
    assert.deepEqual(await c.command('DATA'), ['354 End data with <CR><LF>.<CR><LF>']);
    const body = msg('From: Bob <bob@example.org>', 'Subject: over LMTP', '', 'line one', '..a dot-stuffed line', 'caf\u00e9');
    c.write(body + '.\r\n');
    assert.deepEqual(await c.readReply(), [`250 2.6.0 <${user}> delivered to INBOX`]);
    assert.deepEqual(await c.readReply(), [`250 2.6.0 <${local!.toUpperCase()}+Lists/Work@${domain!.toUpperCase()}> delivered to Lists/Work`]);
    assert.deepEqual(await c.readReply(), [`250 2.6.0 <${local}+NoSuchFolder@${domain}> delivered to INBOX`]);
    // Folder names are case-sensitive: "lists/work" is not "Lists/Work", so this goes to INBOX.
    assert.deepEqual(await c.command('MAIL FROM:<bob@example.org>'), ['250 2.1.0 Accepted']);
    assert.deepEqual(await c.command(`RCPT TO:<${local}+lists/work@${domain}>`), ['250 2.1.5 Accepted']);
    assert.deepEqual(await c.command('DATA'), ['354 End data with <CR><LF>.<CR><LF>']);
    c.write(body + '.\r\n');
    assert.deepEqual(await c.readReply(), [`250 2.6.0 <${local}+lists/work@${domain}> delivered to INBOX`]);
    assert.deepEqual(await c.command('QUIT'), ['221 2.0.0 Bye']);
    assert.ok(await c.closedByServer());

    const stored = body.replace('..a dot', '.a dot');
    const trace = (rcpt: string) => `Return-Path: <bob@example.org>\r\nDelivered-To: ${rcpt}\r\n`;
    assert.deepEqual(await bodies(user, 'INBOX'), [trace(user) + stored, trace(`${local}+NoSuchFolder@${domain}`) + stored, trace(`${local}+lists/work@${domain}`) + stored]);
    assert.deepEqual(await bodies(user, 'Lists/Work'), [trace(`${local!.toUpperCase()}+Lists/Work@${domain!.toUpperCase()}`) + stored]);
    // No folder was created for the unknown detail.
    assert.equal(await srv.store.getMailbox((await srv.store.getAccount(user))!.id, 'NoSuchFolder'), null);
  });

  it('over quota: 452 4.2.2 while the mailbox is full, 552 5.2.2 when the message alone is larger than the quota', async () => {
    const other = `quota-other${n}@example.com`;
    await srv.addUser(other, 'pw');
    const account = (await srv.store.getAccount(user))!;
    await srv.store.setQuota(account.id, { storage: 1000, messages: 1 });
    const c = await LmtpClient.connect(port);
    await c.command('LHLO mta');
    const send = async (body: string): Promise<string[]> => {
      assert.deepEqual(await c.command('MAIL FROM:<bob@example.org>'), ['250 2.1.0 Accepted']);
      assert.deepEqual(await c.command(`RCPT TO:<${user}>`), ['250 2.1.5 Accepted']);
      assert.deepEqual(await c.command(`RCPT TO:<${other}>`), ['250 2.1.5 Accepted']);
      assert.deepEqual(await c.command('DATA'), ['354 End data with <CR><LF>.<CR><LF>']);
      c.write(body + '.\r\n');
      return [...(await c.readReply()), ...(await c.readReply())];
    };
    // The first message fits; the second finds the message limit (1) reached: temporary, the MTA retries.
    assert.deepEqual(await send(msg('Subject: one', '', 'fits')), [`250 2.6.0 <${user}> delivered to INBOX`, `250 2.6.0 <${other}> delivered to INBOX`]);
    assert.deepEqual(await send(msg('Subject: two', '', 'full')), [`452 4.2.2 <${user}> mailbox is over quota`, `250 2.6.0 <${other}> delivered to INBOX`]);
    // With room for messages again, a message larger than the whole storage quota can never fit: permanent.
    await srv.store.setQuota(account.id, { messages: null });
    assert.deepEqual(await send(msg('Subject: big', '', 'x'.repeat(1500))), [`552 5.2.2 <${user}> mailbox is over quota`, `250 2.6.0 <${other}> delivered to INBOX`]);
    assert.deepEqual(await c.command('QUIT'), ['221 2.0.0 Bye']);
    assert.equal((await bodies(user, 'INBOX')).length, 1);
    assert.equal((await bodies(other, 'INBOX')).length, 3);
  });

  it('over the unix socket: two transactions, RSET, the null sender, bare LF made CRLF', async () => {
    const c = await LmtpClient.connect(socket);
    assert.equal(c.greeting, `220 ${HOST} LMTP Letterbox LMTP ready`);
    assert.deepEqual(await c.command('LHLO mta'), LHLO);
    assert.deepEqual(await c.command('MAIL FROM:<a@example.org>'), ['250 2.1.0 Accepted']);
    assert.deepEqual(await c.command(`RCPT TO:<${user}>`), ['250 2.1.5 Accepted']);
    assert.deepEqual(await c.command('RSET'), ['250 2.0.0 Flushed']);
    assert.deepEqual(await c.command('DATA'), ['503 5.5.1 Error: need RCPT command']);
    assert.deepEqual(await c.command('MAIL FROM:<>'), ['250 2.1.0 Accepted']);
    assert.deepEqual(await c.command(`RCPT TO:<${user}>`), ['250 2.1.5 Accepted']);
    assert.deepEqual(await c.command('DATA'), ['354 End data with <CR><LF>.<CR><LF>']);
    c.write('Subject: bounce\n\nbare LF\r\n.\r\n');
    assert.deepEqual(await c.readReply(), [`250 2.6.0 <${user}> delivered to INBOX`]);
    assert.deepEqual(await c.command('MAIL FROM:<c@example.org>'), ['250 2.1.0 Accepted']);
    assert.deepEqual(await c.command(`RCPT TO:<${user}>`), ['250 2.1.5 Accepted']);
    assert.deepEqual(await c.command('DATA'), ['354 End data with <CR><LF>.<CR><LF>']);
    c.write('Subject: second\r\n\r\nsecond\r\n.\r\n');
    assert.deepEqual(await c.readReply(), [`250 2.6.0 <${user}> delivered to INBOX`]);
    assert.deepEqual(await c.command('QUIT'), ['221 2.0.0 Bye']);
    assert.deepEqual(await bodies(user, 'INBOX'), [
      `Return-Path: <>\r\nDelivered-To: ${user}\r\nSubject: bounce\r\n\r\nbare LF\r\n`,
      `Return-Path: <c@example.org>\r\nDelivered-To: ${user}\r\nSubject: second\r\n\r\nsecond\r\n`,
    ]);
  });

  it('refuses SMTP greetings, AUTH and STARTTLS, and commands out of order', async () => {
    const c = await LmtpClient.connect(port);
    assert.deepEqual(await c.command('EHLO mta'), ['500 Error: EHLO not allowed in LMTP server']);
    assert.deepEqual(await c.command('HELO mta'), ['500 Error: HELO not allowed in LMTP server']);
    assert.deepEqual(await c.command('MAIL FROM:<a@example.org>'), ['503 5.5.1 Error: send LHLO first']);
    assert.equal((await c.command('LHLO mta')).length, LHLO.length);
    assert.deepEqual(await c.command('STARTTLS'), ['500 5.5.2 Error: command not recognized']);
    assert.deepEqual(await c.command('AUTH PLAIN AGFAYg=='), ['500 5.5.2 Error: command not recognized']);
    assert.deepEqual(await c.command(`RCPT TO:<${user}>`), ['503 5.5.1 Error: need MAIL command']);
    assert.deepEqual(await c.command('QUIT'), ['221 2.0.0 Bye']);
  });

  it('answers 552 5.3.4 per recipient for a message over SIZE, and goes on', async () => {
    const c = await LmtpClient.connect(port);
    await c.command('LHLO mta');
    assert.deepEqual(await c.command(`MAIL FROM:<a@example.org> SIZE=${LIMIT + 1}`), [`552 5.3.4 Error: message exceeds fixed maximum message size ${LIMIT}`]);
    assert.deepEqual(await c.command('MAIL FROM:<a@example.org>'), ['250 2.1.0 Accepted']);
    assert.deepEqual(await c.command(`RCPT TO:<${user}>`), ['250 2.1.5 Accepted']);
    const [local, domain] = user.split('@');
    assert.deepEqual(await c.command(`RCPT TO:<${local}+Sent@${domain}>`), ['250 2.1.5 Accepted']);
    assert.deepEqual(await c.command('DATA'), ['354 End data with <CR><LF>.<CR><LF>']);
    c.write(msg('Subject: big', '', ...Array.from({ length: 200 }, () => 'x'.repeat(70))) + '.\r\n');
    assert.deepEqual(await c.readReply(), [`552 5.3.4 Error: message exceeds fixed maximum message size ${LIMIT}`]);
    assert.deepEqual(await c.readReply(), [`552 5.3.4 Error: message exceeds fixed maximum message size ${LIMIT}`]);
    assert.deepEqual(await c.command('MAIL FROM:<a@example.org>'), ['250 2.1.0 Accepted']);
    assert.deepEqual(await c.command(`RCPT TO:<${user}>`), ['250 2.1.5 Accepted']);
    assert.deepEqual(await c.command('DATA'), ['354 End data with <CR><LF>.<CR><LF>']);
    c.write('Subject: small\r\n\r\nok\r\n.\r\n');
    assert.deepEqual(await c.readReply(), [`250 2.6.0 <${user}> delivered to INBOX`]);
    c.close();
    assert.deepEqual(await bodies(user, 'INBOX'), [`Return-Path: <a@example.org>\r\nDelivered-To: ${user}\r\nSubject: small\r\n\r\nok\r\n`]);
    assert.deepEqual(await bodies(user, 'Sent'), []);
  });

  it('stores nothing when the client goes away in the middle of DATA, and logs one warn line saying whose mail it was', async () => {
    const mark = logged.length;
    const c = await LmtpClient.connect(port);
    await c.command('LHLO mta');
    await c.command('MAIL FROM:<a@example.org>');
    await c.command(`RCPT TO:<${user}>`);
    assert.deepEqual(await c.command('DATA'), ['354 End data with <CR><LF>.<CR><LF>']);
    c.write('Subject: cut off\r\n\nhalf a mess');
    await new Promise((r) => setTimeout(r, 50));
    c.close();
    const d = await LmtpClient.connect(port);
    await d.command('LHLO mta');
    await d.command('MAIL FROM:<a@example.org>');
    await d.command(`RCPT TO:<${user}>`);
    await d.command('DATA');
    d.write('Subject: whole\r\n\nwhole\r\n.\r\n');
    assert.deepEqual(await d.readReply(), [`250 2.6.0 <${user}> delivered to INBOX`]);
    d.close();
    assert.deepEqual(await bodies(user, 'INBOX'), [`Return-Path: <a@example.org>\r\nDelivered-To: ${user}\r\nSubject: whole\r\n\r\nwhole\r\n`]);
    const warned = logged.slice(mark).filter((l) => (l.level as number) >= 40);
    assert.equal(warned.length, 1, JSON.stringify(warned));
    const w = warned[0]!;
    assert.equal(w.msg, 'LMTP: client disconnected during DATA; nothing delivered');
    assert.deepEqual([w.from, w.rcpt, w.remote], ['a@example.org', [user], '127.0.0.1']);
    assert.equal(typeof w.session, 'string');
    assert.equal(JSON.stringify(logged.slice(mark)).includes('"stack"'), false, 'no stack trace');
  });

  it('pipelined commands get their replies in order (RFC 2033 requires PIPELINING)', async () => {
    const c = await LmtpClient.connect(port);
    await c.command('LHLO mta');
    c.write(`MAIL FROM:<p@example.org>\r\nRCPT TO:<${user}>\r\nRCPT TO:<ghost@example.com>\r\nDATA\r\n`);
    assert.deepEqual(await c.readReply(), ['250 2.1.0 Accepted']);
    assert.deepEqual(await c.readReply(), ['250 2.1.5 Accepted']);
    assert.deepEqual(await c.readReply(), ['550 5.1.1 <ghost@example.com> no such user here']);
    assert.deepEqual(await c.readReply(), ['354 End data with <CR><LF>.<CR><LF>']);
    c.write('Subject: piped\r\n\r\n.\r\nQUIT\r\n');
    assert.deepEqual(await c.readReply(), [`250 2.6.0 <${user}> delivered to INBOX`]);
    assert.deepEqual(await c.readReply(), ['221 2.0.0 Bye']);
  });

  it('an IDLE client sees a delivered message within one second', async () => {
    const i = await login(srv.imapPort, user);
    await i.command('s', 'SELECT INBOX');
    i.send('i IDLE');
    assert.equal(await i.readLine(), '+ idling');
    const c = await LmtpClient.connect(port);
    await c.command('LHLO mta');
    await c.command('MAIL FROM:<a@example.org>');
    await c.command(`RCPT TO:<${user}>`);
    await c.command('DATA');
    c.write('Subject: ping\r\n\r\nping\r\n.\r\n');
    assert.deepEqual(await c.readReply(), [`250 2.6.0 <${user}> delivered to INBOX`]);
    // The issue asks for "within one second"; the in-process notification comes with the commit.
    assert.equal(await i.readLine(1000), '* 1 EXISTS');
    assert.equal(await i.readLine(), '* 1 RECENT');
    i.send('DONE');
    assert.equal(await i.readLine(), 'i OK IDLE terminated');
    i.close();
    c.close();
  });

  it('close() with an idle LMTP connection open answers it 421 after LMTP_CLOSE_TIMEOUT_MS and resolves', async () => {
    const own = await startLmtpServer({ config: { ...srv.config, lmtp: { host: '127.0.0.1', port: 24, socket: null } }, store: srv.store, log: pino({ level: 'silent' }), ephemeralPort: true });
    const c = await LmtpClient.connect(own.addresses.flatMap((a) => ('port' in a ? [a.port] : []))[0]!);
    await c.command('LHLO mta');
    await own.close();
    assert.deepEqual(await c.readReply(), ['421 4.4.2 Server shutting down']);
    assert.equal(await c.closedByServer(5000), true);
  });
});
