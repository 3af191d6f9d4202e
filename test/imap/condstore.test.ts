/**
 * Transcript tests for RFC 7162: CONDSTORE (MODSEQ, CHANGEDSINCE, UNCHANGEDSINCE/MODIFIED, HIGHESTMODSEQ in
 * SELECT and STATUS, SEARCH MODSEQ) and QRESYNC (SELECT ... (QRESYNC ...), VANISHED (EARLIER), UID FETCH
 * VANISHED, VANISHED instead of EXPUNGE, CLOSED). The RFC's examples, with our UIDs and modseqs: each test
 * account's INBOX holds five messages appended one by one (UIDs 1-5, modseqs 2-6).
 */
import { describe, it } from 'node:test';
import type { RawClient } from '../support/line-client.js';
import { append, login, exchange, exchangeLike, msg } from '../support/transcript.js';
import { BACKENDS, serverPerSuite } from '../support/server.js';

const body = (i: number): string => msg(`From: bob@example.org`, `Subject: m${i}`, '', `Body ${i}`);

for (const backend of BACKENDS) {
  describe(`CONDSTORE and QRESYNC [${backend}]`, () => {
    const env = serverPerSuite(backend, 'c');
    const uidValidity = async (): Promise<number> => {
      const a = (await env.srv.store.getAccount(env.user))!;
      return (await env.srv.store.getMailbox(a.id, 'INBOX'))!.uidValidity;
    };
    /**
     * Logs in and appends five messages to INBOX (modseqs 2..6), then SELECTs and leaves it once, which takes
     * them as \Recent (RFC 3501 section 2.3.2), so no session below sees \Recent (multi-session.test.ts does).
     */
    const setup = async (): Promise<RawClient> => {
      const c = await login(env.srv.imapPort, env.user);
      for (let i = 1; i <= 5; i++) await append(c, `a${i}`, 'INBOX', body(i));
      await c.command('r1', 'SELECT INBOX');
      await c.command('r2', 'UNSELECT');
      return c;
    };
    const selectLines = (v: number, hms: number, extra: string[] = []): string[] => [
      '* 5 EXISTS',
      '* 0 RECENT',
      '* OK [UNSEEN 1] First unseen.',
      `* OK [UIDVALIDITY ${v}] UIDs valid`,
      '* OK [UIDNEXT 6] Predicted next UID',
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)',
      '* OK [MAILBOXID (F1)] Ok',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.',
      `* OK [HIGHESTMODSEQ ${hms}] Highest`,
      ...extra,
    ];

    it('SELECT (CONDSTORE), STATUS HIGHESTMODSEQ, FETCH MODSEQ and CHANGEDSINCE (RFC 7162 sections 3.1.2, 3.1.4, 3.1.7)', async () => {
      const c = await setup();
      const v = await uidValidity();
      await exchange(c, 'st', 'STATUS INBOX (UIDNEXT HIGHESTMODSEQ)', ['* STATUS INBOX (UIDNEXT 6 HIGHESTMODSEQ 6)', 'st OK STATUS completed']);
      await exchange(c, 's', 'SELECT INBOX (CONDSTORE)', [...selectLines(v, 6), 's OK [READ-WRITE] SELECT completed']);
      await exchange(c, 'f1', 'FETCH 2:3 (FLAGS)', ['* 2 FETCH (FLAGS () MODSEQ (3))', '* 3 FETCH (FLAGS () MODSEQ (4))', 'f1 OK FETCH completed']);
      await exchange(c, 'f2', 'STORE 2 +FLAGS (\\Seen)', ['* 2 FETCH (FLAGS (\\Seen) MODSEQ (7))', 'f2 OK STORE completed']);
      await exchange(c, 'f3', 'FETCH 1:* (UID FLAGS) (CHANGEDSINCE 5)', [
        '* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (7))',
        '* 5 FETCH (UID 5 FLAGS () MODSEQ (6))',
        'f3 OK FETCH completed',
      ]);
      await exchange(c, 'f4', 'UID FETCH 1:* (FLAGS) (CHANGEDSINCE 6)', ['* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (7))', 'f4 OK UID FETCH completed']);
      await exchange(c, 'f5', 'FETCH 4 (MODSEQ)', ['* 4 FETCH (MODSEQ (5))', 'f5 OK FETCH completed']);
      await exchange(c, 'f6', 'FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)', ['f6 BAD VANISHED is only valid with UID FETCH (RFC 7162 section 3.2.6)']);
      await exchange(c, 'f7', 'UID FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)', ['f7 BAD VANISHED needs ENABLE QRESYNC first']);
      await exchange(c, 'f8', 'FETCH 1 (FLAGS) (CHANGEDSINCE x)', ['f8 BAD Expected number']);
      c.close();
    });

    it('FETCH MODSEQ turns CONDSTORE on: from then on FETCH and STORE responses with FLAGS carry MODSEQ', async () => {
      const c = await setup();
      await c.command('s', 'SELECT INBOX');
      await exchange(c, 'f1', 'FETCH 1 (FLAGS)', ['* 1 FETCH (FLAGS ())', 'f1 OK FETCH completed']);
      await exchange(c, 'f2', 'STORE 1 +FLAGS (\\Flagged)', ['* 1 FETCH (FLAGS (\\Flagged))', 'f2 OK STORE completed']);
      await exchange(c, 'f3', 'FETCH 1 (MODSEQ)', ['* OK [HIGHESTMODSEQ 7] Highest', '* 1 FETCH (MODSEQ (7))', 'f3 OK FETCH completed']);
      await exchange(c, 'f4', 'FETCH 1 (FLAGS)', ['* 1 FETCH (FLAGS (\\Flagged) MODSEQ (7))', 'f4 OK FETCH completed']);
      await exchange(c, 'f5', 'FETCH 1 (BODY[TEXT])', ['* 1 FETCH (BODY[TEXT] {8}\r\nBody 1\r\n FLAGS (\\Seen \\Flagged) MODSEQ (8))', 'f5 OK FETCH completed']);
      c.close();
    });

    it('STORE UNCHANGEDSINCE answers [MODIFIED] for messages changed since (RFC 7162 section 3.1.3 examples)', async () => {
      const c = await setup();
      await c.command('s', 'SELECT INBOX');
      // Another session changes message 3 (modseq 7).
      const other = await login(env.srv.imapPort, env.user);
      await other.command('s', 'SELECT INBOX');
      await exchange(other, 'o', 'STORE 3 +FLAGS.SILENT (\\Answered)', ['o OK STORE completed']);
      other.close();
      await exchange(c, 'd105', 'STORE 1,3,5 (UNCHANGEDSINCE 6) +FLAGS.SILENT (\\Deleted)', [
        // The first CONDSTORE enabling command with a mailbox selected reports its HIGHESTMODSEQ (section 3.1).
        '* OK [HIGHESTMODSEQ 6] Highest',
        '* 1 FETCH (MODSEQ (8))',
        '* 5 FETCH (MODSEQ (8))',
        '* 3 FETCH (UID 3 FLAGS (\\Answered) MODSEQ (7))',
        'd105 OK [MODIFIED 3] Conditional STORE failed',
      ]);
      await exchange(c, 'd106', 'UID STORE 1:2 (UNCHANGEDSINCE 7) FLAGS (\\Seen)', [
        '* 2 FETCH (FLAGS (\\Seen) UID 2 MODSEQ (9))',
        'd106 OK [MODIFIED 1] Conditional STORE failed',
      ]);
      await exchange(c, 'd107', 'STORE 4 (UNCHANGEDSINCE 0) +FLAGS (\\Seen)', ['d107 OK [MODIFIED 4] Conditional STORE failed']);
      await exchange(c, 'd108', 'STORE 4 (UNCHANGEDSINCE 5) -FLAGS (\\Seen)', ['* 4 FETCH (FLAGS () MODSEQ (5))', 'd108 OK STORE completed']);
      c.close();
    });

    it('SEARCH MODSEQ adds the highest modseq of the result (RFC 7162 section 3.1.5)', async () => {
      const c = await setup();
      await c.command('s', 'SELECT INBOX');
      await exchange(c, 'a', 'SEARCH MODSEQ 5', ['* OK [HIGHESTMODSEQ 6] Highest', '* SEARCH 4 5 (MODSEQ 6)', 'a OK SEARCH completed']);
      await exchange(c, 'b', 'UID SEARCH MODSEQ "/flags/\\\\draft" all 4 UID 1:4', ['* SEARCH 3 4 (MODSEQ 5)', 'b OK UID SEARCH completed']);
      await exchange(c, 'c', 'SEARCH MODSEQ 100', ['* SEARCH', 'c OK SEARCH completed']);
      await exchange(c, 'd', 'FETCH 5 (FLAGS)', ['* 5 FETCH (FLAGS () MODSEQ (6))', 'd OK FETCH completed']);
      c.close();
    });

    it('while an expunge waits (during FETCH), MODSEQ responses come with a HIGHESTMODSEQ below it (RFC 7162 section 3.2)', async () => {
      const c = await setup();
      await c.command('s', 'SELECT INBOX (CONDSTORE)');
      const o = await login(env.srv.imapPort, env.user);
      await o.command('s', 'SELECT INBOX');
      await o.command('o1', 'STORE 2 +FLAGS.SILENT (\\Deleted)'); // modseq 7
      await o.command('o2', 'EXPUNGE'); // modseq 8
      await o.command('o3', 'STORE 1 +FLAGS.SILENT (\\Flagged)'); // modseq 9
      o.close();
      await exchange(c, 'f1', 'FETCH 3 (FLAGS)', [
        '* 3 FETCH (FLAGS () MODSEQ (4))',
        '* 1 FETCH (UID 1 FLAGS (\\Flagged) MODSEQ (9))',
        '* OK [HIGHESTMODSEQ 6] Highest',
        'f1 OK FETCH completed',
      ]);
      await exchange(c, 'f2', 'FETCH 1 (FLAGS)', ['* 1 FETCH (FLAGS (\\Flagged) MODSEQ (9))', '* OK [HIGHESTMODSEQ 6] Highest', 'f2 OK FETCH completed']);
      await exchange(c, 'n', 'NOOP', ['* 2 EXPUNGE', 'n OK NOOP completed']);
      await exchange(c, 'f3', 'FETCH 1 (FLAGS)', ['* 1 FETCH (FLAGS (\\Flagged) MODSEQ (9))', 'f3 OK FETCH completed']);
      c.close();
    });

    it('ENABLE QRESYNC; SELECT (QRESYNC ...) reports VANISHED (EARLIER) and changed messages (RFC 7162 section 3.2.5)', async () => {
      const c = await setup();
      const v = await uidValidity();
      await c.command('s', 'SELECT INBOX');
      await c.command('x1', 'STORE 2,4 +FLAGS.SILENT (\\Deleted)'); // modseq 7
      await c.command('x2', 'EXPUNGE'); // modseq 8
      await c.command('x3', 'STORE 3 +FLAGS.SILENT (\\Flagged)'); // UID 5 now, modseq 9
      await c.command('x4', 'UNSELECT');
      await exchange(c, 'e0', 'SELECT INBOX (QRESYNC (1 2))', ['e0 BAD QRESYNC needs ENABLE QRESYNC first']);
      await exchange(c, 'e1', 'ENABLE QRESYNC', ['* ENABLED QRESYNC', 'e1 OK ENABLE completed']);
      const three = (hms: number, extra: string[]): string[] => selectLines(v, hms, extra).map((l) => l.replace('5 EXISTS', '3 EXISTS'));
      await exchange(c, 'A02', `SELECT INBOX (QRESYNC (${v} 6 1:5))`, [
        ...three(9, ['* VANISHED (EARLIER) 2,4', '* 3 FETCH (UID 5 FLAGS (\\Flagged) MODSEQ (9))']),
        'A02 OK [READ-WRITE] SELECT completed',
      ]);
      // Known UIDs limit the report; sequence match data is accepted (and not needed: expunged UIDs are never forgotten).
      await exchange(c, 'A03', `EXAMINE INBOX (QRESYNC (${v} 6 4:5 (1:2 1,5)))`, [
        '* OK [CLOSED] Previous mailbox closed.',
        ...three(9, ['* VANISHED (EARLIER) 4', '* 3 FETCH (UID 5 FLAGS (\\Flagged) MODSEQ (9))']).map((l) => l.replace(/PERMANENTFLAGS .*/, 'PERMANENTFLAGS ()] Read-only mailbox.')),
        'A03 OK [READ-ONLY] EXAMINE completed',
      ]);
      // A wrong UIDVALIDITY gets a plain SELECT; a modseq of the present gets nothing more.
      await exchange(c, 'A04', `SELECT INBOX (QRESYNC (${v + 1} 6))`, ['* OK [CLOSED] Previous mailbox closed.', ...three(9, []), 'A04 OK [READ-WRITE] SELECT completed']);
      await exchange(c, 'A05', `SELECT INBOX (QRESYNC (${v} 9))`, ['* OK [CLOSED] Previous mailbox closed.', ...three(9, []), 'A05 OK [READ-WRITE] SELECT completed']);
      await exchange(c, 'A06', `SELECT INBOX (QRESYNC (${v} 1) CONDSTORE)`, [
        '* OK [CLOSED] Previous mailbox closed.',
        ...three(9, ['* VANISHED (EARLIER) 2,4', '* 1 FETCH (UID 1 FLAGS () MODSEQ (2))', '* 2 FETCH (UID 3 FLAGS () MODSEQ (4))', '* 3 FETCH (UID 5 FLAGS (\\Flagged) MODSEQ (9))']),
        'A06 OK [READ-WRITE] SELECT completed',
      ]);
      await exchange(c, 'A07', 'UID FETCH 1:* (FLAGS) (CHANGEDSINCE 6 VANISHED)', [
        '* VANISHED (EARLIER) 2,4',
        '* 3 FETCH (UID 5 FLAGS (\\Flagged) MODSEQ (9))',
        'A07 OK UID FETCH completed',
      ]);
      await exchange(c, 'A08', 'UID FETCH 3:4 (FLAGS) (CHANGEDSINCE 6 VANISHED)', [
        '* VANISHED (EARLIER) 4',
        'A08 OK UID FETCH completed',
      ]);
      await exchange(c, 'A09', 'SELECT INBOX (QRESYNC (0 1))', ['A09 BAD Expected non-zero number']);
      c.close();
    });

    it('under QRESYNC, EXPUNGE, UID EXPUNGE, MOVE and other sessions\' expunges are reported as VANISHED (RFC 7162 section 3.2.10)', async () => {
      const c = await setup();
      await exchange(c, 'e', 'ENABLE QRESYNC', ['* ENABLED QRESYNC', 'e OK ENABLE completed']);
      await c.command('s', 'SELECT INBOX');
      // Under QRESYNC every FETCH a STORE causes carries UID (RFC 7162 section 3.2.4), and an EXPUNGE or MOVE
      // ends with the HIGHESTMODSEQ that covers what it reported (section 3.2.9).
      await exchange(c, 'x1', 'STORE 1:2 +FLAGS.SILENT (\\Deleted)', ['* 1 FETCH (UID 1 MODSEQ (7))', '* 2 FETCH (UID 2 MODSEQ (7))', 'x1 OK STORE completed']);
      await exchange(c, 'x2', 'EXPUNGE', ['* VANISHED 1:2', 'x2 OK [HIGHESTMODSEQ 8] EXPUNGE completed']);
      await exchangeLike(c, 'x3', 'UID MOVE 3 Archive', [/^\* OK \[COPYUID \d+ 3 1\] Moved$/, '* VANISHED 3', 'x3 OK [HIGHESTMODSEQ 9] MOVE completed']);
      const o = await login(env.srv.imapPort, env.user);
      await o.command('s', 'SELECT INBOX');
      await o.command('o1', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
      await exchange(o, 'o2', 'EXPUNGE', ['* 1 EXPUNGE', 'o2 OK EXPUNGE completed']);
      o.close();
      await exchange(c, 'n', 'NOOP', ['* VANISHED 4', '* OK [HIGHESTMODSEQ 11] Highest', 'n OK NOOP completed']);
      await exchange(c, 'x4', 'STORE 1 +FLAGS (\\Deleted)', ['* 1 FETCH (FLAGS (\\Deleted) UID 5 MODSEQ (12))', 'x4 OK STORE completed']);
      await exchange(c, 'x5', 'UID EXPUNGE 5', ['* VANISHED 5', 'x5 OK [HIGHESTMODSEQ 13] UID EXPUNGE completed']);
      await exchangeLike(c, 'x6', 'SELECT Archive', [
        '* OK [CLOSED] Previous mailbox closed.',
        '* 1 EXISTS',
        '* 1 RECENT',
        '* OK [UNSEEN 1] First unseen.',
        /UIDVALIDITY/,
        '* OK [UIDNEXT 2] Predicted next UID',
        '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)',
        /^\* OK \[MAILBOXID \(F\d+\)\] Ok$/,
        '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.',
        '* OK [HIGHESTMODSEQ 2] Highest',
        'x6 OK [READ-WRITE] SELECT completed',
      ]);
      c.close();
    });
  });
}
