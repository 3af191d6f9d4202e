/**
 * What a session learns of the others, to the letter (issue 12, measured with Dovecot's imaptest): a change
 * acknowledged to one session shows at the very next command of every other (also when another process
 * made it), a keyword new to the mailbox is announced with FLAGS before any FETCH shows it, \Recent is in
 * exactly one IMAP4rev1 session, STORE answers with the flags a message has now, once, APPEND refuses
 * unknown system flags, 8-bit header bytes come back unchanged, the QRESYNC details of RFC 7162, and the
 * rest of imaptest's scripted findings. Raw transcripts with exact lines, on both storage backends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import type { RawClient } from '../support/line-client.js';
import { append, login, exchange, msg } from '../support/transcript.js';
import { BACKENDS, serverPerSuite, type SuiteEnv } from '../support/server.js';

const ONE = msg('From: Bob <bob@example.org>', 'Subject: one', '', 'first');
const TWO = msg('From: Carol <carol@example.net>', 'Subject: two', '', 'second');
const SYSTEM = '\\Answered \\Flagged \\Deleted \\Seen \\Draft';

/** select SELECTs (or EXAMINEs) a mailbox and returns the untagged lines, asserting the tagged OK. */
async function select(c: RawClient, box = 'INBOX', command = 'SELECT'): Promise<string[]> {
  const lines = await c.command('s', `${command} ${box}`);
  assert.match(lines.at(-1)!, /^s OK /);
  return lines.slice(0, -1);
}

