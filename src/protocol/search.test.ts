import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_NESTING_DEPTH } from '../limits.js';
import { readerOf } from '../../test/support/protocol.js';
import { ParseError, type SearchKey, type SearchProgram } from './types.js';

const set = (start: number | null, end: number | null = start) => ({ kind: 'set' as const, ranges: [{ start, end }] });
const flag = (f: string, s = true): SearchKey => ({ type: 'flag', flag: f, set: s });
const header = (name: string, value: string): SearchKey => ({ type: 'header', name, value });

/** [criteria, expected key]: no RETURN, no CHARSET. */
const keys: Array<[string, SearchKey]> = [
  ['ALL', { type: 'all' }],
  ['all', { type: 'all' }],
  ['ANSWERED', flag('\\Answered')],
  ['DELETED', flag('\\Deleted')],
  ['DRAFT', flag('\\Draft')],
  ['FLAGGED', flag('\\Flagged')],
  ['SEEN', flag('\\Seen')],
  ['UNANSWERED', flag('\\Answered', false)],
  ['UNDELETED', flag('\\Deleted', false)],
  ['UNDRAFT', flag('\\Draft', false)],
  ['UNFLAGGED', flag('\\Flagged', false)],
  ['UNSEEN', flag('\\Seen', false)],
  ['KEYWORD $Junk', flag('$Junk')],
  ['UNKEYWORD Work', flag('Work', false)],
  ['NEW', { type: 'new' }],
  ['OLD', { type: 'recent', set: false }],
  ['RECENT', { type: 'recent', set: true }],
  ['FROM alice', header('from', 'alice')],
  ['TO "Bob B"', header('to', 'Bob B')],
  ['CC {3}\r\nc c', header('cc', 'c c')],
  ['BCC x', header('bcc', 'x')],
  ['SUBJECT "caf\u00e9"', header('subject', 'caf\u00e9')],
  ['HEADER Message-ID "<a@b>"', header('message-id', '<a@b>')],
  ['HEADER X-Spam ""', header('x-spam', '')],
  ['BODY hello', { type: 'body', value: 'hello' }],
  ['TEXT "two words"', { type: 'text', value: 'two words' }],
  ['BEFORE 1-Jan-2024', { type: 'date', field: 'internal', op: 'before', date: '2024-01-01' }],
  ['ON "15-mar-2024"', { type: 'date', field: 'internal', op: 'on', date: '2024-03-15' }],
  ['SINCE 29-Feb-2024', { type: 'date', field: 'internal', op: 'since', date: '2024-02-29' }],
  ['SENTBEFORE 1-Jan-2024', { type: 'date', field: 'sent', op: 'before', date: '2024-01-01' }],
  ['SENTON 1-Jan-2024', { type: 'date', field: 'sent', op: 'on', date: '2024-01-01' }],
  ['SENTSINCE 1-Jan-2024', { type: 'date', field: 'sent', op: 'since', date: '2024-01-01' }],
  ['LARGER 1000', { type: 'size', op: 'larger', octets: 1000 }],
  ['SMALLER 0', { type: 'size', op: 'smaller', octets: 0 }],
  ['OLDER 3600', { type: 'within', op: 'older', seconds: 3600 }],
  ['YOUNGER 60', { type: 'within', op: 'younger', seconds: 60 }],
  ['UID 1:*', { type: 'uid', set: set(1, null) }],
  ['UID $', { type: 'uid', set: { kind: 'saved' } }],
  ['2,4:7', { type: 'seq', set: { kind: 'set', ranges: [{ start: 2, end: 2 }, { start: 4, end: 7 }] } }],
  ['*', { type: 'seq', set: set(null) }],
  ['$', { type: 'seq', set: { kind: 'saved' } }],
  ['SAVEDBEFORE 1-Feb-2024', { type: 'date', field: 'saved', op: 'before', date: '2024-02-01' }],
  ['savedon 1-Feb-2024', { type: 'date', field: 'saved', op: 'on', date: '2024-02-01' }],
  ['SAVEDSINCE "1-Feb-2024"', { type: 'date', field: 'saved', op: 'since', date: '2024-02-01' }],
  ['SAVEDATESUPPORTED', { type: 'savedatesupported' }],
  ['EMAILID M6d99ac3275bb4e', { type: 'emailid', id: 'M6d99ac3275bb4e' }],
  ['THREADID T64b478a75b7ea9', { type: 'threadid', id: 'T64b478a75b7ea9' }],
  ['MODSEQ 620162338', { type: 'modseq', modseq: 620162338 }],
  ['MODSEQ 0', { type: 'modseq', modseq: 0 }],
  ['MODSEQ "/flags/\\\\draft" all 620162338', { type: 'modseq', modseq: 620162338 }],
  ['MODSEQ "/flags/$Junk" priv 5', { type: 'modseq', modseq: 5 }],
  ['NOT SEEN', { type: 'not', key: flag('\\Seen') }],
  ['OR SEEN FLAGGED', { type: 'or', left: flag('\\Seen'), right: flag('\\Flagged') }],
  ['OR (SEEN DRAFT) NOT 1', {
    type: 'or',
    left: { type: 'and', keys: [flag('\\Seen'), flag('\\Draft')] },
    right: { type: 'not', key: { type: 'seq', set: set(1) } },
  }],
  ['(SEEN)', flag('\\Seen')],
  ['((ALL))', { type: 'all' }],
  ['SEEN FROM a 1:3', { type: 'and', keys: [flag('\\Seen'), header('from', 'a'), { type: 'seq', set: set(1, 3) }] }],
];

