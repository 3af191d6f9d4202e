import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveOptions, formatSearchReply, returnedSubset } from './respond.js';

describe('formatSearchReply', () => {
  const opts = (...o: string[]): Set<string> => new Set(o);
  const table: Array<[string, Parameters<typeof formatSearchReply>[0], string | null]> = [
    ['IMAP4rev1 SEARCH', { tag: 'A1', uid: false, ids: [2, 5, 9], options: null, modseq: null }, 'SEARCH 2 5 9'],
    ['IMAP4rev1 empty', { tag: 'A1', uid: false, ids: [], options: null, modseq: null }, 'SEARCH'],
    ['IMAP4rev1 with MODSEQ', { tag: 'A1', uid: true, ids: [4], options: null, modseq: 917162500 }, 'SEARCH 4 (MODSEQ 917162500)'],
    ['ESEARCH ALL', { tag: 'A1', uid: true, ids: [1, 2, 3, 7], options: opts('ALL'), modseq: null }, 'ESEARCH (TAG "A1") UID ALL 1:3,7'],
    ['ESEARCH empty ALL', { tag: 'A1', uid: false, ids: [], options: opts('ALL'), modseq: null }, 'ESEARCH (TAG "A1")'],
    ['ESEARCH MIN MAX COUNT', { tag: 'a"b', uid: false, ids: [3, 4, 10], options: opts('MIN', 'MAX', 'COUNT'), modseq: null }, 'ESEARCH (TAG "a\\"b") MIN 3 MAX 10 COUNT 3'],
    ['ESEARCH empty COUNT', { tag: 'A1', uid: true, ids: [], options: opts('MIN', 'COUNT'), modseq: 7 }, 'ESEARCH (TAG "A1") UID COUNT 0'],
    ['ESEARCH with MODSEQ', { tag: 'A1', uid: false, ids: [5], options: opts('ALL'), modseq: 7 }, 'ESEARCH (TAG "A1") ALL 5 MODSEQ 7'],
    ['SAVE alone sends nothing', { tag: 'A1', uid: false, ids: [5], options: opts('SAVE'), modseq: null }, null],
    ['SAVE with COUNT', { tag: 'A1', uid: false, ids: [5], options: opts('SAVE', 'COUNT'), modseq: null }, 'ESEARCH (TAG "A1") COUNT 1'],
  ];
  for (const [name, reply, want] of table) {
    it(name, () => assert.equal(formatSearchReply(reply), want));
  }
});

describe('effectiveOptions', () => {
  it('no RETURN: null for IMAP4rev1, ALL for IMAP4rev2', () => {
    assert.equal(effectiveOptions(null, false), null);
    assert.deepEqual(effectiveOptions(null, true), new Set(['ALL']));
  });
  it('RETURN () is RETURN (ALL)', () => assert.deepEqual(effectiveOptions([], false), new Set(['ALL'])));
});

describe('returnedSubset', () => {
  const table: Array<[string[], number[]]> = [
    [['SAVE'], [1, 5, 9]],
    [['SAVE', 'MIN'], [1]],
    [['SAVE', 'MAX'], [9]],
    [['SAVE', 'MIN', 'MAX'], [1, 9]],
    [['SAVE', 'MIN', 'COUNT'], [1, 5, 9]],
    [['SAVE', 'MIN', 'ALL'], [1, 5, 9]],
  ];
  for (const [o, want] of table) {
    it(o.join(' '), () => assert.deepEqual(returnedSubset([1, 5, 9], new Set(o)), want));
  }
  it('MIN MAX of a single match', () => assert.deepEqual(returnedSubset([4], new Set(['MIN', 'MAX'])), [4]));
});
