import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contains, forEachInSet, parseSequenceSet, setIntervals } from './sequence-set.js';
import { ParseError, type SequenceSet } from './types.js';

const parsed: Array<[string, SequenceSet]> = [
  ['1', { kind: 'set', ranges: [{ start: 1, end: 1 }] }],
  ['1:5', { kind: 'set', ranges: [{ start: 1, end: 5 }] }],
  ['5:1', { kind: 'set', ranges: [{ start: 5, end: 1 }] }],
  ['*', { kind: 'set', ranges: [{ start: null, end: null }] }],
  ['1:*', { kind: 'set', ranges: [{ start: 1, end: null }] }],
  ['*:3', { kind: 'set', ranges: [{ start: null, end: 3 }] }],
  ['2,4:7,9', { kind: 'set', ranges: [{ start: 2, end: 2 }, { start: 4, end: 7 }, { start: 9, end: 9 }] }],
  ['4294967295', { kind: 'set', ranges: [{ start: 4294967295, end: 4294967295 }] }],
  ['$', { kind: 'saved' }],
];

const invalid = ['', '0', '1:0', '0:*', '01', '1,', ',1', '1,,2', '1::2', '1:', ':1', '1:2:3', '4294967296', '$,1', '1,$', '$$', '**', 'a'];

const members: Array<[string, number, Array<[number, number]>]> = [
  ['1:5', 10, [[1, 5]]],
  ['5:1', 10, [[1, 5]]],
  ['1:*', 3, [[1, 3]]],
  ['*', 7, [[7, 7]]],
  ['100:*', 5, [[5, 5]]],
  ['2,4:7,9,3,5:6', 10, [[2, 7], [9, 9]]],
  ['8:20', 10, [[8, 10]]],
  ['1:*', 0, []],
  ['20:30', 10, []],
];

describe('parseSequenceSet', () => {
  for (const [text, expected] of parsed) it(text, () => assert.deepEqual(parseSequenceSet(text), expected));
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseSequenceSet(text), ParseError));
  }
});

describe('sequence set membership', () => {
  for (const [text, max, intervals] of members) {
    it(`${text} with max ${max}`, () => {
      const set = parseSequenceSet(text);
      assert.deepEqual(setIntervals(set, max), intervals);
      const seen: number[] = [];
      forEachInSet(set, max, (n) => seen.push(n));
      const expected = intervals.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i));
      assert.deepEqual(seen, expected);
      for (let n = 0; n <= max + 2; n++) assert.equal(contains(set, n, max), expected.includes(n), `n=${n}`);
    });
  }
  it('refuses "$" until it is resolved', () => {
    assert.throws(() => contains({ kind: 'saved' }, 1, 5), RangeError);
    assert.throws(() => forEachInSet({ kind: 'saved' }, 5, () => {}), RangeError);
  });
});
