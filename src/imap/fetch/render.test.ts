/** renderFetch on records and bodies read back from the real SQLite store (in memory). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FetchItem } from '../../protocol/types.js';
import { ImapError } from '../errors.js';
import { sectionLabel } from './items.js';
import { renderFetch, type FetchMessage } from './render.js';
import { crlf, mailboxWith, type MailboxFixture } from '../../../test/support/mailbox.js';

const raw = crlf('From: a@example.com', 'To: b@example.com', 'Subject: hi', 'Date: Mon, 7 Feb 1994 21:52:25 -0800', '', 'hello', 'world');

/** stored puts `body` in a fresh store at UID `uid` and returns the FetchMessage built from what the store gives back. */
async function stored(body: Buffer, uid = 1, seq = 1, internalDate = 0): Promise<{ m: FetchMessage; mb: MailboxFixture }> {
  const mb = await mailboxWith([{ uid, raw: body, flags: ['\\Seen', '$Work'], internalDate }]);
  const [record] = await mb.store.getMessages(mb.account.id, mb.mailbox.id, [uid]);
  const bytes = await mb.store.readBody(mb.account.id, record!.bodyId);
  return { m: { seq, uid, meta: { uid, modseq: record!.modseq, flags: record!.flags }, flags: record!.flags, record: record!, body: bytes }, mb };
}

const fixtures: MailboxFixture[] = [];
let msg: FetchMessage;
before(async () => {
  const { m, mb } = await stored(raw, 7, 3, Date.UTC(2024, 0, 2, 3, 4, 5));
  fixtures.push(mb);
  msg = m;
});
after(async () => {
  for (const mb of fixtures) await mb.close();
});

async function storedMessage(body: Buffer): Promise<FetchMessage> {
  const { m, mb } = await stored(body);
  fixtures.push(mb);
  return m;
}

