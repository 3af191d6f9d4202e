import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_NESTING_DEPTH } from '../limits.js';
import { readerOf } from '../../test/support/protocol.js';
import { ParseError, type FetchItem, type Section } from './types.js';

const sec = (part: number[], text: Section['text'] = { kind: 'all' }): Section => ({ part, text });
const body = (section: Section, peek = false, partial: { offset: number; length: number } | null = null): FetchItem => ({
  type: 'body.section', section, peek, partial,
});
const FAST: FetchItem[] = [{ type: 'flags' }, { type: 'internaldate' }, { type: 'rfc822.size' }];

const items: Array<[string, FetchItem[]]> = [
  ['ALL', [...FAST, { type: 'envelope' }]],
  ['fast', FAST],
  ['FULL', [...FAST, { type: 'envelope' }, { type: 'body' }]],
  ['UID', [{ type: 'uid' }]],
  ['flags', [{ type: 'flags' }]],
  ['(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)', [{ type: 'uid' }, ...FAST.slice(0, 1), FAST[1]!, FAST[2]!, { type: 'envelope' }]],
  ['(BODY BODYSTRUCTURE)', [{ type: 'body' }, { type: 'bodystructure' }]],
  ['(RFC822 RFC822.HEADER RFC822.TEXT)', [{ type: 'rfc822' }, { type: 'rfc822.header' }, { type: 'rfc822.text' }]],
  ['(MODSEQ SAVEDATE EMAILID THREADID)', [{ type: 'modseq' }, { type: 'savedate' }, { type: 'emailid' }, { type: 'threadid' }]],
  ['PREVIEW', [{ type: 'preview', lazy: false }]],
  ['(PREVIEW (LAZY))', [{ type: 'preview', lazy: true }]],
  ['(UID PREVIEW (lazy) FLAGS)', [{ type: 'uid' }, { type: 'preview', lazy: true }, { type: 'flags' }]],
  ['BODY[]', [body(sec([]))]],
  ['BODY.PEEK[]', [body(sec([]), true)]],
  ['body.peek[header]', [body(sec([], { kind: 'header' }), true)]],
  ['BODY[TEXT]', [body(sec([], { kind: 'text' }))]],
  ['BODY[1]', [body(sec([1]))]],
  ['BODY[1.2.3]', [body(sec([1, 2, 3]))]],
  ['BODY[1.2.HEADER]', [body(sec([1, 2], { kind: 'header' }))]],
  ['BODY[2.TEXT]', [body(sec([2], { kind: 'text' }))]],
  ['BODY[1.MIME]', [body(sec([1], { kind: 'mime' }))]],
  ['BODY[HEADER.FIELDS (From To)]', [body(sec([], { kind: 'header.fields', fields: ['From', 'To'] }))]],
  ['BODY.PEEK[HEADER.FIELDS ("Subject" {4}\r\nDate)]', [body(sec([], { kind: 'header.fields', fields: ['Subject', 'Date'] }), true)]],
  ['BODY[3.HEADER.FIELDS.NOT (X-Spam)]', [body(sec([3], { kind: 'header.fields.not', fields: ['X-Spam'] }))]],
  ['BODY[]<0.100>', [body(sec([]), false, { offset: 0, length: 100 })]],
  ['BODY.PEEK[1]<5.4294967295>', [body(sec([1]), true, { offset: 5, length: 4294967295 })]],
  ['BINARY[]', [{ type: 'binary', section: [], peek: false, partial: null }]],
  ['BINARY.PEEK[1.2]<0.10>', [{ type: 'binary', section: [1, 2], peek: true, partial: { offset: 0, length: 10 } }]],
  ['BINARY.SIZE[3]', [{ type: 'binary.size', section: [3] }]],
  ['(FLAGS BODY.PEEK[HEADER.FIELDS (DATE FROM)] BINARY.SIZE[1])', [
    { type: 'flags' },
    body(sec([], { kind: 'header.fields', fields: ['DATE', 'FROM'] }), true),
    { type: 'binary.size', section: [1] },
  ]],
];

const errors: Array<[string, RegExp]> = [
  ['', /FETCH item/],
  ['()', /Empty/],
  ['(FLAGS', /Missing arguments|SP/],
  ['(FLAGS  UID)', /FETCH item/],
  ['(ALL)', /Unknown FETCH item/],
  ['(FAST FLAGS)', /Unknown FETCH item/],
  ['FOO', /Unknown FETCH item/],
  ['BODY.PEEK', /section/],
  ['BINARY', /section/],
  ['BINARY.SIZE', /section/],
  ['BODY[', /section/],
  ['BODY[1', /"\]"/],
  ['BODY[0]', /non-zero/],
  ['BODY[01]', /non-zero/],
  ['BODY[1.]', /section/],
  ['BODY[1HEADER]', /"\]"/],
  ['BODY[MIME]', /MIME/],
  ['BODY[FOO]', /Invalid section/],
  ['BODY[HEADER.FIELDS]', /SP/],
  ['BODY[HEADER.FIELDS ()]', /Empty header/],
  ['BODY[HEADER.FIELDS From]', /header field list/],
  ['BODY[]<0.0>', /non-zero/],
  ['BODY[]<1>', /"\."/],
  ['BODY[]<1.2', /">"/],
  ['BINARY[HEADER]', /number/],
  ['BINARY[1.TEXT]', /number/],
  ['BINARY[1]x', /after/],
  ['(PREVIEW (FOO))', /FETCH item/],
  ['(PREVIEW (LAZY FOO))', /PREVIEW modifier/],
  ['('.repeat(2) + 'FLAGS))', /FETCH item/],
  ['BODY[HEADER.FIELDS ' + '('.repeat(MAX_NESTING_DEPTH + 1), /nested|astring/],
];

describe('fetchItems', () => {
  for (const [text, expected] of items) {
    it(text, () => {
      const r = readerOf(text);
      assert.deepEqual(r.fetchItems(), expected);
      r.end();
    });
  }

  it('leaves FETCH modifiers to the command', () => {
    const r = readerOf('(FLAGS) (CHANGEDSINCE 5)');
    assert.deepEqual(r.fetchItems(), [{ type: 'flags' }]);
    r.space();
    assert.deepEqual(r.list(() => r.atom()), ['CHANGEDSINCE', '5']);
    r.end();
  });

  it('does not take the modifiers of a lone PREVIEW for its own', () => {
    const r = readerOf('PREVIEW (CHANGEDSINCE 5)');
    assert.deepEqual(r.fetchItems(), [{ type: 'preview', lazy: false }]);
    assert.equal(r.peek(), ' ');
  });

  it('returns fresh objects for macros', () => {
    const a = readerOf('ALL').fetchItems();
    (a[0] as { type: string }).type = 'changed';
    assert.deepEqual(readerOf('ALL').fetchItems()[0], { type: 'flags' });
  });
});

describe('fetchItems errors', () => {
  for (const [text, pattern] of errors) {
    it(`rejects ${JSON.stringify(text.slice(0, 40))}`, () => {
      assert.throws(
        () => {
          const r = readerOf(text);
          r.fetchItems();
          r.end();
        },
        (e: unknown) => e instanceof ParseError && pattern.test(e.message),
      );
    });
  }
});
