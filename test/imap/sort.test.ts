/**
 * Transcript tests for SORT / UID SORT (RFC 5256 section 3, SORT=DISPLAY of RFC 5957) and THREAD /
 * UID THREAD (RFC 5256 section 3) on the fixture mailbox of sort-fixtures.ts: 12 synthetic messages and
 * 25 real ones from the corpus. Every expected SORT and THREAD line below is what Dovecot 2.3.19 answered
 * for the same messages, internal dates and commands (run by hand with its imap binary in PREAUTH mode);
 * Dovecot accepts every charset iconv knows, where this server answers NO [BADCHARSET] beyond UTF-8 and
 * US-ASCII.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawClient } from '../support/line-client.js';
import { login, exchange, msg } from '../support/transcript.js';
import { BACKENDS, serverPerSuite } from '../support/server.js';
import { corpusFixtures, SYNTHETIC, type Fixture } from './sort-fixtures.js';

const ALL_FIXTURES = [...SYNTHETIC, ...corpusFixtures()];

async function appendAll(c: RawClient, mailbox: string, fixtures: readonly Fixture[], flags = ''): Promise<void> {
  for (const [i, f] of fixtures.entries()) {
    c.write(Buffer.concat([Buffer.from(`a${i} APPEND ${mailbox}${flags} ${f.date} {${f.body.length}+}\r\n`), f.body, Buffer.from('\r\n')]));
    assert.match((await c.readUntilTagged(`a${i}`)).at(-1)!, new RegExp(`^a${i} OK \\[APPENDUID`));
  }
}

/** Fills INBOX: UID 1 appended and expunged, then the fixtures as UIDs 2 to 38 (sequence numbers 1 to 37). */
async function fill(c: RawClient): Promise<void> {
  await appendAll(c, 'INBOX', [{ body: Buffer.from(msg('Subject: gone', '', 'x')), date: '"01-Jan-2026 00:00:00 +0000"' }], ' (\\Deleted)');
  await appendAll(c, 'INBOX', ALL_FIXTURES);
  await c.command('s', 'SELECT INBOX');
  await exchange(c, 'x', 'UID EXPUNGE 1', ['* 1 EXPUNGE', 'x OK UID EXPUNGE completed']);
}

/** Sequence numbers as UIDs (UID = sequence number + 1 after fill). */
const asUids = (line: string): string => line.replace(/\d+/g, (n) => String(Number(n) + 1));

