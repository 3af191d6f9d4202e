/**
 * FETCH and STORE commands run against the real SQLite store (in memory), parsed with the real ArgReader.
 * (store.ts has no directory of its own for tests; it is tested here beside FETCH.)
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ParseError } from '../../protocol/types.js';
import { fetchCommand } from '../commands/fetch.js';
import { storeCommand } from '../commands/store.js';
import { ImapError } from '../errors.js';
import { crlf, mailboxWith, type MailboxFixture } from '../../../test/support/mailbox.js';
import { runCommand, text } from '../../../test/support/session.js';

const ONE = crlf('Subject: one', '', 'body one');
const TWO = crlf('Subject: two', '', 'body two');
const THREE = crlf('Subject: three', '', 'body three');

/** UIDs 3, 5 and 9 (sequence numbers 1, 2, 3), so UID and sequence number never coincide by accident. */
function fixture(): Promise<MailboxFixture> {
  return mailboxWith([
    { uid: 3, raw: ONE },
    { uid: 5, raw: TWO, flags: ['\\Seen'] },
    { uid: 9, raw: THREE, flags: ['\\Flagged'] },
  ]);
}

const isStatus = (status: string, code?: string) => (e: unknown) => e instanceof ImapError && e.status === status && (code === undefined || e.code === code);

