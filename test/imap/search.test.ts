/**
 * Transcript tests for SEARCH / UID SEARCH (RFC 9051 sections 6.4.4 and 6.4.9; ESEARCH and RETURN of
 * RFC 4731; SAVE and "$" of RFC 5182) and for STORE / UID STORE (RFC 9051 section 6.4.6), including what a
 * second session learns of flag changes. Text keys are matched after RFC 2047, quoted-printable, base64 and
 * charset decoding, case-insensitively also outside ASCII.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RawClient } from '../support/line-client.js';
import { appendNonSync, login, exchange, msg } from '../support/transcript.js';
import { BACKENDS, serverPerSuite } from '../support/server.js';

const size = (s: string): number => Buffer.byteLength(s);

/** UID 1: appended \Deleted and expunged before each test, so UIDs (2 to 5) differ from sequence numbers (1 to 4). */
const GONE = msg('From: nobody@example.com', 'Subject: gone', '', 'expunged');

/** 1: encoded-word From and Subject (Grüße aus Köln), an ISO-8859-1 quoted-printable body; sent late on 2 Nov in -0800. */
const M1 = msg(
  'From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.de>',
  'To: Alice <alice@example.com>',
  'Cc: Carol <carol@example.net>',
  'Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=',
  'Date: Mon, 2 Nov 2026 23:30:00 -0800',
  'Message-ID: <m1@example.de>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=iso-8859-1',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Sch=F6ne Gr=FC=DFe vom Rhein: STRA=DFE und =C4RGER, mit weichem Zeilen=',
  'umbruch.',
);
/** 2: a base64 UTF-8 body in Cyrillic and Greek capitals; Bcc and a custom header. */
const M2 = msg(
  'From: Bob <bob@example.org>',
  'To: alice@example.com',
  'Cc: dave@example.net',
  'Bcc: eve@example.com',
  'Subject: Budget 2027',
  'Date: Tue, 10 Nov 2026 09:00:00 +0000',
  'X-Priority: 1 (Highest)',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('Привет, МИР! Ελληνικά: ΣΟΦΊΑ. The numbers are attached.\r\n').toString('base64'),
);
/** 3: multipart with an HTML part and a PDF attachment. */
const M3 = msg(
  'From: carol@example.net',
  'To: Bob <bob@example.org>',
  'Subject: Re: Budget 2027',
  'Date: Thu, 12 Nov 2026 18:00:00 +0100',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary=b',
  '',
  '--b',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Looks <b>fine</b> to me</p>',
  '--b',
  'Content-Type: application/pdf; name=plan.pdf',
  'Content-Transfer-Encoding: base64',
  '',
  'JVBERi0xLjQK',
  '--b--',
);
/** 4: the smallest, without a Date header. */
const M4 = msg('From: dave@example.net', 'Subject: ping', '', 'pong');

async function append(c: RawClient, tag: string, body: string, extra: string): Promise<void> {
  assert.match(await appendNonSync(c, tag, 'INBOX', body, extra), new RegExp(`^${tag} OK \\[APPENDUID`));
}

/** Fills INBOX: UID 1 expunged, then M1 to M4 as UIDs 2 to 5 (sequence numbers 1 to 4) with flags and internal dates. */
/** announced is the FLAGS and PERMANENTFLAGS pair that names keywords new to the mailbox (RFC 9051 section 7.3.5). */
function announced(keywords: string): string[] {
  const system = '\\Answered \\Flagged \\Deleted \\Seen \\Draft';
  return [`* FLAGS (${system} ${keywords})`, `* OK [PERMANENTFLAGS (${system} ${keywords} \\*)] Flags permitted.`];
}