const SORTS: Array<[string, string]> = [
  ['(ARRIVAL) UTF-8 ALL', '13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 2 3 1 4 5 6 7 8 9 10 11 12'],
  ['(DATE) UTF-8 ALL', '13 14 15 16 18 17 24 25 28 26 30 29 31 27 32 19 20 21 22 34 37 35 36 33 23 2 12 3 9 1 5 4 6 7 8 10 11'],
  ['(SUBJECT) UTF-8 ALL', '8 9 10 11 3 4 13 14 15 16 17 18 24 25 26 27 28 29 30 31 32 6 7 33 35 36 19 20 21 22 23 1 2 5 12 34 37'],
  ['(FROM) UTF-8 ALL', '11 2 5 12 23 25 27 31 3 7 9 10 4 33 34 35 16 6 24 29 32 28 15 8 20 21 36 37 17 14 26 30 13 18 19 22 1'],
  ['(TO) UTF-8 ALL', '4 6 9 10 26 1 5 11 12 7 24 28 29 32 25 30 13 14 15 16 27 31 19 20 21 22 23 33 34 35 36 37 17 18 2 8 3'],
  ['(CC) UTF-8 ALL', '2 3 4 5 6 7 8 10 11 12 13 14 15 16 19 20 21 22 23 24 28 29 30 32 33 34 35 36 37 9 1 25 26 27 31 17 18'],
  ['(DISPLAYFROM) UTF-8 ALL', '25 27 31 11 2 5 12 23 3 7 9 10 4 16 6 13 8 20 21 36 37 24 29 32 17 15 14 26 30 28 33 34 35 18 19 22 1'],
  ['(DISPLAYTO) UTF-8 ALL', '26 9 4 6 10 1 5 12 11 7 24 28 29 32 13 14 15 16 17 18 25 27 31 30 19 20 21 22 23 33 34 35 36 37 2 8 3'],
  ['(SIZE) UTF-8 ALL', '4 8 2 7 10 6 3 12 5 9 1 11 13 15 25 24 32 19 17 14 29 31 27 21 20 16 18 22 36 34 37 26 35 33 23 28 30'],
  ['(REVERSE DATE) UTF-8 ALL', '11 10 8 7 6 4 5 1 9 3 2 12 23 33 36 35 37 34 22 21 20 19 32 27 31 29 30 26 28 25 24 17 18 16 15 14 13'],
  ['(REVERSE SUBJECT DATE) UTF-8 ALL', '34 37 2 12 1 5 19 20 21 22 23 35 36 33 6 7 24 25 28 26 30 29 31 27 32 13 14 15 16 18 17 3 4 9 10 11 8'],
  ['(REVERSE ARRIVAL) UTF-8 ALL', '12 11 10 9 8 7 6 5 4 1 3 2 37 36 35 34 33 32 31 30 29 28 27 26 25 24 23 22 21 20 19 18 17 16 15 14 13'],
  ['(FROM REVERSE SIZE) US-ASCII ALL', '11 5 12 2 23 27 31 25 3 7 9 10 4 33 35 34 16 6 29 24 32 28 15 8 37 36 20 21 17 14 30 26 13 18 22 19 1'],
  ['(date reverse size) "utf-8" all', '13 14 15 16 18 17 24 25 28 26 30 29 31 27 32 19 20 21 22 34 37 35 36 33 23 12 2 3 9 1 5 4 6 7 8 10 11'],
  ['(SUBJECT) UTF-8 SUBJECT budget', '9 10 11'],
];

const THREADS: Array<[string, string]> = [
  [
    'ORDEREDSUBJECT UTF-8 ALL',
    '(13 (14)(15)(16)(18)(17))(24 (25)(28)(26)(30)(29)(31)(27)(32))(19 (20)(21)(22)(23))(34 37)(35 (36)(33))(2 (12)(1)(5))(3 4)(9 (10)(11))(6 7)(8)',
  ],
  [
    'REFERENCES UTF-8 ALL',
    '(13 (14 (15)(16))(18)(17))((24 25 26 27)(28 (30 31 32)(29)))(19 20 21 (22)(23))(34 37 35 36 33)((2 1 5)(12))((9 10)(11))(4 3)((6)(7))(8)',
  ],
  ['REFERENCES UTF-8 1:12', '((2 1 5)(12))((9 10)(11))(4 3)((6)(7))(8)'],
  ['ORDEREDSUBJECT UTF-8 1:12', '(2 (12)(1)(5))(3 4)(9 (10)(11))(6 7)(8)'],
  ['REFERENCES US-ASCII 13:*', '(13 (14 (15)(16))(18)(17))((24 25 26 27)(28 (30 31 32)(29)))(19 20 21 (22)(23))(34 37 35 36 33)'],
  [
    'REFERENCES UTF-8 NOT 3',
    '(13 (14 (15)(16))(18)(17))((24 25 26 27)(28 (30 31 32)(29)))(19 20 21 (22)(23))(34 37 35 36 33)((2 1 5)(12))((9 10)(11))(4)((6)(7))(8)',
  ],
];

