/** SEARCH / UID SEARCH run against the real SQLite store (in memory), parsed with the real ArgReader. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { searchCommand } from '../commands/search.js';
import { ImapError } from '../errors.js';
import { crlf, mailboxWith, type MailboxFixture } from '../../../test/support/mailbox.js';
import { runCommand, text } from '../../../test/support/session.js';

/** UIDs 3, 5, 9, 12 (sequence numbers 1 to 4). */
function fixture(): Promise<MailboxFixture> {
  const msg = (uid: number, flags: string[], subject: string, body: string) => ({
    uid,
    raw: crlf(`Subject: ${subject}`, '', body),
    flags,
    internalDate: Date.UTC(2024, 0, uid),
  });
  return mailboxWith([
    msg(3, ['\\Seen'], 'hello', 'apples'),
    msg(5, [], 'Hello again', 'pears'),
    msg(9, ['\\Seen'], 'other', 'apples and pears'),
    msg(12, [], 'last', 'plums'),
  ]);
}

describe('SEARCH', () => {
  let mb: MailboxFixture;
  beforeEach(async () => {
    mb = await fixture();
  });
  afterEach(async () => mb.close());

  it('IMAP4rev1: * SEARCH with sequence numbers, or UIDs for UID SEARCH', async () => {
    const s = await mb.session();
    await runCommand(searchCommand, s, 'A1 SEARCH SUBJECT hello');
    await runCommand(searchCommand, s, 'A2 UID SEARCH BODY pears');
    await runCommand(searchCommand, s, 'A3 SEARCH DELETED');
    assert.equal(text(s), '* SEARCH 1 2\r\n* SEARCH 5 9\r\n* SEARCH\r\n');
  });

  it('reads records and texts only for the messages still undecided', async () => {
    const s = await mb.session();
    await runCommand(searchCommand, s, 'A1 SEARCH UNSEEN BEFORE 6-Jan-2024 BODY pears');
    assert.equal(text(s), '* SEARCH 2\r\n');
    assert.deepEqual(s.calls, ['getMessages 5,12', 'getSearchText 5']);
  });

  it('TEXT also reads the body structure, for the MIME header fields of the parts; BODY does not', async () => {
    const s = await mb.session();
    await runCommand(searchCommand, s, 'A1 SEARCH UID 3:5 BODY apples');
    await runCommand(searchCommand, s, 'A2 SEARCH UID 3:5 TEXT apples');
    assert.equal(text(s), '* SEARCH 1\r\n* SEARCH 1\r\n');
    assert.deepEqual(s.calls, ['getSearchText 3,5', 'getSearchText 3,5', 'getMessages 3,5']);
  });

  it('IMAP4rev2: ESEARCH without RETURN', async () => {
    const s = await mb.session({ rev2: true });
    await runCommand(searchCommand, s, 'A1 UID SEARCH UNSEEN');
    await runCommand(searchCommand, s, 'A2 SEARCH DELETED');
    assert.equal(text(s), '* ESEARCH (TAG "A1") UID ALL 5,12\r\n* ESEARCH (TAG "A2")\r\n');
  });

  it('RETURN options and SAVE; $ then names the saved UIDs', async () => {
    const s = await mb.session();
    await runCommand(searchCommand, s, 'A1 SEARCH RETURN (MIN MAX COUNT) BODY apples');
    await runCommand(searchCommand, s, 'A2 SEARCH RETURN (SAVE) SEEN');
    assert.deepEqual(s.view.savedResult, [3, 9]);
    await runCommand(searchCommand, s, 'A3 UID SEARCH RETURN (SAVE MAX) ALL');
    assert.deepEqual(s.view.savedResult, [12]);
    await runCommand(searchCommand, s, 'A4 SEARCH RETURN () OR $ 1');
    assert.equal(text(s), '* ESEARCH (TAG "A1") MIN 1 MAX 3 COUNT 2\r\n* ESEARCH (TAG "A3") UID MAX 12\r\n* ESEARCH (TAG "A4") ALL 1,4\r\n');
  });

  it('MODSEQ key reports the highest modseq', async () => {
    const modseq = await mb.modseqs();
    const s = await mb.session();
    await runCommand(searchCommand, s, `A1 SEARCH MODSEQ ${modseq.get(5)} SEEN`);
    // SEARCH MODSEQ is the first CONDSTORE enabling command: HIGHESTMODSEQ comes first (RFC 7162 section 3.1).
    assert.equal(text(s), `* OK [HIGHESTMODSEQ ${s.view.knownModseq}] Highest\r\n* SEARCH 3 (MODSEQ ${modseq.get(9)})\r\n`);
  });

  it('sequence numbers beyond the mailbox match nothing', async () => {
    const s = await mb.session();
    await runCommand(searchCommand, s, 'A1 SEARCH 4:10');
    assert.equal(text(s), '* SEARCH 4\r\n');
  });

  it('SENTON compares the Date header in its own zone', async () => {
    const late = await mailboxWith([{ uid: 1, raw: crlf('Date: Mon, 2 Nov 2026 23:30:00 -0800', '', 'x') }]);
    try {
      const s = await late.session();
      await runCommand(searchCommand, s, 'A1 SEARCH SENTON 2-Nov-2026');
      await runCommand(searchCommand, s, 'A2 SEARCH SENTSINCE 3-Nov-2026');
      assert.equal(text(s), '* SEARCH 1\r\n* SEARCH\r\n');
    } finally {
      await late.close();
    }
  });

  it('CHARSET: UTF-8 and US-ASCII accepted, others NO [BADCHARSET]; SAVE is emptied on failure', async () => {
    const s = await mb.session();
    await runCommand(searchCommand, s, 'A1 SEARCH CHARSET utf-8 SUBJECT last');
    await runCommand(searchCommand, s, 'A2 SEARCH RETURN (SAVE) ALL');
    assert.equal(s.view.savedResult.length, 4);
    await assert.rejects(
      runCommand(searchCommand, s, 'A3 SEARCH RETURN (SAVE) CHARSET KOI8-R ALL'),
      (e: unknown) => e instanceof ImapError && e.status === 'NO' && e.code === 'BADCHARSET (UTF-8 US-ASCII)',
    );
    assert.deepEqual(s.view.savedResult, []);
    assert.equal(text(s), '* SEARCH 4\r\n');
  });
});