describe('FETCH', () => {
  let mb: MailboxFixture;
  beforeEach(async () => {
    mb = await fixture();
  });
  afterEach(async () => mb.close());

  it('FLAGS alone reads nothing from the store', async () => {
    const s = await mb.session();
    await runCommand(fetchCommand, s, 'A1 FETCH 1:* (FLAGS)');
    assert.equal(text(s), '* 1 FETCH (FLAGS ())\r\n* 2 FETCH (FLAGS (\\Seen))\r\n* 3 FETCH (FLAGS (\\Flagged))\r\n');
    assert.deepEqual(s.calls, []);
  });

  it('UID FETCH always includes UID; UIDs not present are ignored', async () => {
    const s = await mb.session();
    await runCommand(fetchCommand, s, 'A1 UID FETCH 4:100 FLAGS');
    assert.equal(text(s), '* 2 FETCH (UID 5 FLAGS (\\Seen))\r\n* 3 FETCH (UID 9 FLAGS (\\Flagged))\r\n');
  });

  it('BODY[] sets \\Seen once per batch and adds FLAGS; the bodies are read in one pass, once per message', async () => {
    const s = await mb.session();
    await runCommand(fetchCommand, s, 'A1 UID FETCH 1:* (BODY[TEXT] BODY[HEADER])');
    assert.deepEqual(s.calls, ['getMessages 3,5,9', 'storeFlags 3,9 add \\Seen', 'readBodies 3']);
    assert.equal(
      text(s),
      '* 1 FETCH (UID 3 BODY[TEXT] {10}\r\nbody one\r\n BODY[HEADER] {16}\r\nSubject: one\r\n\r\n FLAGS (\\Seen))\r\n' +
        '* 2 FETCH (UID 5 BODY[TEXT] {10}\r\nbody two\r\n BODY[HEADER] {16}\r\nSubject: two\r\n\r\n)\r\n' +
        '* 3 FETCH (UID 9 BODY[TEXT] {12}\r\nbody three\r\n BODY[HEADER] {18}\r\nSubject: three\r\n\r\n FLAGS (\\Seen \\Flagged))\r\n',
    );
    assert.deepEqual(s.view.get(3)!.flags, ['\\Seen']);
    const stored = await mb.store.listMessages(mb.account.id, mb.mailbox.id);
    assert.deepEqual(stored.map((m) => m.flags), [['\\Seen'], ['\\Seen'], ['\\Seen', '\\Flagged']]);
  });

  it('BODY.PEEK and a read-only mailbox leave \\Seen alone', async () => {
    const s = await mb.session();
    await runCommand(fetchCommand, s, 'A1 FETCH 1 BODY.PEEK[]');
    const r = await mb.session({ readOnly: true });
    await runCommand(fetchCommand, r, 'A1 FETCH 1 RFC822');
    assert.ok(!s.calls.some((c) => c.startsWith('storeFlags')));
    assert.ok(!r.calls.some((c) => c.startsWith('storeFlags')));
    assert.equal(text(r), '* 1 FETCH (RFC822 {26}\r\nSubject: one\r\n\r\nbody one\r\n)\r\n');
    assert.deepEqual((await mb.store.listMessages(mb.account.id, mb.mailbox.id))[0]!.flags, []);
  });

  it('BINARY of an undecodable part is NO [UNKNOWN-CTE] and sets no \\Seen', async () => {
    const uu = await mailboxWith([{ uid: 1, raw: crlf('Content-Transfer-Encoding: x-uuencode', '', 'begin 644 x') }]);
    try {
      const s = await uu.session();
      await assert.rejects(runCommand(fetchCommand, s, 'A1 FETCH 1 BINARY[1]'), (e: unknown) => e instanceof ImapError && e.code === 'UNKNOWN-CTE');
      assert.equal(text(s), '');
      assert.deepEqual((await uu.store.listMessages(uu.account.id, uu.mailbox.id))[0]!.flags, []);
    } finally {
      await uu.close();
    }
  });

  it('CHANGEDSINCE keeps messages with a greater modseq and implies MODSEQ', async () => {
    const modseq = await mb.modseqs();
    const s = await mb.session();
    await runCommand(fetchCommand, s, `A1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq.get(3)})`);
    // The first CONDSTORE enabling command with a mailbox selected reports its HIGHESTMODSEQ (RFC 7162 section 3.1).
    const highest = await mb.store.highestModseq(mb.account.id, mb.mailbox.id);
    assert.equal(
      text(s),
      `* OK [HIGHESTMODSEQ ${highest}] Highest\r\n* 2 FETCH (UID 5 FLAGS (\\Seen) MODSEQ (${modseq.get(5)}))\r\n* 3 FETCH (UID 9 FLAGS (\\Flagged) MODSEQ (${modseq.get(9)}))\r\n`,
    );
  });

  it('a message another session expunged since this view was built: its data is gone, so NO [EXPUNGEISSUED] after the others (RFC 2180 section 4.1.2)', async () => {
    const s = await mb.session();
    const v = await mb.session();
    const u = await mb.session();
    await mb.store.storeFlags(mb.account.id, mb.mailbox.id, [5], 'add', ['\\Deleted']);
    await mb.store.expunge(mb.account.id, mb.mailbox.id, [5]);
    await assert.rejects(runCommand(fetchCommand, s, 'A1 FETCH 1:3 (RFC822.SIZE)'), isStatus('NO', 'EXPUNGEISSUED'));
    assert.equal(text(s), `* 1 FETCH (RFC822.SIZE ${ONE.length})\r\n* 3 FETCH (RFC822.SIZE ${THREE.length})\r\n`);
    // What the view holds is still answered (RFC 2180 section 4.1.1), and UID FETCH passes over what is gone.
    await runCommand(fetchCommand, v, 'A1 FETCH 2 (UID FLAGS)');
    assert.equal(text(v), '* 2 FETCH (UID 5 FLAGS (\\Seen))\r\n');
    await runCommand(fetchCommand, u, 'A1 UID FETCH 1:9 (RFC822.SIZE)');
    assert.equal(text(u), `* 1 FETCH (UID 3 RFC822.SIZE ${ONE.length})\r\n* 3 FETCH (UID 9 RFC822.SIZE ${THREE.length})\r\n`);
  });

  it('a sequence number beyond the mailbox is BAD', async () => {
    const s = await mb.session();
    await assert.rejects(runCommand(fetchCommand, s, 'A1 FETCH 4 FLAGS'), isStatus('BAD'));
  });

  it('unknown modifiers are a parse error; VANISHED needs CHANGEDSINCE', async () => {
    const s = await mb.session();
    await assert.rejects(runCommand(fetchCommand, s, 'A1 FETCH 1 FLAGS (FOO 1)'), ParseError);
    await assert.rejects(runCommand(fetchCommand, s, 'A1 UID FETCH 1 FLAGS (VANISHED)'), isStatus('BAD'));
  });
});

