import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDate, parseDateTime } from './datetime.js';
import { ParseError } from './types.js';

const dates: Array<[string, string]> = [
  ['1-Jan-2024', '2024-01-01'],
  ['01-jan-2024', '2024-01-01'],
  ['31-DEC-1999', '1999-12-31'],
  ['29-Feb-2024', '2024-02-29'],
  ['29-Feb-2000', '2000-02-29'],
  ['30-Apr-2024', '2024-04-30'],
  ['5-Jun-0099', '0099-06-05'],
];

const badDates = ['', '1-Jan-24', '32-Jan-2024', '0-Jan-2024', '29-Feb-2023', '29-Feb-1900', '31-Jun-2024',
  '1-Foo-2024', '1 Jan 2024', '001-Jan-2024', '1-Jan-2024 ', 'a-Jan-2024', '1-Jan-20a4'];

const dateTimes: Array<[string, number]> = [
  ['21-Nov-2026 08:05:09 +0100', Date.UTC(2026, 10, 21, 7, 5, 9)],
  [' 1-Nov-2026 08:05:09 -0230', Date.UTC(2026, 10, 1, 10, 35, 9)],
  ['1-Nov-2026 08:05:09 +0000', Date.UTC(2026, 10, 1, 8, 5, 9)],
  ['01-jan-1970 00:00:00 +0000', 0],
  ['31-Dec-1969 23:00:00 -0100', 0],
  ['01-Jan-2000 00:30:00 +1400', Date.UTC(1999, 11, 31, 10, 30, 0)],
  ['29-Feb-2024 23:59:60 +0000', Date.UTC(2024, 2, 1, 0, 0, 0)],
];

const badDateTimes = ['', '21-Nov-2026 08:05:09', '21-Nov-2026 08:05:09 0100', '21-Nov-2026 24:00:00 +0000',
  '21-Nov-2026 08:60:00 +0000', '21-Nov-2026 08:05:61 +0000', '21-Nov-2026 08:05:09 +0160', '21-Nov-2026 8:05:09 +0000',
  '31-Nov-2026 08:05:09 +0000', '21-Nov-2026  08:05:09 +0000', '21-Nov-2026T08:05:09 +0000', '21-Nov-2026 08-05-09 +0000'];

describe('parseDate', () => {
  for (const [text, expected] of dates) it(text, () => assert.equal(parseDate(text), expected));
  for (const text of badDates) it(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseDate(text), ParseError));
});

describe('parseDateTime', () => {
  for (const [text, expected] of dateTimes) it(text, () => assert.equal(parseDateTime(text), expected));
  for (const text of badDateTimes) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseDateTime(text), ParseError));
  }
});