for (const backend of BACKENDS) {
  describe(`several sessions on one mailbox [${backend}]`, () => {
    const env = serverPerSuite(backend, 'ms');

    it('a change acknowledged to one session shows at the very next command of another', async () => {
      const a = await login(env.srv.imapPort, env.user);
      const b = await login(env.srv.imapPort, env.user);
      await select(a);
      await select(b);
      // B's APPEND is acknowledged; A's next command, whatever it is, reports it, and FETCH 1 is then valid.
      assert.match(await append(b, 'b1', 'INBOX', ONE), /^b1 OK \[APPENDUID \d+ 1\]/);
      await exchange(a, 'a1', 'NOOP', ['* 1 EXISTS', '* 0 RECENT', 'a1 OK NOOP completed']);
      await exchange(a, 'a2', 'FETCH 1 (UID)', ['* 1 FETCH (UID 1)', 'a2 OK FETCH completed']);
      // COPY into the selected mailbox, and a flag change, each at once too.
      await exchange(b, 'b2', 'COPY 1 INBOX', ['* 2 EXISTS', '* 2 RECENT', `b2 OK [COPYUID ${await uidValidity(b)} 1 2] COPY completed`]);
      await exchange(a, 'a3', 'CHECK', ['* 2 EXISTS', '* 0 RECENT', 'a3 OK CHECK completed']);
      await exchange(b, 'b3', 'STORE 2 +FLAGS.SILENT (\\Seen)', ['b3 OK STORE completed']);
      await exchange(a, 'a4', 'NOOP', ['* 2 FETCH (UID 2 FLAGS (\\Seen))', 'a4 OK NOOP completed']);
      a.close();
      b.close();
    });

    it('mail delivered by another process (letterbox deliver) shows at the next command', async () => {
      const a = await login(env.srv.imapPort, env.user);
      await select(a);
      const r = await runCli(['deliver', env.user, ...env.srv.cliArgs], ONE, { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' });
      assert.equal(r.code, 0, r.stderr);
      await exchange(a, 'a1', 'NOOP', ['* 1 EXISTS', '* 1 RECENT', 'a1 OK NOOP completed']);
      a.close();
    });

    it('a keyword new to the mailbox is announced with FLAGS and PERMANENTFLAGS before any FETCH shows it', async () => {
      const a = await login(env.srv.imapPort, env.user);
      const b = await login(env.srv.imapPort, env.user);
      await append(a, 'p', 'INBOX', ONE);
      await select(a);
      await select(b);
      const announced = (kw: string): string[] => [
        `* FLAGS (${SYSTEM} ${kw})`,
        `* OK [PERMANENTFLAGS (${SYSTEM} ${kw} \\*)] Flags permitted.`,
      ];
      // Another session's STORE.
      await exchange(b, 'b1', 'STORE 1 +FLAGS.SILENT ($Label1)', ['* FLAGS (' + SYSTEM + ' $Label1)', `* OK [PERMANENTFLAGS (${SYSTEM} $Label1 \\*)] Flags permitted.`, 'b1 OK STORE completed']);
      await exchange(a, 'a1', 'NOOP', [...announced('$Label1'), '* 1 FETCH (UID 1 FLAGS ($Label1 \\Recent))', 'a1 OK NOOP completed']);
      // Another session's APPEND with a keyword: FLAGS before EXISTS (B, selected too, took the new message as recent).
      await append(b, 'b2', 'INBOX', TWO, ' ($Label1 $Work)');
      await exchange(a, 'a2', 'NOOP', [...announced('$Label1 $Work'), '* 2 EXISTS', '* 1 RECENT', 'a2 OK NOOP completed']);
      // This session's own STORE: FLAGS before its FETCH; a keyword already announced is not announced again.
      await exchange(a, 'a3', 'STORE 1 +FLAGS ($Urgent)', [...announced('$Label1 $Work $Urgent'), '* 1 FETCH (FLAGS ($Label1 $Urgent \\Recent))', 'a3 OK STORE completed']);
      await exchange(a, 'a4', 'STORE 2 +FLAGS ($work)', ['* 2 FETCH (FLAGS ($Label1 $Work))', 'a4 OK STORE completed']);
      a.close();
      b.close();
    });

    it('\\Recent is in exactly one IMAP4rev1 session; EXAMINE and STATUS show what is unclaimed; IMAP4rev2 never sees it', async () => {
      const a = await login(env.srv.imapPort, env.user);
      const b = await login(env.srv.imapPort, env.user);
      const c = await login(env.srv.imapPort, env.user);
      await append(c, 'p1', 'INBOX', ONE);
      await append(c, 'p2', 'INBOX', TWO, ' (\\Seen)');
      await exchange(c, 'c1', 'STATUS INBOX (MESSAGES RECENT)', ['* STATUS INBOX (MESSAGES 2 RECENT 2)', 'c1 OK STATUS completed']);
      // EXAMINE shows both as recent and claims neither.
      assert.ok((await select(b, 'INBOX', 'EXAMINE')).includes('* 2 RECENT'));
      await exchange(b, 'b1', 'FETCH 1:2 FLAGS', ['* 1 FETCH (FLAGS (\\Recent))', '* 2 FETCH (FLAGS (\\Seen \\Recent))', 'b1 OK FETCH completed']);
      // SELECT claims them: they are A's, and no other session's.
      assert.ok((await select(a)).includes('* 2 RECENT'));
      await exchange(c, 'c2', 'STATUS INBOX (RECENT)', ['* STATUS INBOX (RECENT 0)', 'c2 OK STATUS completed']);
      assert.ok((await select(b)).includes('* 0 RECENT'));
      await exchange(a, 'a1', 'SEARCH RECENT', ['* SEARCH 1 2', 'a1 OK SEARCH completed']);
      await exchange(a, 'a2', 'SEARCH NEW', ['* SEARCH 1', 'a2 OK SEARCH completed']);
      await exchange(a, 'a3', 'SEARCH OLD', ['* SEARCH', 'a3 OK SEARCH completed']);
      await exchange(b, 'b2', 'SEARCH OLD', ['* SEARCH 1 2', 'b2 OK SEARCH completed']);
      await exchange(b, 'b3', 'FETCH 1 FLAGS', ['* 1 FETCH (FLAGS ())', 'b3 OK FETCH completed']);
      // \Recent is the session's: STORE FLAGS replaces the stored flags and keeps it.
      await exchange(a, 'a4', 'STORE 1 FLAGS (\\Flagged)', ['* 1 FETCH (FLAGS (\\Flagged \\Recent))', 'a4 OK STORE completed']);
      // A new message goes to the first selected session that learns of it.
      await append(c, 'p3', 'INBOX', ONE);
      await exchange(b, 'b4', 'NOOP', ['* 3 EXISTS', '* 1 RECENT', '* 1 FETCH (UID 1 FLAGS (\\Flagged))', 'b4 OK NOOP completed']);
      await exchange(a, 'a5', 'NOOP', ['* 3 EXISTS', '* 2 RECENT', 'a5 OK NOOP completed']);
      await exchange(b, 'b5', 'FETCH 3 FLAGS', ['* 3 FETCH (FLAGS (\\Recent))', 'b5 OK FETCH completed']);
      await exchange(a, 'a6', 'FETCH 3 FLAGS', ['* 3 FETCH (FLAGS ())', 'a6 OK FETCH completed']);
      // IMAP4rev2 (RFC 9051 appendix E): no RECENT, no \Recent, no RECENT/NEW/OLD, and it claims nothing.
      const r = await login(env.srv.imapPort, env.user);
      await exchange(r, 'e', 'ENABLE IMAP4rev2', ['* ENABLED IMAP4rev2', 'e OK ENABLE completed']);
      await append(c, 'p4', 'INBOX', TWO);
      const lines = await select(r);
      assert.ok(!lines.some((l) => / RECENT$/.test(l)), lines.join('\n'));
      await exchange(r, 'r1', 'FETCH 4 FLAGS', ['* 4 FETCH (FLAGS ())', 'r1 OK FETCH completed']);
      await exchange(r, 'r2', 'STATUS INBOX (RECENT)', ['r2 BAD Unknown STATUS item RECENT']);
      await exchange(c, 'c3', 'STATUS INBOX (RECENT)', ['* STATUS INBOX (RECENT 1)', 'c3 OK STATUS completed']);
      for (const s of [a, b, c, r]) s.close();
    });

    it('STORE answers with the flags and MODSEQ a message has now, once, when another session changed it first', async () => {
      const a = await login(env.srv.imapPort, env.user);
      const b = await login(env.srv.imapPort, env.user);
      await append(a, 'p', 'INBOX', ONE);
      await append(a, 'p', 'INBOX', TWO);
      await exchange(a, 'e', 'ENABLE CONDSTORE', ['* ENABLED CONDSTORE', 'e OK ENABLE completed']);
      await select(a);
      await select(b);
      await exchange(b, 'b1', 'STORE 1:2 +FLAGS.SILENT (\\Seen)', ['b1 OK STORE completed']);
      const seen = await modseqs(env);
      // A has not heard of it yet: its STORE on 1 answers \Seen \Flagged with the new MODSEQ, once, and the
      // change to 2 comes as an unsolicited FETCH afterwards.
      const lines = await a.command('a1', 'STORE 1 +FLAGS (\\Flagged)');
      const after = await modseqs(env);
      assert.deepEqual(lines, [
        `* 1 FETCH (FLAGS (\\Seen \\Flagged \\Recent) MODSEQ (${after[0]}))`,
        `* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent) MODSEQ (${seen[1]}))`,
        'a1 OK STORE completed',
      ]);
      // A STORE that changes nothing reports the flags the message has now, not the ones A knew.
      await exchange(b, 'b2', 'STORE 2 +FLAGS.SILENT (\\Answered)', ['* 1 FETCH (UID 1 FLAGS (\\Seen \\Flagged))', 'b2 OK STORE completed']);
      const now = await modseqs(env);
      await exchange(a, 'a2', 'STORE 2 +FLAGS (\\Seen)', [`* 2 FETCH (FLAGS (\\Seen \\Answered \\Recent) MODSEQ (${now[1]}))`, 'a2 OK STORE completed']);
      await exchange(a, 'a3', 'NOOP', ['a3 OK NOOP completed']);
      a.close();
      b.close();
    });

    it('APPEND and STORE refuse a system flag they do not know, with BAD, and store nothing', async () => {
      const a = await login(env.srv.imapPort, env.user);
      assert.equal(await append(a, 'a1', 'INBOX', ONE, ' (\\Foo)'), 'a1 BAD Invalid system flag \\Foo');
      assert.equal(await append(a, 'a2', 'INBOX', ONE, ' (\\Recent)'), 'a2 BAD Invalid system flag \\Recent');
      await exchange(a, 'a3', 'STATUS INBOX (MESSAGES)', ['* STATUS INBOX (MESSAGES 0)', 'a3 OK STATUS completed']);
      assert.match(await append(a, 'a4', 'INBOX', ONE, ' (\\seen $Foo)'), /^a4 OK /);
      await select(a);
      await exchange(a, 'a5', 'STORE 1 +FLAGS (\\Foo)', ['a5 BAD Invalid system flag \\Foo']);
      await exchange(a, 'a6', 'FETCH 1 FLAGS', ['* 1 FETCH (FLAGS (\\Seen $Foo \\Recent))', 'a6 OK FETCH completed']);
      a.close();
    });

    it('8-bit header bytes that are not UTF-8 come back in ENVELOPE and BODYSTRUCTURE as they were stored', async () => {
      const a = await login(env.srv.imapPort, env.user);
      const raw = Buffer.from(
        'Subject: caf\xe9\r\nFrom: J\xf6rg <j@x.test>\r\nContent-Type: text/plain; name="r\xe9sum\xe9.txt"\r\n\r\nx\r\n',
        'latin1',
      );
      await append(a, 'p', 'INBOX', raw);
      await select(a);
      a.encoding = 'latin1';
      await exchange(a, 'a1', 'FETCH 1 (ENVELOPE BODYSTRUCTURE)', [
        '* 1 FETCH (ENVELOPE (NIL {4}\r\ncaf\xe9 (({4}\r\nJ\xf6rg NIL "j" "x.test")) (({4}\r\nJ\xf6rg NIL "j" "x.test")) (({4}\r\nJ\xf6rg NIL "j" "x.test")) NIL NIL NIL NIL NIL) ' +
          'BODYSTRUCTURE ("text" "plain" ("name" {10}\r\nr\xe9sum\xe9.txt "charset" "us-ascii") NIL NIL "7bit" 3 1 NIL NIL NIL NIL))',
        'a1 OK FETCH completed',
      ]);
      // UTF8=ACCEPT may change what a session sees, but octets that are no UTF-8 still go in a literal, as stored.
      a.encoding = 'utf8';
      const u = await login(env.srv.imapPort, env.user);
      await exchange(u, 'e', 'ENABLE UTF8=ACCEPT', ['* ENABLED UTF8=ACCEPT', 'e OK ENABLE completed']);
      await select(u);
      u.encoding = 'latin1';
      const lines = await u.command('u1', 'FETCH 1 (ENVELOPE)');
      assert.ok(lines[0]!.startsWith('* 1 FETCH (ENVELOPE (NIL {4}\r\ncaf\xe9 (({4}\r\nJ\xf6rg NIL'), lines[0]);
      a.close();
      u.close();
    });

    it('QRESYNC: HIGHESTMODSEQ after VANISHED and on EXPUNGE, MOVE; UID in STORE replies; "*" in known UIDs is BAD', async () => {
      const a = await login(env.srv.imapPort, env.user);
      const b = await login(env.srv.imapPort, env.user);
      for (let i = 0; i < 4; i++) await append(a, 'p', 'INBOX', ONE, ' (\\Deleted)');
      await exchange(a, 'e', 'ENABLE QRESYNC', ['* ENABLED QRESYNC', 'e OK ENABLE completed']);
      await select(a);
      await select(b);
      await exchange(b, 'b1', 'UID EXPUNGE 1', ['* 1 EXPUNGE', 'b1 OK UID EXPUNGE completed']);
      let h = await highest(b);
      await exchange(a, 'a1', 'NOOP', ['* VANISHED 1', `* OK [HIGHESTMODSEQ ${h}] Highest`, 'a1 OK NOOP completed']);
      await exchange(a, 'a2', 'STORE 1 -FLAGS (\\Deleted)', [`* 1 FETCH (FLAGS (\\Recent) UID 2 MODSEQ (${h + 1}))`, 'a2 OK STORE completed']);
      await exchange(a, 'a3', 'UID EXPUNGE 3', [`* VANISHED 3`, `a3 OK [HIGHESTMODSEQ ${h + 2}] UID EXPUNGE completed`]);
      await exchange(a, 'a4', 'MOVE 1 Archive', [
        `* OK [COPYUID ${await uidValidity(a, 'Archive')} 2 1] Moved`,
        '* VANISHED 2',
        `a4 OK [HIGHESTMODSEQ ${h + 3}] MOVE completed`,
      ]);
      await exchange(a, 'a5', 'EXPUNGE', ['* VANISHED 4', `a5 OK [HIGHESTMODSEQ ${h + 4}] EXPUNGE completed`]);
      await exchange(a, 'a6', `SELECT INBOX (QRESYNC (${await uidValidity(a)} 1 1:*))`, ['a6 BAD "*" is not allowed in the known UIDs of QRESYNC']);
      a.close();
      b.close();
    });

    it('FETCH by sequence number of a message another session expunged: what the view holds, else NO [EXPUNGEISSUED]', async () => {
      const a = await login(env.srv.imapPort, env.user);
      const b = await login(env.srv.imapPort, env.user);
      await append(a, 'p', 'INBOX', ONE);
      await append(a, 'p', 'INBOX', TWO);
      await select(a);
      await select(b);
      await exchange(b, 'b1', 'STORE 1 +FLAGS.SILENT (\\Deleted)', ['b1 OK STORE completed']);
      await exchange(b, 'b2', 'EXPUNGE', ['* 1 EXPUNGE', 'b2 OK EXPUNGE completed']);
      // The expunge may not be announced during FETCH (RFC 9051 section 7.5.1), so sequence number 1 still
      // names the message: its flags are known, its text is gone (RFC 2180 section 4.1).
      await exchange(a, 'a1', 'FETCH 1 (UID FLAGS)', ['* 1 FETCH (UID 1 FLAGS (\\Recent))', 'a1 OK FETCH completed']);
      await exchange(a, 'a2', 'FETCH 1:2 (RFC822.SIZE)', [
        `* 2 FETCH (RFC822.SIZE ${TWO.length})`,
        'a2 NO [EXPUNGEISSUED] Some of the requested messages no longer exist.',
      ]);
      await exchange(a, 'a3', 'NOOP', ['* 1 EXPUNGE', 'a3 OK NOOP completed']);
      a.close();
      b.close();
    });

    it('imaptest findings: SEARCH FROM matches parsed addresses; a name that is not modified UTF-7 is NO, its LIST pattern OK', async () => {
      const a = await login(env.srv.imapPort, env.user);
      await append(a, 'p', 'INBOX', msg('From: <user-from (comment)@ (comment) domain.org>', 'Subject: c', '', 'x'));
      await append(a, 'p', 'INBOX', msg('From: "Real From" <user-from@domain.org>', 'Subject: d', '', 'x'));
      await append(a, 'p', 'INBOX', msg('From: other@domain.org', 'Subject: e', '', 'x'));
      await select(a);
      await exchange(a, 'a1', 'SEARCH FROM user-from@domain.org', ['* SEARCH 1 2', 'a1 OK SEARCH completed']);
      await exchange(a, 'a2', 'SEARCH FROM "Real From <user-from@"', ['* SEARCH 2', 'a2 OK SEARCH completed']);
      await exchange(a, 'a3', "SELECT !#$&'+,-.0123456789:;<=>?@^_`|[}", [
        'a3 NO [CANNOT] Mailbox name is not valid modified UTF-7: character outside modified BASE64',
      ]);
      await exchange(a, 'a4', "LIST \"\" !#$&'+,-.0123456789:;<=>?@^_`|[}%*", ['a4 OK LIST completed']);
      await exchange(a, 'a5', 'CREATE "caf&AOk"', ['a5 NO [CANNOT] Mailbox name is not valid modified UTF-7: unterminated "&" sequence']);
      a.close();
    });
  });
}

/** uidValidity reads a mailbox's UIDVALIDITY with STATUS on `c`. */
async function uidValidity(c: RawClient, box = 'INBOX'): Promise<number> {
  const lines = await c.command('uv', `STATUS ${box} (UIDVALIDITY)`);
  return Number(/UIDVALIDITY (\d+)/.exec(lines[0]!)![1]);
}

/** highest reads INBOX's HIGHESTMODSEQ with STATUS on `c`. */
async function highest(c: RawClient): Promise<number> {
  const lines = await c.command('hm', 'STATUS INBOX (HIGHESTMODSEQ)');
  return Number(/HIGHESTMODSEQ (\d+)/.exec(lines.find((l) => l.startsWith('* STATUS'))!)![1]);
}

/** modseqs reads the MODSEQ of every message of INBOX in a session of its own (EXAMINE: it claims no \\Recent). */
async function modseqs(env: SuiteEnv): Promise<number[]> {
  const c = await login(env.srv.imapPort, env.user);
  await select(c, 'INBOX', 'EXAMINE');
  const lines = await c.command('ms', 'UID FETCH 1:* (MODSEQ)');
  c.close();
  return lines.filter((l) => l.includes('MODSEQ (')).map((l) => Number(/MODSEQ \((\d+)\)/.exec(l)![1]));
}