describe('STORE', () => {
  let mb: MailboxFixture;
  beforeEach(async () => {
    mb = await fixture();
  });
  afterEach(async () => mb.close());

  it('+FLAGS reports every targeted message with its current flags', async () => {
    const s = await mb.session();
    const r = await runCommand(storeCommand, s, 'A1 STORE 1:3 +FLAGS (\\Seen)');
    assert.equal(r, undefined);
    assert.deepEqual(s.calls, ['storeFlags 3,5,9 add \\Seen']);
    assert.equal(text(s), '* 1 FETCH (FLAGS (\\Seen))\r\n* 2 FETCH (FLAGS (\\Seen))\r\n* 3 FETCH (FLAGS (\\Seen \\Flagged))\r\n');
    assert.deepEqual(s.view.get(9)!.flags, ['\\Seen', '\\Flagged']);
  });

  it('UID STORE adds UID; .SILENT writes nothing; flags without parentheses', async () => {
    const s = await mb.session();
    await runCommand(storeCommand, s, 'A1 UID STORE 9 -FLAGS \\flagged $Junk');
    assert.equal(text(s), '* 3 FETCH (FLAGS () UID 9)\r\n');
    const q = await mb.session();
    await runCommand(storeCommand, q, 'A1 STORE 1 FLAGS.SILENT (\\Deleted $x)');
    // A keyword new to the mailbox is announced even when .SILENT (RFC 9051 section 7.3.5).
    assert.equal(text(q), '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $x)\r\n* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $x \\*)] Flags permitted.\r\n');
    assert.deepEqual(q.calls, ['storeFlags 3 set \\Deleted $x']);
    assert.deepEqual((await mb.store.listMessages(mb.account.id, mb.mailbox.id))[0]!.flags, ['\\Deleted', '$x']);
  });

  it('.SILENT still reports a message whose flags another session changed, with UID', async () => {
    const s = await mb.session();
    await mb.store.storeFlags(mb.account.id, mb.mailbox.id, [5], 'add', ['$Other']);
    await runCommand(storeCommand, s, 'A1 STORE 1:2 +FLAGS.SILENT (\\Answered)');
    assert.equal(
      text(s),
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Other)\r\n' +
        '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Other \\*)] Flags permitted.\r\n' +
        '* 2 FETCH (UID 5 FLAGS (\\Seen \\Answered $Other))\r\n',
    );
    const q = await mb.session();
    await runCommand(storeCommand, q, 'A1 UID STORE 5 FLAGS.SILENT (\\Draft)');
    assert.equal(text(q), '');
  });

  it('.SILENT under CONDSTORE reports a message it left alone whose modseq another session moved', async () => {
    const s = await mb.session();
    s.enabled.add('CONDSTORE');
    // Another session adds and removes a keyword on UID 5: same flags, a newer modseq.
    await mb.store.storeFlags(mb.account.id, mb.mailbox.id, [5], 'add', ['$Tmp']);
    await mb.store.storeFlags(mb.account.id, mb.mailbox.id, [5], 'remove', ['$Tmp']);
    await runCommand(storeCommand, s, 'A1 STORE 2 +FLAGS.SILENT (\\Seen)');
    assert.equal(text(s), `* 2 FETCH (UID 5 FLAGS (\\Seen) MODSEQ (${(await mb.modseqs()).get(5)}))\r\n`);
  });

  it('UNCHANGEDSINCE failures answer [MODIFIED] and get no FETCH', async () => {
    const modseq = await mb.modseqs();
    const since = modseq.get(3)!;
    const s = await mb.session();
    const r = await runCommand(storeCommand, s, `A1 STORE 1:3 (UNCHANGEDSINCE ${since}) +FLAGS.SILENT (\\Answered)`);
    assert.equal(r, '[MODIFIED 2:3] Conditional STORE failed');
    // .SILENT does not silence the new modseq (RFC 7162 section 3.1.3 example: `* 5 FETCH (MODSEQ (320162350))`);
    // UNCHANGEDSINCE is the first CONDSTORE enabling command, so HIGHESTMODSEQ comes first (section 3.1).
    assert.equal(text(s), `* OK [HIGHESTMODSEQ ${s.view.knownModseq}] Highest\r\n* 1 FETCH (MODSEQ (${(await mb.modseqs()).get(3)}))\r\n`);
    const fresh = await fixture();
    try {
      const u = await fresh.session();
      const ru = await runCommand(storeCommand, u, `A1 UID STORE 1:* (UNCHANGEDSINCE ${since}) +FLAGS (\\Answered)`);
      assert.equal(ru, '[MODIFIED 5,9] Conditional STORE failed');
      // UNCHANGEDSINCE enables CONDSTORE, so the FETCH carries the new MODSEQ (RFC 7162 section 3.1.3).
      assert.equal(text(u), `* OK [HIGHESTMODSEQ ${u.view.knownModseq}] Highest\r\n* 1 FETCH (FLAGS (\\Answered) UID 3 MODSEQ (${(await fresh.modseqs()).get(3)}))\r\n`);
    } finally {
      await fresh.close();
    }
  });

  it('\\Recent and unknown system flags are BAD; a read-only mailbox is NO', async () => {
    const s = await mb.session();
    await assert.rejects(runCommand(storeCommand, s, 'A1 STORE 1 +FLAGS (\\Recent)'), ParseError);
    await assert.rejects(runCommand(storeCommand, s, 'A1 STORE 1 +FLAGS (\\Foo)'), ParseError);
    await assert.rejects(runCommand(storeCommand, s, 'A1 STORE 1 XFLAGS (\\Seen)'), ParseError);
    const r = await mb.session({ readOnly: true });
    await assert.rejects(runCommand(storeCommand, r, 'A1 STORE 1 +FLAGS (\\Seen)'), isStatus('NO'));
  });
});