/** [whole argument text, expected program]. */
const programs: Array<[string, SearchProgram]> = [
  ['CHARSET UTF-8 ALL', { charset: 'UTF-8', returnOptions: null, key: { type: 'all' } }],
  ['CHARSET "us-ascii" SEEN', { charset: 'US-ASCII', returnOptions: null, key: flag('\\Seen') }],
  ['RETURN () ALL', { charset: null, returnOptions: ['ALL'], key: { type: 'all' } }],
  ['RETURN (min MAX COUNT) UNSEEN', { charset: null, returnOptions: ['MIN', 'MAX', 'COUNT'], key: flag('\\Seen', false) }],
  ['RETURN (SAVE) CHARSET UTF-8 FROM x', { charset: 'UTF-8', returnOptions: ['SAVE'], key: header('from', 'x') }],
  [' ALL', { charset: null, returnOptions: null, key: { type: 'all' } }],
  ['CHARSET iso-8859-1 ALL', { charset: 'ISO-8859-1', returnOptions: null, key: { type: 'all' } }],
];

const errors: Array<[string, RegExp]> = [
  ['', /search key/],
  ['FOO', /Unknown search key/],
  ['EMAILID', /Missing arguments/],
  ['EMAILID M.1', /Unexpected|Invalid|SP/],
  ['ALL  SEEN', /search key/],
  ['ALL ', /search key/],
  ['()', /search key/],
  ['(ALL', /Missing arguments|SP/],
  ['ALL)', /SP/],
  ['FROM', /Missing arguments/],
  ['HEADER Subject', /Missing arguments/],
  ['BEFORE 31-Feb-2024', /Invalid date/],
  ['BEFORE 2024-01-01', /Invalid date/],
  ['LARGER x', /number/],
  ['LARGER -1', /number/],
  ['OLDER 0', /non-zero/],
  ['UID 0', /sequence/],
  ['0', /sequence/],
  ['KEYWORD \\Seen', /atom/],
  ['OR SEEN', /Missing arguments/],
  ['NOT', /Missing arguments/],
  ['MODSEQ "/x/y" all 5', /entry name/],
  ['MODSEQ "/flags/\\\\Seen" none 5', /entry type/],
  ['MODSEQ "/flags/\\\\Seen" all', /Missing arguments/],
  ['RETURN (FOO) ALL', /RETURN option/],
  ['RETURN ALL', /\(/],
  ['CHARSET UTF-8', /Missing arguments/],
  ['NOT '.repeat(MAX_NESTING_DEPTH + 1) + 'ALL', /nested/],
  ['('.repeat(MAX_NESTING_DEPTH + 1) + 'ALL' + ')'.repeat(MAX_NESTING_DEPTH + 1), /nested/],
];

describe('searchProgram keys', () => {
  for (const [text, key] of keys) {
    it(text, () => assert.deepEqual(readerOf(text).searchProgram(), { charset: null, returnOptions: null, key }));
  }
});

describe('searchProgram RETURN and CHARSET', () => {
  for (const [text, program] of programs) it(text, () => assert.deepEqual(readerOf(text).searchProgram(), program));
  it('accepts nesting up to the limit', () => {
    const text = 'NOT '.repeat(MAX_NESTING_DEPTH) + 'ALL';
    assert.equal(readerOf(text).searchProgram().key.type, 'not');
  });
});

describe('searchProgram errors', () => {
  for (const [text, pattern] of errors) {
    it(`rejects ${JSON.stringify(text.slice(0, 40))}`, () => {
      assert.throws(
        () => readerOf(text).searchProgram(),
        (e: unknown) => e instanceof ParseError && pattern.test(e.message),
      );
    });
  }
});
