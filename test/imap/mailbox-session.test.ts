/**
 * Transcript tests for the selected state: SELECT/EXAMINE replies, APPEND with APPENDUID, STORE,
 * EXPUNGE / UID EXPUNGE, COPY / MOVE with COPYUID, CLOSE / UNSELECT, and what other sessions see
 * (EXISTS, EXPUNGE, FETCH FLAGS), including IDLE and the rule that EXPUNGE waits during FETCH/STORE/SEARCH.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RawClient } from '../support/line-client.js';
import { append, login, exchange, exchangeLike, msg } from '../support/transcript.js';
import { BACKENDS, serverPerSuite } from '../support/server.js';

const MSG1 = msg('From: Bob <bob@example.org>', 'To: alice@example.com', 'Subject: one', 'Date: Tue, 10 Nov 2026 10:00:00 +0000', 'Message-ID: <1@example.org>', '', 'Hello one');
const MSG2 = msg('From: Carol <carol@example.net>', 'To: alice@example.com', 'Subject: two', '', 'Hello two');

for (const backend of BACKENDS) {
  describe(`selected state [${backend}]`, () => {
    const env = serverPerSuite(backend, 'u');
    const uidValidity = async (name: string): Promise<number> => {
      const acct = (await env.srv.store.getAccount(env.user))!;
      return (await env.srv.store.getMailbox(acct.id, name))!.uidValidity;
    };

    it('SELECT of an empty INBOX, EXAMINE, and SELECT of a missing mailbox', async () => {
      const c = await login(env.srv.imapPort, env.user);
      const v = await uidValidity('INBOX');
      await exchange(c, 's1', 'SELECT INBOX', [
        '* 0 EXISTS',
        '* 0 RECENT',
        `* OK [UIDVALIDITY ${v}] UIDs valid`,
        '* OK [UIDNEXT 1] Predicted next UID',
        '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)',
        '* OK [MAILBOXID (F1)] Ok',
        '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.',
        '* OK [HIGHESTMODSEQ 1] Highest',
        's1 OK [READ-WRITE] SELECT completed',
      ]);
      await exchange(c, 's2', 'EXAMINE inbox', [
        '* 0 EXISTS',
        '* 0 RECENT',
        `* OK [UIDVALIDITY ${v}] UIDs valid`,
        '* OK [UIDNEXT 1] Predicted next UID',
        '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)',
        '* OK [MAILBOXID (F1)] Ok',
        '* OK [PERMANENTFLAGS ()] Read-only mailbox.',
        '* OK [HIGHESTMODSEQ 1] Highest',
        's2 OK [READ-ONLY] EXAMINE completed',
      ]);
      await exchange(c, 's3', 'SELECT Nope', ["s3 NO [NONEXISTENT] Mailbox doesn't exist: Nope"]);
      await exchange(c, 's4', 'FETCH 1 FLAGS', ['s4 BAD FETCH is not valid in the authenticated state']);
      c.close();
    });

    it('after ENABLE IMAP4rev2, SELECT sends LIST instead of RECENT and announces [CLOSED]', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'e', 'ENABLE IMAP4rev2', ['* ENABLED IMAP4rev2', 'e OK ENABLE completed']);
      const sent = await uidValidity('Sent');
      await exchange(c, 's1', 'SELECT Sent', [
        '* 0 EXISTS',
        `* OK [UIDVALIDITY ${sent}] UIDs valid`,
        '* OK [UIDNEXT 1] Predicted next UID',
        '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)',
        '* OK [MAILBOXID (F2)] Ok',
        '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.',
        '* OK [HIGHESTMODSEQ 1] Highest',
        '* LIST (\\HasNoChildren \\Sent) "/" Sent',
        's1 OK [READ-WRITE] SELECT completed',
      ]);
      await c.command('c', 'CREATE INBOX/Sub');
      const inbox = await uidValidity('INBOX');
      await exchange(c, 's2', 'EXAMINE INBOX', [
        '* OK [CLOSED] Previous mailbox closed.',
        '* 0 EXISTS',
        `* OK [UIDVALIDITY ${inbox}] UIDs valid`,
        '* OK [UIDNEXT 1] Predicted next UID',
        '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)',
        '* OK [MAILBOXID (F1)] Ok',
        '* OK [PERMANENTFLAGS ()] Read-only mailbox.',
        '* OK [HIGHESTMODSEQ 1] Highest',
        '* LIST (\\HasChildren) "/" INBOX',
        's2 OK [READ-ONLY] EXAMINE completed',
      ]);
      c.close();
    });

    it('APPEND with flags and date, APPENDUID, TRYCREATE, and EXISTS for the selected mailbox', async () => {
      const c = await login(env.srv.imapPort, env.user);
      const v = await uidValidity('INBOX');
      assert.equal(await append(c, 'a1', 'INBOX', MSG1, ' (\\Seen $Label1) "10-Nov-2026 10:00:00 +0100"'), `a1 OK [APPENDUID ${v} 1] APPEND completed`);
      assert.equal(await append(c, 'a2', 'Nowhere', MSG2), "a2 NO [TRYCREATE] Mailbox doesn't exist: Nowhere");
      await exchange(c, 's1', 'SELECT INBOX', [
        '* 1 EXISTS',
        '* 1 RECENT',
        `* OK [UIDVALIDITY ${v}] UIDs valid`,
        '* OK [UIDNEXT 2] Predicted next UID',
        '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)',
        '* OK [MAILBOXID (F1)] Ok',
        '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 \\*)] Flags permitted.',
        '* OK [HIGHESTMODSEQ 2] Highest',
        's1 OK [READ-WRITE] SELECT completed',
      ]);
      await exchange(c, 'f1', 'FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE)', [
        `* 1 FETCH (UID 1 FLAGS (\\Seen $Label1 \\Recent) INTERNALDATE "10-Nov-2026 09:00:00 +0000" RFC822.SIZE ${Buffer.byteLength(MSG1)})`,
        'f1 OK FETCH completed',
      ]);
      c.send(`a3 APPEND INBOX {${Buffer.byteLength(MSG2)}+}`);
      c.write(MSG2 + '\r\n');
      assert.deepEqual(await c.readUntilTagged('a3'), ['* 2 EXISTS', '* 2 RECENT', `a3 OK [APPENDUID ${v} 2] APPEND completed`]);
      await exchange(c, 'f2', 'UID FETCH 2 BODY.PEEK[]', [`* 2 FETCH (UID 2 BODY[] {${Buffer.byteLength(MSG2)}}\r\n${MSG2})`, 'f2 OK UID FETCH completed']);
      c.close();
    });

    it('APPEND keeps each flag once, whatever its case', async () => {
      const c = await login(env.srv.imapPort, env.user);
      assert.match(await append(c, 'a1', 'INBOX', MSG1, ' (\\Seen \\SEEN $Label1 $label1 \\Flagged)'), /^a1 OK /);
      await c.command('s', 'EXAMINE INBOX');
      await exchange(c, 'f', 'FETCH 1 FLAGS', ['* 1 FETCH (FLAGS (\\Seen \\Flagged $Label1 \\Recent))', 'f OK FETCH completed']);
      c.close();
    });

    it('STORE, EXPUNGE and UID EXPUNGE report exact untagged responses', async () => {
      const c = await login(env.srv.imapPort, env.user);
      for (let i = 1; i <= 5; i++) await append(c, `a${i}`, 'INBOX', MSG1);
      await c.command('s', 'SELECT INBOX');
      await exchange(c, 't1', 'STORE 2:4 +FLAGS (\\Deleted)', [
        '* 2 FETCH (FLAGS (\\Deleted \\Recent))',
        '* 3 FETCH (FLAGS (\\Deleted \\Recent))',
        '* 4 FETCH (FLAGS (\\Deleted \\Recent))',
        't1 OK STORE completed',
      ]);
      await exchange(c, 't2', 'UID STORE 1 +FLAGS.SILENT (\\Seen)', ['t2 OK UID STORE completed']);
      await exchange(c, 'e1', 'UID EXPUNGE 4:5', ['* 4 EXPUNGE', 'e1 OK UID EXPUNGE completed']);
      await exchange(c, 'e2', 'EXPUNGE', ['* 2 EXPUNGE', '* 2 EXPUNGE', 'e2 OK EXPUNGE completed']);
      await exchange(c, 'f', 'FETCH 1:* (UID FLAGS)', ['* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))', '* 2 FETCH (UID 5 FLAGS (\\Recent))', 'f OK FETCH completed']);
      await exchange(c, 'x', 'FETCH 3 FLAGS', ['x BAD Invalid message sequence number: 3 (the mailbox has 2)']);
      c.close();
    });

    it('COPY and MOVE answer COPYUID; MOVE expunges; TRYCREATE for a missing target', async () => {
      const c = await login(env.srv.imapPort, env.user);
      for (let i = 1; i <= 3; i++) await append(c, `a${i}`, 'INBOX', MSG1);
      await c.command('s', 'SELECT INBOX');
      const arch = await uidValidity('Archive');
      await exchange(c, 'c1', 'COPY 1:2 Archive', [`c1 OK [COPYUID ${arch} 1:2 1:2] COPY completed`]);
      await exchange(c, 'c2', 'UID MOVE 2:3 Archive', [`* OK [COPYUID ${arch} 2:3 3:4] Moved`, '* 2 EXPUNGE', '* 2 EXPUNGE', 'c2 OK MOVE completed']);
      await exchange(c, 'c3', 'COPY 1 Missing', ["c3 NO [TRYCREATE] Mailbox doesn't exist: Missing"]);
      await exchangeLike(c, 'st', 'STATUS Archive (MESSAGES UIDNEXT)', ['* STATUS Archive (MESSAGES 4 UIDNEXT 5)', 'st OK STATUS completed']);
      c.close();
    });

    it('CLOSE expunges silently, UNSELECT does not', async () => {
      const c = await login(env.srv.imapPort, env.user);
      for (let i = 1; i <= 2; i++) await append(c, `a${i}`, 'INBOX', MSG1, ' (\\Deleted)');
      await c.command('s', 'SELECT INBOX');
      await exchange(c, 'k', 'CHECK', ['k OK CHECK completed']);
      await exchange(c, 'u', 'UNSELECT', ['u OK UNSELECT completed']);
      await exchange(c, 'k2', 'CHECK', ['k2 BAD CHECK is not valid in the authenticated state']);
      await c.command('s2', 'SELECT INBOX');
      await exchange(c, 'c', 'CLOSE', ['c OK CLOSE completed']);
      await exchange(c, 'st', 'STATUS INBOX (MESSAGES)', ['* STATUS INBOX (MESSAGES 0)', 'st OK STATUS completed']);
      await exchange(c, 'n', 'CLOSE', ['n BAD CLOSE is not valid in the authenticated state']);
      c.close();
    });

    it('another session sees EXISTS, FETCH FLAGS and EXPUNGE, but no EXPUNGE during FETCH', async () => {
      const a = await login(env.srv.imapPort, env.user);
      const b = await login(env.srv.imapPort, env.user);
      for (let i = 1; i <= 3; i++) await append(a, `a${i}`, 'INBOX', MSG1);
      await a.command('s', 'SELECT INBOX');
      await b.command('s', 'SELECT INBOX');
      await append(a, 'a4', 'INBOX', MSG2);
      // A took the new message as \\Recent when its APPEND ended (RFC 3501 section 2.3.2: in one session only).
      await exchange(b, 'n1', 'NOOP', ['* 4 EXISTS', '* 0 RECENT', 'n1 OK NOOP completed']);
      await a.command('t', 'STORE 1 +FLAGS (\\Flagged)');
      await exchange(b, 'n2', 'NOOP', ['* 1 FETCH (UID 1 FLAGS (\\Flagged))', 'n2 OK NOOP completed']);
      await a.command('t2', 'STORE 2 +FLAGS.SILENT (\\Deleted)');
      await a.command('e', 'EXPUNGE');
      // During FETCH the expunged message keeps its number and the EXPUNGE waits.
      await exchange(b, 'f', 'FETCH 3 (UID)', ['* 3 FETCH (UID 3)', 'f OK FETCH completed']);
      await exchange(b, 'n3', 'NOOP', ['* 2 EXPUNGE', 'n3 OK NOOP completed']);
      await exchange(b, 'f2', 'FETCH 1:* (UID)', ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 3)', '* 3 FETCH (UID 4)', 'f2 OK FETCH completed']);
      a.close();
      b.close();
    });

    it('IDLE pushes another session’s changes within a second, DONE ends it', async () => {
      const a = await login(env.srv.imapPort, env.user);
      const b = await login(env.srv.imapPort, env.user);
      await append(a, 'a1', 'INBOX', MSG1);
      await a.command('s', 'SELECT INBOX');
      await b.command('s', 'SELECT INBOX');
      b.send('i IDLE');
      assert.equal(await b.readLine(), '+ idling');
      const t0 = Date.now();
      await append(a, 'a2', 'INBOX', MSG2);
      assert.equal(await b.readLine(1000), '* 2 EXISTS');
      // The message is \\Recent in whichever of A (ending its APPEND) and B (in IDLE) learns of it first.
      const recent = await b.readLine(1000);
      assert.match(recent, /^\* [01] RECENT$/);
      await a.command('t', 'STORE 1 +FLAGS (\\Seen)');
      assert.equal(await b.readLine(1000), '* 1 FETCH (UID 1 FLAGS (\\Seen))');
      await a.command('t2', 'STORE 2 +FLAGS.SILENT (\\Deleted)');
      assert.equal(await b.readLine(1000), `* 2 FETCH (UID 2 FLAGS (\\Deleted${recent === '* 1 RECENT' ? ' \\Recent' : ''}))`);
      await a.command('e', 'EXPUNGE');
      assert.equal(await b.readLine(1000), '* 2 EXPUNGE');
      assert.ok(Date.now() - t0 < 3000);
      b.send('DONE');
      assert.equal(await b.readLine(), 'i OK IDLE terminated');
      b.send('j IDLE');
      assert.equal(await b.readLine(), '+ idling');
      b.send('NOTDONE');
      assert.equal(await b.readLine(), 'j BAD Expected DONE to end IDLE');
      a.close();
      b.close();
    });

    it('IDLE without a selected mailbox waits quietly and ends on DONE', async () => {
      const b = await login(env.srv.imapPort, env.user);
      b.send('i IDLE');
      assert.equal(await b.readLine(), '+ idling');
      const cpuBefore = process.cpuUsage();
      await new Promise((r) => setTimeout(r, 300));
      const cpu = process.cpuUsage(cpuBefore);
      // A spinning IDLE loop would burn the whole 300 ms of CPU; waiting costs next to nothing.
      assert.ok(cpu.user + cpu.system < 150_000, `IDLE used ${cpu.user + cpu.system} µs of CPU in 300 ms`);
      b.send('DONE');
      assert.equal(await b.readLine(), 'i OK IDLE terminated');
      b.close();
    });

    it('an append from another process (a second store on the same data) reaches IDLE', async () => {
      const b = await login(env.srv.imapPort, env.user);
      await b.command('s', 'SELECT INBOX');
      b.send('i IDLE');
      assert.equal(await b.readLine(), '+ idling');
      const { openStore } = await import('../../src/store/open.js');
      const { prepareMessage } = await import('../../src/delivery/prepare.js');
      const other = await openStore({ dataDir: env.srv.dataDir, storage: env.srv.storage });
      const acct = (await other.getAccount(env.user))!;
      const box = (await other.getMailbox(acct.id, 'INBOX'))!;
      await other.appendMessages(acct.id, box.id, [prepareMessage(Buffer.from(MSG1), [], Date.now())]);
      await other.close();
      assert.equal(await b.readLine(1500), '* 1 EXISTS');
      assert.equal(await b.readLine(), '* 1 RECENT');
      b.send('DONE');
      assert.equal(await b.readLine(), 'i OK IDLE terminated');
      b.close();
    });
  });
}