for (const backend of BACKENDS) {
  describe(`SORT and THREAD [${backend}]`, () => {
    const env = serverPerSuite(backend, 'sort');

    it('SORT by every key, REVERSE, several criteria, with search criteria; UID SORT answers UIDs (as Dovecot)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      for (const [i, [args, ids]] of SORTS.entries()) {
        await exchange(c, `s${i}`, `SORT ${args}`, [`* SORT ${ids}`, `s${i} OK SORT completed`]);
        await exchange(c, `u${i}`, `UID SORT ${args}`, [`* SORT ${asUids(ids)}`, `u${i} OK UID SORT completed`]);
      }
      c.close();
    });

    it('THREAD=ORDEREDSUBJECT and THREAD=REFERENCES, with search criteria; UID THREAD answers UIDs (as Dovecot)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      for (const [i, [args, threads]] of THREADS.entries()) {
        await exchange(c, `t${i}`, `THREAD ${args}`, [`* THREAD ${threads}`, `t${i} OK THREAD completed`]);
        await exchange(c, `u${i}`, `UID THREAD ${args}`, [`* THREAD ${asUids(threads)}`, `u${i} OK UID THREAD completed`]);
      }
      c.close();
    });

    it('no match and an empty mailbox: "* SORT" and "* THREAD" without numbers', async () => {
      const c = await login(env.srv.imapPort, env.user);
      assert.equal((await c.command('s', 'SELECT INBOX')).at(-1), 's OK [READ-WRITE] SELECT completed');
      await exchange(c, 'a', 'SORT (DATE) UTF-8 ALL', ['* SORT', 'a OK SORT completed']);
      await exchange(c, 'b', 'UID THREAD REFERENCES UTF-8 ALL', ['* THREAD', 'b OK UID THREAD completed']);
      await exchange(c, 'c', 'THREAD ORDEREDSUBJECT UTF-8 ALL', ['* THREAD', 'c OK THREAD completed']);
      await appendAll(c, 'INBOX', SYNTHETIC.slice(0, 2));
      await c.command('n', 'NOOP');
      await exchange(c, 'd', 'SORT (SUBJECT) UTF-8 KEYWORD $None', ['* SORT', 'd OK SORT completed']);
      await exchange(c, 'e', 'THREAD REFERENCES UTF-8 KEYWORD $None', ['* THREAD', 'e OK THREAD completed']);
      c.close();
    });

    it('another charset is NO [BADCHARSET]; malformed arguments are BAD; not valid before SELECT', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'n', 'SORT (DATE) UTF-8 ALL', ['n BAD SORT is not valid in the authenticated state']);
      await fill(c);
      const badcharset = 'NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset';
      await exchange(c, 'c1', 'SORT (DATE) ISO-8859-1 ALL', [`c1 ${badcharset} ISO-8859-1`]);
      await exchange(c, 'c2', 'UID THREAD REFERENCES X-UNKNOWN ALL', [`c2 ${badcharset} X-UNKNOWN`]);
      // A charset sent as a literal is not echoed: it could hold a line break.
      c.write('c3 SORT (DATE) {6+}\r\nX\r\nY\r\n ALL\r\n');
      assert.deepEqual(await c.readUntilTagged('c3'), [`c3 ${badcharset}`]);
      c.write('c4 SORT (DATE) {5+}\r\nutf-8 SUBJECT budget\r\n');
      assert.deepEqual(await c.readUntilTagged('c4'), ['* SORT 9 10 11', 'c4 OK SORT completed']);
      const bad: Array<[string, string]> = [
        ['SORT () UTF-8 ALL', 'Empty sort criteria'],
        ['SORT (FOO) UTF-8 ALL', 'Unknown sort key FOO'],
        ['SORT (REVERSE) UTF-8 ALL', 'Expected a single SP between arguments'],
        ['SORT (DATE REVERSE) UTF-8 ALL', 'Expected a single SP between arguments'],
        ['SORT DATE UTF-8 ALL', 'Expected "("'],
        ['SORT (DATE) UTF-8', 'Missing arguments'],
        ['SORT (DATE) UTF-8 FOO', 'Unknown search key FOO'],
        ['THREAD FOO UTF-8 ALL', 'Unknown thread algorithm FOO'],
        ['THREAD REFS UTF-8 ALL', 'Unknown thread algorithm REFS'],
        ['THREAD REFERENCES UTF-8', 'Missing arguments'],
        ['THREAD REFERENCES UTF-8 (ALL', 'Missing arguments'],
      ];
      for (const [i, [command, reason]] of bad.entries()) {
        const lines = await c.command(`b${i}`, command);
        assert.equal(lines.length, 1, command);
        assert.ok(lines[0]!.startsWith(`b${i} BAD `), `${command}: ${lines[0]}`);
        assert.ok(lines[0]!.includes(reason), `${command}: ${lines[0]}`);
      }
      await exchange(c, 'ok', 'SORT (SIZE) UTF-8 1:3', ['* SORT 2 3 1', 'ok OK SORT completed']);
      c.close();
    });

    it('a message expunged by another session: SORT and THREAD leave it out and hold back EXPUNGE; the UID forms send it', async () => {
      const a = await login(env.srv.imapPort, env.user);
      await appendAll(a, 'INBOX', SYNTHETIC.slice(0, 3));
      await a.command('s', 'SELECT INBOX');
      const b = await login(env.srv.imapPort, env.user);
      await b.command('s', 'SELECT INBOX');
      await exchange(b, 'x', 'UID STORE 2 +FLAGS.SILENT (\\Deleted)', ['x OK UID STORE completed']);
      await exchange(b, 'y', 'EXPUNGE', ['* 2 EXPUNGE', 'y OK EXPUNGE completed']);
      await exchange(a, 'a', 'SORT (ARRIVAL) UTF-8 ALL', ['* SORT 3 1', 'a OK SORT completed']);
      await exchange(a, 'b', 'THREAD REFERENCES UTF-8 ALL', ['* THREAD (3)(1)', 'b OK THREAD completed']);
      await exchange(a, 'c', 'UID SORT (ARRIVAL) UTF-8 ALL', ['* SORT 3 1', '* 2 EXPUNGE', 'c OK UID SORT completed']);
      await exchange(a, 'd', 'SORT (ARRIVAL) UTF-8 ALL', ['* SORT 2 1', 'd OK SORT completed']);
      a.close();
      b.close();
    });

    it('sequence numbers after EXPUNGE; "$" from SEARCH RETURN (SAVE) as search criteria', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fill(c);
      // Expunge sequence number 2 ("Planning", the root of its thread): later messages move down by one, and
      // 11 (the later message with the same Message-ID, no longer a duplicate) becomes the thread's root.
      await exchange(c, 'f', 'STORE 2 +FLAGS.SILENT (\\Deleted)', ['f OK STORE completed']);
      await exchange(c, 'x', 'EXPUNGE', ['* 2 EXPUNGE', 'x OK EXPUNGE completed']);
      await exchange(c, 'a', 'SORT (DATE) UTF-8 1:11', ['* SORT 11 2 8 1 4 3 5 6 7 9 10', 'a OK SORT completed']);
      await exchange(c, 'b', 'UID SORT (DATE) UTF-8 1:11', ['* SORT 13 4 10 2 6 5 7 8 9 11 12', 'b OK UID SORT completed']);
      await exchange(c, 't', 'THREAD REFERENCES UTF-8 1:11', ['* THREAD (11 1 4)((8 9)(10))(3 2)((5)(6))(7)', 't OK THREAD completed']);
      await exchange(c, 'v', 'SEARCH RETURN (SAVE) SUBJECT budget', ['v OK SEARCH completed']);
      await exchange(c, 'r', 'SORT (REVERSE DATE) UTF-8 $', ['* SORT 10 9 8', 'r OK SORT completed']);
      await exchange(c, 'u', 'UID THREAD ORDEREDSUBJECT UTF-8 $ SINCE 1-Nov-2026', ['* THREAD (10 (11)(12))', 'u OK UID THREAD completed']);
      c.close();
    });
  });
}
