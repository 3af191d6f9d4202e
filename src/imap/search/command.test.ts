/** SEARCH / UID SEARCH run against an in-memory store, parsed with the real ArgReader. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchCommand } from '../commands/search.js';
import { ImapError } from '../errors.js';
import { FakeStore, fakeSession, runCommand, text } from '../fetch/fake.js';
import { crlf } from '../fetch/testing.js';

function fixture(): FakeStore {
  const msg = (uid: number, flags: string[], subject: string, body: string, modseq: number) => ({
    uid,
    raw: crlf(`Subject: ${subject}`, '', body),
    flags,
    modseq,
    internalDate: Date.UTC(2024, 0, uid),
    searchText: { headers: `Subject: ${subject}\n`, body },
  });
  return new FakeStore([
    msg(3, ['\\Seen'], 'hello', 'apples', 10),
    msg(5, [], 'Hello again', 'pears', 20),
    msg(9, ['\\Seen'], 'other', 'apples and pears', 30),
    msg(12, [], 'last', 'plums', 40),
  ]);
}

describe('SEARCH', () => {
  it('IMAP4rev1: * SEARCH with sequence numbers, or UIDs for UID SEARCH', async () => {
    const s = fakeSession(fixture());
    await runCommand(searchCommand, s, 'A1 SEARCH SUBJECT hello');
    await runCommand(searchCommand, s, 'A2 UID SEARCH BODY pears');
    await runCommand(searchCommand, s, 'A3 SEARCH DELETED');
    assert.equal(text(s), '* SEARCH 1 2\r\n* SEARCH 5 9\r\n* SEARCH\r\n');
  });

  it('IMAP4rev2: ESEARCH without RETURN', async () => {
    const s = fakeSession(fixture(), { rev2: true });
    await runCommand(searchCommand, s, 'A1 UID SEARCH UNSEEN');
    await runCommand(searchCommand, s, 'A2 SEARCH DELETED');
    assert.equal(text(s), '* ESEARCH (TAG "A1") UID ALL 5,12\r\n* ESEARCH (TAG "A2")\r\n');
  });

  it('RETURN options and SAVE; $ then names the saved UIDs', async () => {
    const s = fakeSession(fixture());
    await runCommand(searchCommand, s, 'A1 SEARCH RETURN (MIN MAX COUNT) BODY apples');
    await runCommand(searchCommand, s, 'A2 SEARCH RETURN (SAVE) SEEN');
    assert.deepEqual(s.selected!.savedResult, [3, 9]);
    await runCommand(searchCommand, s, 'A3 UID SEARCH RETURN (SAVE MAX) ALL');
    assert.deepEqual(s.selected!.savedResult, [12]);
    await runCommand(searchCommand, s, 'A4 SEARCH RETURN () OR $ 1');
    assert.equal(text(s), '* ESEARCH (TAG "A1") MIN 1 MAX 3 COUNT 2\r\n* ESEARCH (TAG "A3") UID MAX 12\r\n* ESEARCH (TAG "A4") ALL 1,4\r\n');
  });

  it('MODSEQ key reports the highest modseq', async () => {
    const s = fakeSession(fixture());
    await runCommand(searchCommand, s, 'A1 SEARCH MODSEQ 15 SEEN');
    assert.equal(text(s), '* SEARCH 3 (MODSEQ 30)\r\n');
  });

  it('sequence numbers beyond the mailbox match nothing', async () => {
    const s = fakeSession(fixture());
    await runCommand(searchCommand, s, 'A1 SEARCH 4:10');
    assert.equal(text(s), '* SEARCH 4\r\n');
  });

  it('CHARSET: UTF-8 and US-ASCII accepted, others NO [BADCHARSET]; SAVE is emptied on failure', async () => {
    const s = fakeSession(fixture());
    await runCommand(searchCommand, s, 'A1 SEARCH CHARSET utf-8 SUBJECT last');
    await runCommand(searchCommand, s, 'A2 SEARCH RETURN (SAVE) ALL');
    assert.equal(s.selected!.savedResult.length, 4);
    await assert.rejects(
      runCommand(searchCommand, s, 'A3 SEARCH RETURN (SAVE) CHARSET KOI8-R ALL'),
      (e: unknown) => e instanceof ImapError && e.status === 'NO' && e.code === 'BADCHARSET (UTF-8 US-ASCII)',
    );
    assert.deepEqual(s.selected!.savedResult, []);
    assert.equal(text(s), '* SEARCH 4\r\n');
  });
});
