/**
 * Transcript tests for the mailbox and message extensions, on the examples of their RFCs: UIDPLUS
 * (RFC 4315), MOVE (RFC 6851), MULTIAPPEND (RFC 3502), REPLACE (RFC 8508), OBJECTID (RFC 8474),
 * SAVEDATE (RFC 8514), PREVIEW (RFC 8970), BINARY APPEND (RFC 3516), SPECIAL-USE (RFC 6154),
 * LIST-STATUS with APPENDLIMIT (RFC 5819, RFC 7889), and IMAP4rev2's removal of \Recent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawClient } from '../support/line-client.js';
import { appendNonSync, login, exchange, msg } from '../support/transcript.js';
import { BACKENDS, serverPerSuite } from '../support/server.js';

const MSG1 = msg('From: Fred Foobar <foobar@example.com>', 'Subject: afternoon meeting', 'To: mooch@owatagu.siam.edu', '', 'Hello Joe, do you think we can meet at 3:30 tomorrow?');
const MSG2 = msg('From: Joe Mooch <mooch@owatagu.siam.edu>', 'Subject: Re: afternoon meeting', 'To: foobar@example.com', '', '3:30 is fine with me.');
const HTML = msg(
  'From: a@example.com',
  'Subject: html',
  'Content-Type: text/html; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  '<html><head><style>p{}</style></head><body><p>Gr=C3=BC=C3=9Fe,</p>',
  '<p>see   you&nbsp;<b>soon</b></p></body></html>',
);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const today = (): string => {
  const d = new Date();
  return `${d.getUTCDate()}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`;
};
const lit = (s: string): string => `{${Buffer.byteLength(s)}}\r\n${s}`;

for (const backend of BACKENDS) {
  describe(`mailbox extensions [${backend}]`, () => {
    const env = serverPerSuite(backend, 'm');
    const box = async (name: string): Promise<{ uidValidity: number }> => {
      const acct = (await env.srv.store.getAccount(env.user))!;
      return (await env.srv.store.getMailbox(acct.id, name))!;
    };
    const select = async (c: RawClient, tag: string, name: string, verb = 'SELECT'): Promise<void> => {
      const lines = await c.command(tag, `${verb} ${name}`);
      assert.match(lines.at(-1)!, new RegExp(`^${tag} OK \\[READ-(WRITE|ONLY)\\] ${verb} completed$`));
    };

    it('UIDPLUS: APPENDUID, COPYUID, MOVE with an untagged COPYUID, UID EXPUNGE of a subset (RFC 4315, RFC 6851)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      const inbox = (await box('INBOX')).uidValidity;
      const archive = (await box('Archive')).uidValidity;
      const junk = (await box('Junk')).uidValidity;
      for (let i = 1; i <= 4; i++) assert.equal(await appendNonSync(c, `a${i}`, 'INBOX', MSG1), `a${i} OK [APPENDUID ${inbox} ${i}] APPEND completed`);
      await select(c, 's', 'INBOX');
      await exchange(c, 'c1', 'UID COPY 2:4 Archive', [`c1 OK [COPYUID ${archive} 2:4 1:3] COPY completed`]);
      await exchange(c, 'c2', 'COPY 1 Archive', [`c2 OK [COPYUID ${archive} 1 4] COPY completed`]);
      await exchange(c, 'c3', 'UID COPY 90:99 Archive', ['c3 OK No messages copied']);
      await exchange(c, 'e1', 'STORE 1:3 +FLAGS.SILENT (\\Deleted)', ['e1 OK STORE completed']);
      // RFC 4315 section 2.1: only the \Deleted messages whose UIDs are in the set are expunged.
      await exchange(c, 'e2', 'UID EXPUNGE 2:4', ['* 2 EXPUNGE', '* 2 EXPUNGE', 'e2 OK UID EXPUNGE completed']);
      await exchange(c, 'e3', 'UID FETCH 1:* FLAGS', ['* 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))', '* 2 FETCH (UID 4 FLAGS (\\Recent))', 'e3 OK UID FETCH completed']);
      await exchange(c, 'm1', 'UID MOVE 4 Junk', [`* OK [COPYUID ${junk} 4 1] Moved`, '* 2 EXPUNGE', 'm1 OK MOVE completed']);
      await exchange(c, 'm2', 'MOVE 1 Archive', [`* OK [COPYUID ${archive} 1 5] Moved`, '* 1 EXPUNGE', 'm2 OK MOVE completed']);
      await exchange(c, 'm3', 'MOVE 1 Nowhere', ['m3 BAD Invalid message sequence number: the mailbox is empty']);
      await exchange(c, 'm4', 'UID MOVE 1 Nowhere', ["m4 NO [TRYCREATE] Mailbox doesn't exist: Nowhere"]);
      await exchange(c, 's2', 'STATUS Archive (MESSAGES UIDNEXT)', ['* STATUS Archive (MESSAGES 5 UIDNEXT 6)', 's2 OK STATUS completed']);
      c.close();
    });

    it('MULTIAPPEND: several messages in one command get one APPENDUID set; a failure stores none (RFC 3502)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      const drafts = (await box('Drafts')).uidValidity;
      c.write(`m1 APPEND Drafts (\\Seen) {${MSG1.length}+}\r\n${MSG1} (\\Seen) " 1-Jul-2002 22:31:22 +0000" {${MSG2.length}+}\r\n${MSG2}\r\n`);
      assert.deepEqual(await c.readUntilTagged('m1'), [`m1 OK [APPENDUID ${drafts} 1:2] APPEND completed`]);
      c.write(`m2 APPEND Drafts {${MSG1.length}+}\r\n${MSG1} {0+}\r\n\r\n`);
      assert.deepEqual(await c.readUntilTagged('m2'), ["m2 NO Can't save a zero-length message."]);
      c.write(`m3 APPEND Nowhere {${MSG1.length}+}\r\n${MSG1} {${MSG2.length}+}\r\n${MSG2}\r\n`);
      assert.deepEqual(await c.readUntilTagged('m3'), ["m3 NO [TRYCREATE] Mailbox doesn't exist: Nowhere"]);
      c.write(`m4 APPEND Drafts {${MSG1.length}+}\r\n${MSG1} (\\Seen)\r\n`);
      assert.deepEqual(await c.readUntilTagged('m4'), ['m4 BAD Missing arguments']);
      await exchange(c, 's', 'STATUS Drafts (MESSAGES UIDNEXT)', ['* STATUS Drafts (MESSAGES 2 UIDNEXT 3)', 's OK STATUS completed']);
      await select(c, 'x', 'Drafts', 'EXAMINE');
      await exchange(c, 'f', 'FETCH 2 (FLAGS INTERNALDATE)', ['* 2 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE " 1-Jul-2002 22:31:22 +0000")', 'f OK FETCH completed']);
      c.close();
    });

    it('REPLACE in the selected mailbox and UID REPLACE into another, each atomic; the error cases change nothing (RFC 8508)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      const drafts = (await box('Drafts')).uidValidity;
      const sent = (await box('Sent')).uidValidity;
      for (let i = 1; i <= 4; i++) await appendNonSync(c, `a${i}`, 'Drafts', MSG1, ' (\\Draft)');
      await select(c, 's', 'Drafts');
      c.write(`r1 REPLACE 4 Drafts (\\Seen \\Draft) {${MSG2.length}+}\r\n${MSG2}\r\n`);
      assert.deepEqual(await c.readUntilTagged('r1'), [
        `* OK [APPENDUID ${drafts} 5] Replacement message ready`,
        '* 4 EXPUNGE',
        '* 4 EXISTS',
        '* 4 RECENT',
        'r1 OK REPLACE completed',
      ]);
      c.write(`r2 UID REPLACE 2 Sent {${MSG2.length}+}\r\n${MSG2}\r\n`);
      assert.deepEqual(await c.readUntilTagged('r2'), [`* OK [APPENDUID ${sent} 1] Replacement message ready`, '* 2 EXPUNGE', 'r2 OK UID REPLACE completed']);
      await exchange(c, 'f', 'UID FETCH 1:* (FLAGS RFC822.SIZE)', [
        `* 1 FETCH (UID 1 FLAGS (\\Draft \\Recent) RFC822.SIZE ${MSG1.length})`,
        `* 2 FETCH (UID 3 FLAGS (\\Draft \\Recent) RFC822.SIZE ${MSG1.length})`,
        `* 3 FETCH (UID 5 FLAGS (\\Seen \\Draft \\Recent) RFC822.SIZE ${MSG2.length})`,
        'f OK UID FETCH completed',
      ]);
      c.write(`e1 REPLACE 9 Drafts {${MSG2.length}+}\r\n${MSG2}\r\n`);
      assert.deepEqual(await c.readUntilTagged('e1'), ['e1 BAD Invalid message sequence number']);
      c.write(`e2 UID REPLACE 2 Drafts {${MSG2.length}+}\r\n${MSG2}\r\n`);
      assert.deepEqual(await c.readUntilTagged('e2'), ['e2 NO No message with UID 2']);
      c.write(`e3 REPLACE 1 Nowhere {${MSG2.length}+}\r\n${MSG2}\r\n`);
      assert.deepEqual(await c.readUntilTagged('e3'), ["e3 NO [TRYCREATE] Mailbox doesn't exist: Nowhere"]);
      c.write('e4 REPLACE 1 Drafts {0+}\r\n\r\n');
      assert.deepEqual(await c.readUntilTagged('e4'), ["e4 NO Can't save a zero-length message."]);
      c.write(`e5 REPLACE 1 Drafts (\\Recent) {${MSG2.length}+}\r\n${MSG2}\r\n`);
      assert.deepEqual(await c.readUntilTagged('e5'), ['e5 BAD Invalid system flag \\Recent']);
      await select(c, 'x', 'Drafts', 'EXAMINE');
      c.write(`e6 REPLACE 1 Drafts {${MSG2.length}+}\r\n${MSG2}\r\n`);
      assert.deepEqual(await c.readUntilTagged('e6'), ['e6 NO Mailbox is read-only.']);
      await exchange(c, 'st', 'STATUS Drafts (MESSAGES UIDNEXT)', ['* STATUS Drafts (MESSAGES 3 UIDNEXT 6)', 'st OK STATUS completed']);
      await exchange(c, 'u', 'UNSELECT', ['u OK UNSELECT completed']);
      c.write(`e7 REPLACE 1 Drafts {${MSG2.length}+}\r\n${MSG2}\r\n`);
      assert.deepEqual(await c.readUntilTagged('e7'), ['e7 BAD REPLACE is not valid in the authenticated state']);
      c.close();
    });

    it('OBJECTID: MAILBOXID from CREATE, SELECT and STATUS, kept by RENAME, new after DELETE; EMAILID shared by copies; THREADID NIL (RFC 8474)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'c3', 'CREATE foo', ['c3 OK [MAILBOXID (F7)] CREATE completed']);
      await exchange(c, 'c4', 'CREATE bar', ['c4 OK [MAILBOXID (F8)] CREATE completed']);
      await exchange(c, 'c5', 'CREATE foo', ['c5 NO [ALREADYEXISTS] Mailbox already exists']);
      await exchange(c, 'c6', 'RENAME foo renamed', ['c6 OK RENAME completed']);
      await exchange(c, 'c7', 'STATUS renamed (MAILBOXID)', ['* STATUS renamed (MAILBOXID (F7))', 'c7 OK STATUS completed']);
      await exchange(c, 'c8', 'STATUS bar (MAILBOXID MESSAGES)', ['* STATUS bar (MAILBOXID (F8) MESSAGES 0)', 'c8 OK STATUS completed']);
      await exchange(c, 'c9', 'DELETE renamed', ['c9 OK DELETE completed']);
      await exchange(c, 'c10', 'CREATE renamed', ['c10 OK [MAILBOXID (F9)] CREATE completed']);
      await exchange(c, 'c11', 'LIST "" "r*" RETURN (STATUS (MAILBOXID APPENDLIMIT))', [
        '* LIST (\\HasNoChildren) "/" renamed',
        '* STATUS renamed (MAILBOXID (F9) APPENDLIMIT 67108864)',
        'c11 OK LIST completed',
      ]);
      await appendNonSync(c, 'a1', 'bar', MSG1);
      await appendNonSync(c, 'a2', 'bar', MSG2);
      const sel = await c.command('s', 'SELECT bar');
      assert.ok(sel.includes('* OK [MAILBOXID (F8)] Ok'), sel.join('\n'));
      await exchange(c, 'k', 'COPY 2 renamed', [`k OK [COPYUID ${(await box('renamed')).uidValidity} 2 1] COPY completed`]);
      await exchange(c, 'f1', 'FETCH 1:2 (EMAILID THREADID)', ['* 1 FETCH (EMAILID (M1) THREADID NIL)', '* 2 FETCH (EMAILID (M2) THREADID NIL)', 'f1 OK FETCH completed']);
      await exchange(c, 'q1', 'SEARCH EMAILID M2', ['* SEARCH 2', 'q1 OK SEARCH completed']);
      await exchange(c, 'q2', 'SEARCH THREADID T1', ['* SEARCH', 'q2 OK SEARCH completed']);
      await exchange(c, 'q3', 'SEARCH EMAILID M.2', ['q3 BAD Invalid EMAILID object id']);
      await select(c, 's2', 'renamed');
      await exchange(c, 'f2', 'UID FETCH 1 EMAILID', ['* 1 FETCH (UID 1 EMAILID (M2))', 'f2 OK UID FETCH completed']);
      // Renaming INBOX moves its messages to a new mailbox: that one gets a new MAILBOXID, INBOX keeps its own.
      await exchange(c, 'r1', 'RENAME INBOX OldInbox', ['r1 OK RENAME completed']);
      await exchange(c, 'r2', 'STATUS INBOX (MAILBOXID)', ['* STATUS INBOX (MAILBOXID (F1))', 'r2 OK STATUS completed']);
      await exchange(c, 'r3', 'STATUS OldInbox (MAILBOXID)', ['* STATUS OldInbox (MAILBOXID (F10))', 'r3 OK STATUS completed']);
      c.close();
    });

    it('SAVEDATE: FETCH SAVEDATE and the SAVED* search keys (RFC 8514)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await appendNonSync(c, 'a1', 'INBOX', MSG1, ' " 1-Jul-2002 22:31:22 +0000"');
      await select(c, 's', 'INBOX');
      const [line] = await c.command('f', 'FETCH 1 (INTERNALDATE SAVEDATE)');
      const m = /^\* 1 FETCH \(INTERNALDATE " 1-Jul-2002 22:31:22 \+0000" SAVEDATE "([ 0-9]\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d) \+0000"\)$/.exec(line!);
      assert.ok(m, line);
      assert.ok(Math.abs(Date.parse(`${m[1]!.trim()} UTC`) - Date.now()) < 10 * 60_000);
      const day = today();
      await exchange(c, 'q1', `SEARCH SAVEDON ${day}`, ['* SEARCH 1', 'q1 OK SEARCH completed']);
      await exchange(c, 'q2', `SEARCH SAVEDBEFORE ${day}`, ['* SEARCH', 'q2 OK SEARCH completed']);
      await exchange(c, 'q3', `SEARCH SAVEDSINCE ${day} ON 1-Jul-2002`, ['* SEARCH 1', 'q3 OK SEARCH completed']);
      await exchange(c, 'q4', 'SEARCH SAVEDATESUPPORTED', ['* SEARCH 1', 'q4 OK SEARCH completed']);
      await exchange(c, 'q5', 'SEARCH SAVEDON 31-Feb-2024', ['q5 BAD Invalid date: 31-Feb-2024']);
      c.close();
    });

    it('PREVIEW and PREVIEW (LAZY): text of the first text part, HTML stripped, no \\Seen; UTF-8 as a literal unless enabled (RFC 8970)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await appendNonSync(c, 'a1', 'INBOX', MSG1);
      await appendNonSync(c, 'a2', 'INBOX', HTML);
      await select(c, 's', 'INBOX');
      await exchange(c, 'p1', 'FETCH 1 PREVIEW', ['* 1 FETCH (PREVIEW "Hello Joe, do you think we can meet at 3:30 tomorrow?")', 'p1 OK FETCH completed']);
      await exchange(c, 'p2', 'FETCH 2 (FLAGS PREVIEW (LAZY))', [`* 2 FETCH (FLAGS (\\Recent) PREVIEW ${lit('Grüße, see you soon')})`, 'p2 OK FETCH completed']);
      await exchange(c, 'p3', 'FETCH 1 PREVIEW (LAZY BOGUS)', ['p3 BAD Unknown PREVIEW modifier']);
      await exchange(c, 'p4', 'UNSELECT', ['p4 OK UNSELECT completed']);
      await exchange(c, 'e', 'ENABLE UTF8=ACCEPT', ['* ENABLED UTF8=ACCEPT', 'e OK ENABLE completed']);
      await select(c, 's2', 'INBOX');
      await exchange(c, 'p5', 'UID FETCH 2 (PREVIEW FLAGS)', ['* 2 FETCH (UID 2 PREVIEW "Grüße, see you soon" FLAGS ())', 'p5 OK UID FETCH completed']);
      c.close();
    });

    it('BINARY: APPEND with literal8 keeps NUL octets; BINARY[1] returns them in a literal8, BODY[1] as 0x80 (RFC 3516 section 4.4)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      const inbox = (await box('INBOX')).uidValidity;
      const data = Buffer.concat([
        Buffer.from('From: a@example.com\r\nSubject: bin\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n'),
        Buffer.from([0x00, 0x01, 0x02, 0x41]),
        Buffer.from('\r\n'),
      ]);
      c.write(Buffer.concat([Buffer.from(`b1 APPEND INBOX ~{${data.length}+}\r\n`), data, Buffer.from('\r\n')]));
      assert.deepEqual(await c.readUntilTagged('b1'), [`b1 OK [APPENDUID ${inbox} 1] APPEND completed`]);
      await select(c, 's', 'INBOX');
      await exchange(c, 'f1', 'FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1] BINARY.PEEK[1]<1.2>)', [
        '* 1 FETCH (BINARY.SIZE[1] 6 BINARY[1] ~{6}\r\n\x00\x01\x02A\r\n BINARY[1]<1> ~{2}\r\n\x01\x02)',
        'f1 OK FETCH completed',
      ]);
      // 0x80 is not UTF-8: the test client shows it as U+FFFD.
      await exchange(c, 'f2', 'FETCH 1 (BODY.PEEK[1] FLAGS)', [
        '* 1 FETCH (BODY[1] {6}\r\n\ufffd\x01\x02A\r\n FLAGS (\\Recent))', 'f2 OK FETCH completed']);
      await exchange(c, 'f3', 'FETCH 1 BINARY[1]', ['* 1 FETCH (BINARY[1] ~{6}\r\n\x00\x01\x02A\r\n FLAGS (\\Seen \\Recent))', 'f3 OK FETCH completed']);
      c.close();
    });

    it('SPECIAL-USE: LIST (SPECIAL-USE), RETURN (SPECIAL-USE), CREATE with USE and USEATTR (RFC 6154 section 5)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 't1', 'CREATE MySpecial (USE (\\Drafts \\Sent))', ['t1 NO [USEATTR] Only one special-use attribute per mailbox']);
      await exchange(c, 't2', 'CREATE Everything (USE (\\All))', ['t2 NO [USEATTR] Special-use attribute not supported: \\All']);
      await exchange(c, 't3', 'CREATE Notes (USE (\\Drafts))', ['t3 OK [MAILBOXID (F7)] CREATE completed']);
      await exchange(c, 't4', 'LIST (SPECIAL-USE) "" "*"', [
        '* LIST (\\HasNoChildren \\Archive) "/" Archive',
        '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
        '* LIST (\\HasNoChildren \\Junk) "/" Junk',
        '* LIST (\\HasNoChildren \\Drafts) "/" Notes',
        '* LIST (\\HasNoChildren \\Sent) "/" Sent',
        '* LIST (\\HasNoChildren \\Trash) "/" Trash',
        't4 OK LIST completed',
      ]);
      await exchange(c, 't5', 'LIST "" "%" RETURN (SPECIAL-USE CHILDREN)', [
        '* LIST (\\HasNoChildren) "/" INBOX',
        '* LIST (\\HasNoChildren \\Archive) "/" Archive',
        '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
        '* LIST (\\HasNoChildren \\Junk) "/" Junk',
        '* LIST (\\HasNoChildren \\Drafts) "/" Notes',
        '* LIST (\\HasNoChildren \\Sent) "/" Sent',
        '* LIST (\\HasNoChildren \\Trash) "/" Trash',
        't5 OK LIST completed',
      ]);
      c.close();
    });

    it('IMAP4rev2: no \\Recent anywhere; STATUS RECENT is refused once rev2 is enabled, answered 0 before', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'r1', 'STATUS INBOX (RECENT MESSAGES)', ['* STATUS INBOX (RECENT 0 MESSAGES 0)', 'r1 OK STATUS completed']);
      c.write(`r2 APPEND INBOX (\\Recent) {${MSG1.length}+}\r\n${MSG1}\r\n`);
      assert.deepEqual(await c.readUntilTagged('r2'), ['r2 BAD Invalid system flag \\Recent']);
      await exchange(c, 'e', 'ENABLE IMAP4rev2', ['* ENABLED IMAP4rev2', 'e OK ENABLE completed']);
      await exchange(c, 'r3', 'STATUS INBOX (RECENT MESSAGES)', ['r3 BAD Unknown STATUS item RECENT']);
      await exchange(c, 'r4', 'LIST "" INBOX RETURN (STATUS (RECENT))', ['r4 BAD Unknown STATUS item RECENT']);
      await appendNonSync(c, 'a', 'INBOX', MSG1);
      await select(c, 's', 'INBOX');
      await exchange(c, 'f', 'FETCH 1 (FLAGS)', ['* 1 FETCH (FLAGS ())', 'f OK FETCH completed']);
      await exchange(c, 'sr', 'STORE 1 +FLAGS (\\Recent)', ['sr BAD Invalid system flag \\Recent']);
      await exchange(c, 'st', 'STORE 1 +FLAGS (\\Seen)', ['* 1 FETCH (FLAGS (\\Seen))', 'st OK STORE completed']);
      c.close();
    });
  });
}
