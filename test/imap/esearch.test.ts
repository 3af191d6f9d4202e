/**
 * ESEARCH (RFC 4731), SEARCHRES (RFC 5182) and WITHIN (RFC 5032) over real sockets: the RFCs' examples
 * on a mailbox built to give their answers, the IMAP4rev2 reply form (RFC 9051 section 6.4.4), and
 * imapflow, which sends RETURN options when ESEARCH is advertised and turns since/before searches into
 * YOUNGER/OLDER when WITHIN is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imapflowClient } from '../support/imapflow.js';
import { formatDateTime } from '../../src/protocol/encoder.js';
import type { RawClient } from '../support/line-client.js';
import { appendNonSync, login, exchange, msg } from '../support/transcript.js';
import { BACKENDS, serverPerSuite } from '../support/server.js';

/**
 * Fills INBOX with 11 messages after the RFC 4731 section 3.1 example: FLAGGED SINCE 1-Feb-1994 NOT FROM
 * "Smith" matches 2, 10 and 11 (5 is flagged but from Smith, 1 is flagged but from 1993).
 */
async function fillRfc4731(c: RawClient): Promise<void> {
  for (let i = 1; i <= 11; i++) {
    const from = i === 5 ? 'John Smith <smith@example.com>' : `User ${i} <u${i}@example.com>`;
    const flags = [1, 2, 5, 10, 11].includes(i) ? ' (\\Flagged)' : '';
    const date = i === 1 ? '"15-Mar-1993 10:00:00 +0000"' : `"${String(i).padStart(2, '0')}-Mar-1994 10:00:00 +0000"`;
    const body = msg(`From: ${from}`, `Subject: message ${i}`, '', 'x'.repeat(i * 100));
    assert.match(await appendNonSync(c, `a${i}`, 'INBOX', body, `${flags} ${date}`), /OK \[APPENDUID/);
  }
  await c.command('s', 'SELECT INBOX');
}

const NOW = Date.now();

/** Three messages appended 10 days, 2 hours and 30 seconds before the test started. */
async function fillWithin(c: RawClient): Promise<void> {
  for (const [i, ago] of [864_000, 7_200, 30].entries()) {
    const body = msg(`Subject: ${ago} seconds old`, '', 'x');
    assert.match(await appendNonSync(c, `a${i}`, 'INBOX', body, ` ${formatDateTime(NOW - ago * 1000)}`), /OK \[APPENDUID/);
  }
  await c.command('s', 'SELECT INBOX');
}

for (const backend of BACKENDS) {
  describe(`ESEARCH, SEARCHRES and WITHIN [${backend}]`, () => {
    const env = serverPerSuite(backend, 'es');

    it('RFC 4731 section 3.1 examples: RETURN (MIN COUNT), RETURN (), no match, UID MIN MAX, COUNT alone', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fillRfc4731(c);
      const crit = 'FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"';
      await exchange(c, 'A282', `SEARCH RETURN (MIN COUNT) ${crit}`, ['* ESEARCH (TAG "A282") MIN 2 COUNT 3', 'A282 OK SEARCH completed']);
      await exchange(c, 'A283', `SEARCH RETURN () ${crit}`, ['* ESEARCH (TAG "A283") ALL 2,10:11', 'A283 OK SEARCH completed']);
      await exchange(c, 'A284', 'SEARCH RETURN (MIN) KEYWORD $None', ['* ESEARCH (TAG "A284")', 'A284 OK SEARCH completed']);
      await exchange(c, 'A285', 'UID SEARCH RETURN (MIN MAX) LARGER 300', ['* ESEARCH (TAG "A285") UID MIN 3 MAX 11', 'A285 OK UID SEARCH completed']);
      await exchange(c, 'A286', 'SEARCH RETURN (COUNT) FLAGGED', ['* ESEARCH (TAG "A286") COUNT 5', 'A286 OK SEARCH completed']);
      await exchange(c, 'A287', 'SEARCH RETURN (ALL COUNT MIN MAX) 3:5,7', ['* ESEARCH (TAG "A287") MIN 3 MAX 7 ALL 3:5,7 COUNT 4', 'A287 OK SEARCH completed']);
      await exchange(c, 'A288', 'SEARCH RETURN (FOO) ALL', ['A288 BAD Unknown RETURN option FOO']);
      c.close();
    });

    it('RFC 5182 examples: SAVE then FETCH $ and SEARCH $; SAVE with MIN keeps only the minimum; NO empties $; EXPUNGE shrinks it', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fillRfc4731(c);
      await exchange(c, 'A282', 'SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"', ['A282 OK SEARCH completed']);
      await exchange(c, 'A283', 'FETCH $ (UID)', ['* 2 FETCH (UID 2)', '* 10 FETCH (UID 10)', '* 11 FETCH (UID 11)', 'A283 OK FETCH completed']);
      await exchange(c, 'A284', 'UID SEARCH RETURN (ALL) UID $ SMALLER 1100', ['* ESEARCH (TAG "A284") UID ALL 2,10', 'A284 OK UID SEARCH completed']);
      await exchange(c, 'A285', 'SEARCH RETURN (SAVE MIN) FLAGGED', ['* ESEARCH (TAG "A285") MIN 1', 'A285 OK SEARCH completed']);
      await exchange(c, 'A286', 'SEARCH $', ['* SEARCH 1', 'A286 OK SEARCH completed']);
      await exchange(c, 'A287', 'SEARCH RETURN (SAVE) OR 10 11', ['A287 OK SEARCH completed']);
      await exchange(c, 'A288', 'STORE 10 +FLAGS.SILENT (\\Deleted)', ['A288 OK STORE completed']);
      await exchange(c, 'A289', 'EXPUNGE', ['* 10 EXPUNGE', 'A289 OK EXPUNGE completed']);
      await exchange(c, 'A290', 'SEARCH $', ['* SEARCH 10', 'A290 OK SEARCH completed']);
      await exchange(c, 'A291', 'UID SEARCH $', ['* SEARCH 11', 'A291 OK UID SEARCH completed']);
      await exchange(c, 'A292', 'SEARCH RETURN (SAVE) CHARSET X-UNKNOWN ALL', ['A292 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset X-UNKNOWN']);
      await exchange(c, 'A293', 'SEARCH $', ['* SEARCH', 'A293 OK SEARCH completed']);
      c.close();
    });

    it('IMAP4rev2: SEARCH answers ESEARCH; SORT and THREAD keep their own responses', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'e', 'ENABLE IMAP4rev2', ['* ENABLED IMAP4rev2', 'e OK ENABLE completed']);
      await fillRfc4731(c);
      await exchange(c, 'a', 'SEARCH FLAGGED NOT FROM "Smith"', ['* ESEARCH (TAG "a") ALL 1:2,10:11', 'a OK SEARCH completed']);
      await exchange(c, 'b', 'UID SORT (REVERSE SIZE) UTF-8 FLAGGED', ['* SORT 11 10 5 2 1', 'b OK UID SORT completed']);
      await exchange(c, 'c', 'THREAD ORDEREDSUBJECT UTF-8 1:2', ['* THREAD (1)(2)', 'c OK THREAD completed']);
      c.close();
    });

    it('WITHIN: OLDER and YOUNGER count seconds back from now on the internal date; 0 is BAD', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await fillWithin(c);
      await exchange(c, 'a', 'SEARCH YOUNGER 3600', ['* SEARCH 3', 'a OK SEARCH completed']);
      await exchange(c, 'b', 'SEARCH OLDER 3600', ['* SEARCH 1 2', 'b OK SEARCH completed']);
      await exchange(c, 'c', 'UID SEARCH RETURN (COUNT) YOUNGER 86400', ['* ESEARCH (TAG "c") UID COUNT 2', 'c OK UID SEARCH completed']);
      await exchange(c, 'd', 'SEARCH OLDER 86400 NOT YOUNGER 86400', ['* SEARCH 1', 'd OK SEARCH completed']);
      await exchange(c, 'e', 'SORT (REVERSE ARRIVAL) UTF-8 YOUNGER 86400', ['* SORT 3 2', 'e OK SORT completed']);
      await exchange(c, 'f', 'SEARCH OLDER 0', ['f BAD Expected non-zero number']);
      await exchange(c, 'g', 'SEARCH YOUNGER -5', ['g BAD Expected number']);
      c.close();
    });

    it('imapflow: RETURN options over ESEARCH, and since/before sent as YOUNGER/OLDER', async () => {
      const setup = await login(env.srv.imapPort, env.user);
      await fillWithin(setup);
      setup.close();
      // imapflow's debug log carries each command it writes: collect them to see what went on the wire.
      const log: string[] = [];
      const keep = (o: unknown): number => log.push(JSON.stringify(o));
      const logger = { debug: keep, info: keep, warn: keep, error: keep, trace: keep };
      const c = imapflowClient(env.srv, env.user, 'pw', 'plain', { logger });
      await c.connect();
      const lock = await c.getMailboxLock('INBOX');
      try {
        assert.deepEqual(await c.search({ all: true }, { returnOptions: ['min', 'max', 'count', 'all'] }), { min: 1, max: 3, count: 3, all: '1:3' });
        assert.deepEqual(await c.search({ since: new Date(NOW - 86_400_000) }, { uid: true }), [2, 3]);
        assert.deepEqual(await c.search({ before: new Date(NOW - 3_600_000) }), [1, 2]);
        const searches = log
          .map((l) => JSON.parse(l) as { src?: string; msg?: string })
          .filter((e) => e.src === 'c' && e.msg?.includes('SEARCH'))
          .map((e) => e.msg!.replace(/^\S+ /, ''));
        assert.equal(searches.length, 3, searches.join('; '));
        assert.equal(searches[0], 'SEARCH RETURN (MIN MAX COUNT ALL) ALL');
        // The interval is counted from the moment imapflow sends it: somewhat more than asked for.
        const interval = (text: string, prefix: string): number => {
          assert.ok(text.startsWith(prefix), text);
          return Number(text.slice(prefix.length));
        };
        const younger = interval(searches[1]!, 'UID SEARCH YOUNGER ');
        const older = interval(searches[2]!, 'SEARCH OLDER ');
        assert.ok(younger >= 86_400 && younger < 86_400 + 3_600, searches[1]);
        assert.ok(older >= 3_600 && older < 7_200, searches[2]);
      } finally {
        lock.release();
      }
      await c.logout();
    });
  });
}
