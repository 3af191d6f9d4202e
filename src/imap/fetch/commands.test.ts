/**
 * FETCH and STORE commands run against an in-memory store, parsed with the real ArgReader.
 * (store.ts has no directory of its own for tests; it is tested here beside FETCH.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../protocol/types.js';
import { fetchCommand } from '../commands/fetch.js';
import { storeCommand } from '../commands/store.js';
import { ImapError } from '../errors.js';
import { FakeStore, fakeSession, runCommand, text } from './fake.js';
import { crlf } from './testing.js';

function fixture(): FakeStore {
  return new FakeStore([
    { uid: 3, raw: crlf('Subject: one', '', 'body one'), flags: [], modseq: 10, internalDate: 0 },
    { uid: 5, raw: crlf('Subject: two', '', 'body two'), flags: ['\\Seen'], modseq: 20, internalDate: 0 },
    { uid: 9, raw: crlf('Subject: three', '', 'body three'), flags: ['\\Flagged'], modseq: 30, internalDate: 0 },
  ]);
}

describe('FETCH', () => {
  it('FLAGS alone reads nothing from the store', async () => {
    const s = fakeSession(fixture());
    await runCommand(fetchCommand, s, 'A1 FETCH 1:* (FLAGS)');
    assert.equal(text(s), '* 1 FETCH (FLAGS ())\r\n* 2 FETCH (FLAGS (\\Seen))\r\n* 3 FETCH (FLAGS (\\Flagged))\r\n');
    assert.deepEqual(s.fake.calls, []);
  });

  it('UID FETCH always includes UID; UIDs not present are ignored', async () => {
    const s = fakeSession(fixture());
    await runCommand(fetchCommand, s, 'A1 UID FETCH 4:100 FLAGS');
    assert.equal(text(s), '* 2 FETCH (UID 5 FLAGS (\\Seen))\r\n* 3 FETCH (UID 9 FLAGS (\\Flagged))\r\n');
  });

  it('BODY[] sets \\Seen once per batch and adds FLAGS; the body is read once per message', async () => {
    const s = fakeSession(fixture());
    await runCommand(fetchCommand, s, 'A1 UID FETCH 1:* (BODY[TEXT] BODY[HEADER])');
    assert.deepEqual(s.fake.calls, ['getMessages 3,5,9', 'storeFlags 3,9 add \\Seen', 'readBody 1003', 'readBody 1005', 'readBody 1009']);
    assert.equal(
      text(s),
      '* 1 FETCH (UID 3 BODY[TEXT] {10}\r\nbody one\r\n BODY[HEADER] {16}\r\nSubject: one\r\n\r\n FLAGS (\\Seen))\r\n' +
        '* 2 FETCH (UID 5 BODY[TEXT] {10}\r\nbody two\r\n BODY[HEADER] {16}\r\nSubject: two\r\n\r\n)\r\n' +
        '* 3 FETCH (UID 9 BODY[TEXT] {12}\r\nbody three\r\n BODY[HEADER] {18}\r\nSubject: three\r\n\r\n FLAGS (\\Flagged \\Seen))\r\n',
    );
    assert.deepEqual(s.selected!.get(3)!.flags, ['\\Seen']);
  });

  it('BODY.PEEK and a read-only mailbox leave \\Seen alone', async () => {
    const s = fakeSession(fixture());
    await runCommand(fetchCommand, s, 'A1 FETCH 1 BODY.PEEK[]');
    const r = fakeSession(fixture(), { readOnly: true });
    await runCommand(fetchCommand, r, 'A1 FETCH 1 RFC822');
    assert.ok(!s.fake.calls.some((c) => c.startsWith('storeFlags')));
    assert.ok(!r.fake.calls.some((c) => c.startsWith('storeFlags')));
    assert.equal(text(r), '* 1 FETCH (RFC822 {26}\r\nSubject: one\r\n\r\nbody one\r\n)\r\n');
  });

  it('CHANGEDSINCE keeps messages with a greater modseq and implies MODSEQ', async () => {
    const s = fakeSession(fixture());
    await runCommand(fetchCommand, s, 'A1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 10)');
    assert.equal(text(s), '* 2 FETCH (UID 5 FLAGS (\\Seen) MODSEQ (20))\r\n* 3 FETCH (UID 9 FLAGS (\\Flagged) MODSEQ (30))\r\n');
  });

  it('messages the store no longer has are skipped', async () => {
    const store = fixture();
    const s = fakeSession(store);
    store.messages.delete(5);
    await runCommand(fetchCommand, s, 'A1 FETCH 1:3 (RFC822.SIZE)');
    assert.equal(text(s), '* 1 FETCH (RFC822.SIZE 26)\r\n* 3 FETCH (RFC822.SIZE 30)\r\n');
  });

  it('a sequence number beyond the mailbox is BAD', async () => {
    const s = fakeSession(fixture());
    await assert.rejects(runCommand(fetchCommand, s, 'A1 FETCH 4 FLAGS'), (e: unknown) => e instanceof ImapError && e.status === 'BAD');
  });

  it('unknown modifiers are a parse error; VANISHED needs CHANGEDSINCE', async () => {
    const s = fakeSession(fixture());
    await assert.rejects(runCommand(fetchCommand, s, 'A1 FETCH 1 FLAGS (FOO 1)'), ParseError);
    await assert.rejects(runCommand(fetchCommand, s, 'A1 UID FETCH 1 FLAGS (VANISHED)'), (e: unknown) => e instanceof ImapError && e.status === 'BAD');
  });
});

describe('STORE', () => {
  it('+FLAGS reports every targeted message with its current flags', async () => {
    const s = fakeSession(fixture());
    const r = await runCommand(storeCommand, s, 'A1 STORE 1:3 +FLAGS (\\Seen)');
    assert.equal(r, undefined);
    assert.deepEqual(s.fake.calls, ['storeFlags 3,5,9 add \\Seen']);
    assert.equal(text(s), '* 1 FETCH (FLAGS (\\Seen))\r\n* 2 FETCH (FLAGS (\\Seen))\r\n* 3 FETCH (FLAGS (\\Flagged \\Seen))\r\n');
    assert.deepEqual(s.selected!.get(9)!.flags, ['\\Flagged', '\\Seen']);
  });

  it('UID STORE adds UID; .SILENT writes nothing; flags without parentheses', async () => {
    const s = fakeSession(fixture());
    await runCommand(storeCommand, s, 'A1 UID STORE 9 -FLAGS \\flagged $Junk');
    assert.equal(text(s), '* 3 FETCH (FLAGS () UID 9)\r\n');
    const q = fakeSession(fixture());
    await runCommand(storeCommand, q, 'A1 STORE 1 FLAGS.SILENT (\\Deleted $x)');
    assert.equal(text(q), '');
    assert.deepEqual(q.fake.calls, ['storeFlags 3 set \\Deleted $x']);
  });

  it('UNCHANGEDSINCE failures answer [MODIFIED] and get no FETCH', async () => {
    const s = fakeSession(fixture());
    const r = await runCommand(storeCommand, s, 'A1 STORE 1:3 (UNCHANGEDSINCE 15) +FLAGS.SILENT (\\Answered)');
    assert.equal(r, '[MODIFIED 2:3] Conditional STORE failed');
    const u = fakeSession(fixture());
    const ru = await runCommand(storeCommand, u, 'A1 UID STORE 1:* (UNCHANGEDSINCE 15) +FLAGS (\\Answered)');
    assert.equal(ru, '[MODIFIED 5,9] Conditional STORE failed');
    assert.equal(text(u), '* 1 FETCH (FLAGS (\\Answered) UID 3)\r\n');
  });

  it('\\Recent and unknown system flags are BAD; a read-only mailbox is NO', async () => {
    const s = fakeSession(fixture());
    await assert.rejects(runCommand(storeCommand, s, 'A1 STORE 1 +FLAGS (\\Recent)'), ParseError);
    await assert.rejects(runCommand(storeCommand, s, 'A1 STORE 1 +FLAGS (\\Foo)'), ParseError);
    await assert.rejects(runCommand(storeCommand, s, 'A1 STORE 1 XFLAGS (\\Seen)'), ParseError);
    const r = fakeSession(fixture(), { readOnly: true });
    await assert.rejects(runCommand(storeCommand, r, 'A1 STORE 1 +FLAGS (\\Seen)'), (e: unknown) => e instanceof ImapError && e.status === 'NO');
  });
});