async function fill(c: RawClient): Promise<void> {
  await append(c, 'a0', GONE, ' (\\Deleted)');
  await append(c, 'a1', M1, ' (\\Answered) "03-Nov-2026 10:00:00 +0000"');
  await append(c, 'a2', M2, ' (\\Seen \\Flagged $Work) "10-Nov-2026 10:00:00 +0000"');
  await append(c, 'a3', M3, ' (\\Seen \\Deleted \\Draft) "12-Nov-2026 10:00:00 +0000"');
  await append(c, 'a4', M4, ' "20-Nov-2026 10:00:00 +0000"');
  // SELECT once and leave: that takes the messages as \Recent (RFC 3501 section 2.3.2), so FLAGS below show
  // only the stored flags (multi-session.test.ts tests \Recent).
  await c.command('r', 'SELECT INBOX');
  await c.command('u', 'UNSELECT');
  await c.command('s', 'SELECT INBOX');
  await exchange(c, 'x', 'UID EXPUNGE 1', ['* 1 EXPUNGE', 'x OK UID EXPUNGE completed']);
}

/** Sends `command` and expects `* SEARCH` with `ids` and the tagged OK. */
async function search(c: RawClient, tag: string, command: string, ids: number[]): Promise<void> {
  const uid = command.startsWith('UID ');
  await exchange(c, tag, command, [`* SEARCH${ids.map((n) => ` ${n}`).join('')}`, `${tag} OK ${uid ? 'UID ' : ''}SEARCH completed`]);
}