function render(items: FetchItem[], m: FetchMessage = msg): string {
  return Buffer.concat(renderFetch(m, items, false).map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString('latin1');
}

const all = { kind: 'all' } as const;

describe('renderFetch', () => {
  const table: Array<[string, FetchItem[], string]> = [
    ['UID FLAGS', [{ type: 'uid' }, { type: 'flags' }], '* 3 FETCH (UID 7 FLAGS (\\Seen $Work))\r\n'],
    ['INTERNALDATE RFC822.SIZE MODSEQ', [{ type: 'internaldate' }, { type: 'rfc822.size' }, { type: 'modseq' }],
      `* 3 FETCH (INTERNALDATE " 2-Jan-2024 03:04:05 +0000" RFC822.SIZE ${raw.length} MODSEQ (<modseq>))\r\n`],
    ['EMAILID THREADID PREVIEW', [{ type: 'emailid' }, { type: 'threadid' }, { type: 'preview', lazy: false }], '* 3 FETCH (EMAILID (M<bodyId>) THREADID NIL PREVIEW "hello world")\r\n'],
    ['BODY', [{ type: 'body' }], '* 3 FETCH (BODY ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 14 2))\r\n'],
    ['ENVELOPE', [{ type: 'envelope' }],
      '* 3 FETCH (ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800" "hi" ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "b" "example.com")) NIL NIL NIL NIL))\r\n'],
    ['RFC822', [{ type: 'rfc822' }], `* 3 FETCH (RFC822 {${raw.length}}\r\n${raw.toString()})\r\n`],
    ['RFC822.HEADER', [{ type: 'rfc822.header' }], `* 3 FETCH (RFC822.HEADER {${raw.length - 14}}\r\n${raw.toString().slice(0, -14)})\r\n`],
    ['RFC822.TEXT', [{ type: 'rfc822.text' }], '* 3 FETCH (RFC822.TEXT {14}\r\nhello\r\nworld\r\n)\r\n'],
    ['BODY[] partial', [{ type: 'body.section', section: { part: [], text: all }, peek: true, partial: { offset: 0, length: 4 } }],
      '* 3 FETCH (BODY[]<0> {4}\r\nFrom)\r\n'],
    ['BODY[1] partial past the end', [{ type: 'body.section', section: { part: [1], text: all }, peek: false, partial: { offset: 100, length: 4 } }],
      '* 3 FETCH (BODY[1]<100> {0}\r\n)\r\n'],
    ['BODY[HEADER.FIELDS (from To)]', [{ type: 'body.section', section: { part: [], text: { kind: 'header.fields', fields: ['from', 'To'] } }, peek: true, partial: null }],
      '* 3 FETCH (BODY[HEADER.FIELDS (FROM TO)] {42}\r\nFrom: a@example.com\r\nTo: b@example.com\r\n\r\n)\r\n'],
    ['BODY[2] nonexistent is empty', [{ type: 'body.section', section: { part: [2], text: all }, peek: true, partial: null }], '* 3 FETCH (BODY[2] {0}\r\n)\r\n'],
    ['BINARY.SIZE', [{ type: 'binary.size', section: [1] }], '* 3 FETCH (BINARY.SIZE[1] 14)\r\n'],
  ];
  for (const [name, items, want] of table) {
    it(name, () => assert.equal(render(items), want.replace('<modseq>', String(msg.meta.modseq)).replace('<bodyId>', String(msg.record!.bodyId))));
  }

  it('BODY and BODYSTRUCTURE of one structure, asked in turn and again, each give their own form', () => {
    const body = '* 3 FETCH (BODY ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 14 2))\r\n';
    const structure = '* 3 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 14 2 NIL NIL NIL NIL))\r\n';
    for (let i = 0; i < 2; i++) {
      assert.equal(render([{ type: 'bodystructure' }]), structure);
      assert.equal(render([{ type: 'body' }]), body);
    }
  });

  it('HEADER.FIELDS and HEADER.FIELDS.NOT of one body, with different lists, each pick their own fields', () => {
    const section = (kind: 'header.fields' | 'header.fields.not', fields: string[]): FetchItem => ({ type: 'body.section', section: { part: [], text: { kind, fields } }, peek: true, partial: null });
    for (let i = 0; i < 2; i++) {
      assert.equal(render([section('header.fields', ['subject'])]), '* 3 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: hi\r\n\r\n)\r\n');
      assert.equal(
        render([section('header.fields.not', ['subject', 'date'])]),
        '* 3 FETCH (BODY[HEADER.FIELDS.NOT (SUBJECT DATE)] {42}\r\nFrom: a@example.com\r\nTo: b@example.com\r\n\r\n)\r\n',
      );
      assert.equal(render([section('header.fields', ['date', 'from'])]), '* 3 FETCH (BODY[HEADER.FIELDS (DATE FROM)] {61}\r\nFrom: a@example.com\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n\r\n)\r\n');
    }
  });

  it('BINARY with NUL goes as literal8, every partial of it too; BODY[] turns NUL into 0x80', async () => {
    const m = await storedMessage(crlf('Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64', '', 'AGE='));
    assert.equal(render([{ type: 'binary', section: [1], peek: true, partial: null }], m), '* 1 FETCH (BINARY[1] ~{2}\r\n\x00a)\r\n');
    assert.equal(render([{ type: 'binary', section: [1], peek: true, partial: { offset: 1, length: 9 } }], m), '* 1 FETCH (BINARY[1]<1> ~{1}\r\na)\r\n');
    const m2 = await storedMessage(Buffer.from('A: \x00\r\n\r\nx'));
    assert.equal(render([{ type: 'rfc822' }], m2), '* 1 FETCH (RFC822 {9}\r\nA: \x80\r\n\r\nx)\r\n');
  });

  it('BINARY of a text part with bare LF in its base64 data goes out with CRLF, and BINARY.SIZE agrees', async () => {
    const m = await storedMessage(crlf('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from('one\ntwo\n').toString('base64')));
    assert.equal(render([{ type: 'binary', section: [1], peek: true, partial: null }, { type: 'binary.size', section: [1] }], m),
      '* 1 FETCH (BINARY[1] {10}\r\none\r\ntwo\r\n BINARY.SIZE[1] 10)\r\n');
  });

  it('BINARY of a text part whose data has a CR that ends no line is binary: as decoded, literal8, BINARY.SIZE agrees', async () => {
    // imaptest's fetch-binary-mime-base64 part 5: "abcdefg\rhijkl\r\nmno\npqrstuvqxyz", 30 octets, as Dovecot sends it.
    const m = await storedMessage(crlf('Content-Type: text/x-myown; charset=us-ascii', 'Content-Transfer-Encoding: base64', '', 'YWJjZGVmZw1oaWprbA0KbW5vCnBxcnN0dXZxeHl6'));
    assert.equal(render([{ type: 'binary.size', section: [1] }, { type: 'binary', section: [1], peek: true, partial: null }], m),
      '* 1 FETCH (BINARY.SIZE[1] 30 BINARY[1] ~{30}\r\nabcdefg\rhijkl\r\nmno\npqrstuvqxyz)\r\n');
    assert.equal(render([{ type: 'binary', section: [1], peek: true, partial: { offset: 0, length: 7 } }], m), '* 1 FETCH (BINARY[1]<0> ~{7}\r\nabcdefg)\r\n');
  });

  it('BINARY of an unknown encoding throws NO [UNKNOWN-CTE]', async () => {
    const m = await storedMessage(crlf('Content-Transfer-Encoding: x-uuencode', '', 'begin'));
    assert.throws(
      () => renderFetch(m, [{ type: 'binary', section: [1], peek: true, partial: null }], false),
      (e: unknown) => e instanceof ImapError && e.status === 'NO' && e.code === 'UNKNOWN-CTE',
    );
  });
});

describe('sectionLabel', () => {
  const table: Array<[Parameters<typeof sectionLabel>[0], string]> = [
    [{ part: [], text: all }, ''],
    [{ part: [1, 2], text: all }, '1.2'],
    [{ part: [], text: { kind: 'header' } }, 'HEADER'],
    [{ part: [3], text: { kind: 'text' } }, '3.TEXT'],
    [{ part: [3, 1], text: { kind: 'mime' } }, '3.1.MIME'],
    [{ part: [2], text: { kind: 'header.fields.not', fields: ['x-spam flag', 'Received'] } }, '2.HEADER.FIELDS.NOT ("X-SPAM FLAG" RECEIVED)'],
  ];
  for (const [section, want] of table) {
    it(want || '(empty)', () => assert.equal(sectionLabel(section), want));
  }
});