for (const backend of BACKENDS) {
  describe(`SEARCH and STORE [${backend}]`, () => {
    const env = serverPerSuite(backend, 's');

    it('flag keys, KEYWORD / UNKEYWORD, and ALL', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      const table: Array<[string, number[]]> = [
        ['ALL', [1, 2, 3, 4]],
        ['ANSWERED', [1]],
        ['UNANSWERED', [2, 3, 4]],
        ['DELETED', [3]],
        ['UNDELETED', [1, 2, 4]],
        ['DRAFT', [3]],
        ['UNDRAFT', [1, 2, 4]],
        ['FLAGGED', [2]],
        ['UNFLAGGED', [1, 3, 4]],
        ['SEEN', [2, 3]],
        ['UNSEEN', [1, 4]],
        ['KEYWORD $Work', [2]],
        ['UNKEYWORD $Work', [1, 3, 4]],
        ['KEYWORD $Other', []],
      ];
      for (const [i, [key, ids]] of table.entries()) await search(c, `k${i}`, `SEARCH ${key}`, ids);
      c.close();
    });

    it('sequence sets, UID, NOT, OR and parentheses; UID SEARCH answers UIDs', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      const table: Array<[string, number[]]> = [
        ['SEARCH 2:3', [2, 3]],
        ['SEARCH 4,1', [1, 4]],
        ['SEARCH *', [4]],
        ['SEARCH 3:*', [3, 4]],
        ['SEARCH UID 2:3', [1, 2]],
        ['SEARCH UID 5:*', [4]],
        ['UID SEARCH 1:2', [2, 3]],
        ['UID SEARCH UID 3,5', [3, 5]],
        ['UID SEARCH UID 100:*', [5]],
        ['SEARCH NOT SEEN', [1, 4]],
        ['SEARCH NOT NOT SEEN', [2, 3]],
        ['SEARCH OR ANSWERED FLAGGED', [1, 2]],
        ['SEARCH OR (SEEN DELETED) 1', [1, 3]],
        ['SEARCH NOT (SEEN DELETED)', [1, 2, 4]],
        ['SEARCH (OR DRAFT ANSWERED) UNDELETED', [1]],
        ['SEARCH ((SEEN) (UNDELETED FLAGGED))', [2]],
        ['SEARCH SEEN 3:4', [3]],
        ['UID SEARCH OR UID 2 KEYWORD $Work', [2, 3]],
      ];
      for (const [i, [command, ids]] of table.entries()) await search(c, `q${i}`, command, ids);
      c.close();
    });

    it('dates and sizes: BEFORE, ON, SINCE on the internal date; SENT* on the Date header in its own zone; LARGER, SMALLER', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      const smallest = size(M4);
      const table: Array<[string, number[]]> = [
        ['BEFORE 10-Nov-2026', [1]],
        ['BEFORE 3-Nov-2026', []],
        ['ON 10-Nov-2026', [2]],
        ['SINCE 10-Nov-2026', [2, 3, 4]],
        ['SINCE 21-Nov-2026', []],
        // 23:30 -0800 on 2 Nov is 3 Nov in UTC, but was sent on 2 Nov ("disregarding time and timezone").
        ['SENTON 2-Nov-2026', [1]],
        ['SENTON 3-Nov-2026', []],
        ['SENTBEFORE 3-Nov-2026', [1]],
        ['SENTBEFORE 10-Nov-2026', [1]],
        ['SENTSINCE 10-Nov-2026', [2, 3]],
        ['SENTON 12-Nov-2026', [3]],
        // A message without a Date header matches no SENT* key, and so every NOT of one.
        ['NOT SENTSINCE 1-Jan-1970', [4]],
        [`LARGER ${smallest}`, [1, 2, 3]],
        [`LARGER ${smallest - 1}`, [1, 2, 3, 4]],
        [`SMALLER ${smallest}`, []],
        [`SMALLER ${smallest + 1}`, [4]],
        [`LARGER ${size(M3) - 1} SMALLER ${size(M3) + 1}`, [3]],
      ];
      for (const [i, [key, ids]] of table.entries()) await search(c, `d${i}`, `SEARCH ${key}`, ids);
      c.close();
    });

    it('header keys match decoded encoded-words, case-insensitively also outside ASCII; HEADER "" tests presence', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      const table: Array<[string, number[]]> = [
        ['FROM müller', [1]],
        ['FROM "JÖRG"', [1]],
        ['FROM bob@example.org', [2]],
        ['TO alice', [1, 2]],
        ['TO "Bob <bob@"', [3]],
        ['CC carol', [1]],
        ['CC DAVE', [2]],
        ['BCC eve@example.com', [2]],
        ['BCC alice', []],
        ['SUBJECT "grüße aus"', [1]],
        ['SUBJECT KÖLN', [1]],
        ['SUBJECT "budget 2027"', [2, 3]],
        ['SUBJECT re:', [3]],
        ['HEADER X-Priority "1 (high"', [2]],
        ['HEADER x-priority ""', [2]],
        ['HEADER Message-ID <m1@example.de>', [1]],
        ['HEADER Content-Type multipart/mixed', [3]],
        ['HEADER X-Missing ""', []],
      ];
      for (const [i, [key, ids]] of table.entries()) await search(c, `h${i}`, `SEARCH ${key}`, ids);
      c.close();
    });

    it('BODY and TEXT match decoded quoted-printable (ISO-8859-1) and base64 (UTF-8) bodies; TEXT also MIME header fields', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      const table: Array<[string, number[]]> = [
        ['BODY "Schöne Grüße"', [1]],
        ['BODY straße', [1]],
        ['BODY ÄRGER', [1]],
        ['BODY ärger', [1]],
        ['BODY Zeilenumbruch', [1]],
        ['BODY "привет, мир"', [2]],
        ['BODY σοφία', [2]],
        ['BODY NUMBERS', [2]],
        ['BODY "looks <b>fine"', [3]],
        ['BODY budget', []],
        ['TEXT budget', [2, 3]],
        ['TEXT pong', [4]],
        ['TEXT "grüße aus köln"', [1]],
        ['TEXT joerg@example.de', [1]],
        // TEXT covers "the header (including MIME header fields)": those of the body parts too; BODY and HEADER do not.
        ['TEXT plan.pdf', [3]],
        ['TEXT "application/PDF"', [3]],
        ['BODY plan.pdf', []],
        ['HEADER Content-Type application/pdf', []],
        ['TEXT "text/plain; charset=iso-8859-1"', [1]],
        ['NOT BODY pong', [1, 2, 3]],
      ];
      for (const [i, [key, ids]] of table.entries()) await search(c, `b${i}`, `SEARCH ${key}`, ids);
      c.close();
    });

    it('CHARSET UTF-8 and US-ASCII; another charset is NO [BADCHARSET]; search strings as literals', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      await search(c, 'c1', 'SEARCH CHARSET UTF-8 SUBJECT "Köln"', [1]);
      await search(c, 'c2', 'SEARCH CHARSET utf-8 BODY мир', [2]);
      await search(c, 'c3', 'SEARCH CHARSET US-ASCII FROM bob', [2]);
      await search(c, 'c4', 'UID SEARCH CHARSET "US-ASCII" TEXT pong', [5]);
      await exchange(c, 'c5', 'SEARCH CHARSET ISO-8859-1 FROM bob', ['c5 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset ISO-8859-1']);
      await exchange(c, 'c6', 'SEARCH CHARSET KOI8-R ALL', ['c6 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset KOI8-R']);
      // A synchronizing literal waits for the continuation; a non-synchronizing one (LITERAL+) does not.
      const köln = 'KÖLN';
      c.send(`l1 SEARCH CHARSET UTF-8 SUBJECT {${size(köln)}}`);
      assert.equal(await c.readLine(), '+ Ready for literal data');
      c.send(`${köln} UNSEEN`);
      assert.deepEqual(await c.readUntilTagged('l1'), ['* SEARCH 1', 'l1 OK SEARCH completed']);
      const greek = 'ΣΟΦΊΑ';
      c.send(`l2 UID SEARCH OR BODY {${size(greek)}+}`);
      c.write(`${greek} HEADER {${size('X-Priority')}+}\r\nX-Priority {0+}\r\n\r\n`);
      assert.deepEqual(await c.readUntilTagged('l2'), ['* SEARCH 3', 'l2 OK UID SEARCH completed']);
      c.close();
    });

    it('BAD for malformed criteria', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      const bad: Array<[string, string]> = [
        ['SEARCH', 'Missing arguments'],
        ['SEARCH BOGUS', 'Unknown search key BOGUS'],
        ['SEARCH FROM', 'Missing arguments'],
        ['SEARCH BEFORE 31-Foo-2026', 'Invalid date: 31-Foo-2026'],
        ['SEARCH OR SEEN', 'Missing arguments'],
        ['SEARCH (SEEN', 'Missing arguments'],
        ['SEARCH SEEN)', 'Expected a single SP between arguments'],
        ['SEARCH LARGER x', 'Expected number'],
        ['SEARCH RETURN (BOGUS) ALL', 'Unknown RETURN option BOGUS'],
      ];
      for (const [i, [command, text]] of bad.entries()) await exchange(c, `e${i}`, command, [`e${i} BAD ${text}`]);
      c.close();
    });

    it('RETURN (MIN MAX COUNT ALL) answers ESEARCH, with only COUNT for no match', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      await exchange(c, 'r1', 'SEARCH RETURN (MIN MAX COUNT ALL) UNDELETED', ['* ESEARCH (TAG "r1") MIN 1 MAX 4 ALL 1:2,4 COUNT 3', 'r1 OK SEARCH completed']);
      await exchange(c, 'r2', 'UID SEARCH RETURN (MIN MAX COUNT ALL) UNDELETED', [
        '* ESEARCH (TAG "r2") UID MIN 2 MAX 5 ALL 2:3,5 COUNT 3',
        'r2 OK UID SEARCH completed',
      ]);
      await exchange(c, 'r3', 'SEARCH RETURN (COUNT) SEEN', ['* ESEARCH (TAG "r3") COUNT 2', 'r3 OK SEARCH completed']);
      await exchange(c, 'r4', 'SEARCH RETURN () SEEN', ['* ESEARCH (TAG "r4") ALL 2:3', 'r4 OK SEARCH completed']);
      await exchange(c, 'r5', 'SEARCH RETURN (MIN MAX ALL COUNT) KEYWORD $None', ['* ESEARCH (TAG "r5") COUNT 0', 'r5 OK SEARCH completed']);
      await exchange(c, 'r6', 'UID SEARCH RETURN (MIN) KEYWORD $None', ['* ESEARCH (TAG "r6") UID', 'r6 OK UID SEARCH completed']);
      c.close();
    });

    it('RETURN (SAVE) keeps the result as "$" for later FETCH and SEARCH; a failed SEARCH empties it', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      // SAVE alone suppresses the ESEARCH response (RFC 9051 section 6.4.4).
      await exchange(c, 'v1', 'SEARCH RETURN (SAVE) SEEN', ['v1 OK SEARCH completed']);
      await exchange(c, 'v2', 'FETCH $ (UID FLAGS)', ['* 2 FETCH (UID 3 FLAGS (\\Seen \\Flagged $Work))', '* 3 FETCH (UID 4 FLAGS (\\Seen \\Deleted \\Draft))', 'v2 OK FETCH completed']);
      await exchange(c, 'v3', 'UID FETCH $ UID', ['* 2 FETCH (UID 3)', '* 3 FETCH (UID 4)', 'v3 OK UID FETCH completed']);
      await search(c, 'v4', 'SEARCH $ UNDELETED', [2]);
      await search(c, 'v5', 'UID SEARCH UID $', [3, 4]);
      // With MIN and MAX alone only those are saved (RFC 5182 section 2.4); SAVE with other options answers them.
      await exchange(c, 'v6', 'UID SEARCH RETURN (SAVE MIN MAX) ALL', ['* ESEARCH (TAG "v6") UID MIN 2 MAX 5', 'v6 OK UID SEARCH completed']);
      await exchange(c, 'v7', 'FETCH $ UID', ['* 1 FETCH (UID 2)', '* 4 FETCH (UID 5)', 'v7 OK FETCH completed']);
      await exchange(c, 'v8', 'SEARCH RETURN (SAVE COUNT ALL) OR 1 2', ['* ESEARCH (TAG "v8") ALL 1:2 COUNT 2', 'v8 OK SEARCH completed']);
      await exchange(c, 'v9', 'UID STORE $ +FLAGS.SILENT ($Saved)', [...announced('$Work $Saved'), 'v9 OK UID STORE completed']);
      await exchange(c, 'va', 'SEARCH RETURN (MIN MAX COUNT ALL SAVE) UNDELETED', ['* ESEARCH (TAG "va") MIN 1 MAX 4 ALL 1:2,4 COUNT 3', 'va OK SEARCH completed']);
      await exchange(c, 'vb', 'FETCH $ (UID)', ['* 1 FETCH (UID 2)', '* 2 FETCH (UID 3)', '* 4 FETCH (UID 5)', 'vb OK FETCH completed']);
      await exchange(c, 'vc', 'SEARCH RETURN (SAVE) OR 1 2', ['vc OK SEARCH completed']);
      await search(c, 'v10', 'SEARCH KEYWORD $Saved', [1, 2]);
      await exchange(c, 'v11', 'SEARCH RETURN (SAVE) CHARSET KOI8-R ALL', ['v11 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset KOI8-R']);
      await exchange(c, 'v12', 'FETCH $ UID', ['v12 OK FETCH completed']);
      // A SEARCH without SAVE leaves "$" alone.
      await exchange(c, 'v13', 'SEARCH RETURN (SAVE) ANSWERED', ['v13 OK SEARCH completed']);
      await search(c, 'v14', 'SEARCH ALL', [1, 2, 3, 4]);
      await exchange(c, 'v15', 'FETCH $ UID', ['* 1 FETCH (UID 2)', 'v15 OK FETCH completed']);
      // A BAD SEARCH leaves "$" alone too (RFC 5182 section 2.1); a successful SELECT empties it.
      await exchange(c, 'v16', 'SEARCH RETURN (SAVE) BOGUS', ['v16 BAD Unknown search key BOGUS']);
      await exchange(c, 'v17', 'FETCH $ UID', ['* 1 FETCH (UID 2)', 'v17 OK FETCH completed']);
      assert.match((await c.command('v18', 'SELECT INBOX')).at(-1)!, /^v18 OK /);
      await exchange(c, 'v19', 'FETCH $ UID', ['v19 OK FETCH completed']);
      c.close();
    });

    it('after ENABLE IMAP4rev2, SEARCH answers ESEARCH (TAG ...) ALL', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      await exchange(c, 'u', 'UNSELECT', ['u OK UNSELECT completed']);
      await exchange(c, 'e', 'ENABLE IMAP4rev2', ['* ENABLED IMAP4rev2', 'e OK ENABLE completed']);
      assert.match((await c.command('s', 'SELECT INBOX')).at(-1)!, /^s OK /);
      await exchange(c, 'x1', 'SEARCH SEEN', ['* ESEARCH (TAG "x1") ALL 2:3', 'x1 OK SEARCH completed']);
      await exchange(c, 'x2', 'UID SEARCH UNDELETED', ['* ESEARCH (TAG "x2") UID ALL 2:3,5', 'x2 OK UID SEARCH completed']);
      await exchange(c, 'x3', 'SEARCH KEYWORD $None', ['* ESEARCH (TAG "x3")', 'x3 OK SEARCH completed']);
      await exchange(c, 'x4', 'UID SEARCH RETURN (COUNT MAX) ALL', ['* ESEARCH (TAG "x4") UID MAX 5 COUNT 4', 'x4 OK UID SEARCH completed']);
      await exchange(c, 'x5', 'SEARCH BODY "привет"', ['* ESEARCH (TAG "x5") ALL 2', 'x5 OK SEARCH completed']);
      c.close();
    });

    it('STORE and UID STORE: FLAGS, +FLAGS, -FLAGS, .SILENT, keywords', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      await exchange(c, 't1', 'STORE 1 FLAGS (\\Seen $Label1)', [...announced('$Work $Label1'), '* 1 FETCH (FLAGS (\\Seen $Label1))', 't1 OK STORE completed']);
      await exchange(c, 't2', 'STORE 1:2 +FLAGS (\\Flagged \\Answered)', [
        '* 1 FETCH (FLAGS (\\Seen \\Answered \\Flagged $Label1))',
        '* 2 FETCH (FLAGS (\\Seen \\Answered \\Flagged $Work))',
        't2 OK STORE completed',
      ]);
      await exchange(c, 't3', 'STORE 2 -FLAGS (\\Flagged $Work)', ['* 2 FETCH (FLAGS (\\Seen \\Answered))', 't3 OK STORE completed']);
      await exchange(c, 't4', 'STORE 4 +FLAGS.SILENT (\\Deleted)', ['t4 OK STORE completed']);
      await exchange(c, 't5', 'UID STORE 4:5 +FLAGS ($Custom)', [
        ...announced('$Work $Label1 $Custom'),
        '* 3 FETCH (FLAGS (\\Seen \\Deleted \\Draft $Custom) UID 4)',
        '* 4 FETCH (FLAGS (\\Deleted $Custom) UID 5)',
        't5 OK UID STORE completed',
      ]);
      await exchange(c, 't6', 'UID STORE 5 -FLAGS.SILENT \\Deleted $custom', ['t6 OK UID STORE completed']);
      await exchange(c, 't7', 'UID STORE 4 FLAGS.SILENT ()', ['t7 OK UID STORE completed']);
      // -FLAGS of a flag that is not set changes nothing but still reports the flags.
      await exchange(c, 't8', 'STORE 3 -FLAGS (\\Seen)', ['* 3 FETCH (FLAGS ())', 't8 OK STORE completed']);
      await exchange(c, 't9', 'FETCH 1:* FLAGS', [
        '* 1 FETCH (FLAGS (\\Seen \\Answered \\Flagged $Label1))',
        '* 2 FETCH (FLAGS (\\Seen \\Answered))',
        '* 3 FETCH (FLAGS ())',
        '* 4 FETCH (FLAGS ())',
        't9 OK FETCH completed',
      ]);
      await search(c, 't10', 'SEARCH KEYWORD $Label1', [1]);
      c.close();
    });

    it('STORE: BAD for malformed arguments and out-of-range numbers, NO on a mailbox opened with EXAMINE', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      const bad: Array<[string, string]> = [
        ['STORE 1 +FLAGS (\\Recent)', 'Invalid system flag \\Recent'],
        ['STORE 1 +FLAGS (\\Bogus)', 'Invalid system flag \\Bogus'],
        ['STORE 1 FLAGZ (\\Seen)', 'Invalid STORE data item FLAGZ'],
        ['STORE 1 +FLAGS.LOUD (\\Seen)', 'Invalid STORE data item +FLAGS.LOUD'],
        ['STORE 1 +FLAGS', 'Missing arguments'],
        ['STORE 1 +FLAGS (\\Seen', 'Missing arguments'],
        ['STORE 5 +FLAGS (\\Seen)', 'Invalid message sequence number: 5 (the mailbox has 4)'],
        ['STORE 0 +FLAGS (\\Seen)', 'Invalid sequence set: 0'],
      ];
      for (const [i, [command, text]] of bad.entries()) await exchange(c, `e${i}`, command, [`e${i} BAD ${text}`]);
      await exchange(c, 'u1', 'UID STORE 100:200 +FLAGS (\\Seen)', ['u1 OK UID STORE completed']);
      assert.match((await c.command('x', 'EXAMINE INBOX')).at(-1)!, /^x OK \[READ-ONLY\]/);
      await exchange(c, 'n1', 'STORE 1 +FLAGS (\\Seen)', ['n1 NO Mailbox is read-only.']);
      await exchange(c, 'n2', 'UID STORE 2 FLAGS.SILENT ()', ['n2 NO Mailbox is read-only.']);
      await exchange(c, 'n3', 'FETCH 1:2 FLAGS', ['* 1 FETCH (FLAGS (\\Answered))', '* 2 FETCH (FLAGS (\\Seen \\Flagged $Work))', 'n3 OK FETCH completed']);
      c.close();
    });

    it('a second session sees STORE changes (also .SILENT ones) as untagged FETCH with UID after NOOP, and .SILENT reports theirs', async () => {
      const a = await login(env.srv.imapPort, env.user);
      await fill(a);
      const b = await login(env.srv.imapPort, env.user);
      await b.command('s', 'SELECT INBOX');
      await exchange(a, 't1', 'STORE 1 +FLAGS (\\Seen \\Flagged)', ['* 1 FETCH (FLAGS (\\Seen \\Answered \\Flagged))', 't1 OK STORE completed']);
      await exchange(a, 't2', 'UID STORE 5 +FLAGS.SILENT ($Later)', [...announced('$Work $Later'), 't2 OK UID STORE completed']);
      await exchange(a, 'n1', 'NOOP', ['n1 OK NOOP completed']);
      await exchange(b, 'n1', 'NOOP', [
        ...announced('$Work $Later'),
        '* 1 FETCH (UID 2 FLAGS (\\Seen \\Answered \\Flagged))',
        '* 4 FETCH (UID 5 FLAGS ($Later))',
        'n1 OK NOOP completed',
      ]);
      await exchange(b, 'n2', 'NOOP', ['n2 OK NOOP completed']);
      // An implicit \Seen from FETCH reaches the other session the same way.
      await exchange(a, 'f1', 'FETCH 4 BODY[TEXT]', [`* 4 FETCH (BODY[TEXT] {${size('pong\r\n')}}\r\npong\r\n FLAGS (\\Seen $Later))`, 'f1 OK FETCH completed']);
      await exchange(b, 'n3', 'NOOP', ['* 4 FETCH (UID 5 FLAGS (\\Seen $Later))', 'n3 OK NOOP completed']);
      await search(b, 's1', 'SEARCH SEEN', [1, 2, 3, 4]);
      // .SILENT silences only the echo of the command's own change: a change another session made to the
      // same message since is reported, as an unsolicited FETCH with UID (RFC 9051 section 6.4.6 note).
      await exchange(b, 't3', 'STORE 2 +FLAGS.SILENT (\\Draft)', ['t3 OK STORE completed']);
      await exchange(a, 't4', 'STORE 2 +FLAGS.SILENT (\\Answered)', [
        '* 2 FETCH (UID 3 FLAGS (\\Seen \\Answered \\Flagged \\Draft $Work))',
        't4 OK STORE completed',
      ]);
      await exchange(a, 'n4', 'NOOP', ['n4 OK NOOP completed']);
      await exchange(b, 'n4', 'NOOP', ['* 2 FETCH (UID 3 FLAGS (\\Seen \\Answered \\Flagged \\Draft $Work))', 'n4 OK NOOP completed']);
      a.close();
      b.close();
    });
  });
}
