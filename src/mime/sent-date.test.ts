import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSentDate } from './sent-date.js';

/** The instant, 10 Jun 2002 at hh:mm:ss UTC. */
const at = (h: number, m = 0, s = 30, day = 10): number => Date.UTC(2002, 5, day, h, m, s);

describe('parseSentDate (what Dovecot 2.3.19 sorts by, probed with SORT (DATE))', () => {
  const table: Array<[string | null, number | null]> = [
    ['Mon, 10 Jun 2002 12:00:30 +0000', at(12)],
    ['Mon, 10 Jun 2002 12:00:30 -1200', at(0, 0, 30, 11)],
    ['Mon, 10 Jun 2002 12:00:30 -1900', at(7, 0, 30, 11)],
    ['Mon, 10 Jun 2002 12:00:30 +1400', at(22, 0, 30, 9)],
    ['Mon, 10 Jun 2002 12:00:30 -0060', at(13)],
    ['Mon, 10 Jun 2002 12:00:30 +-0500', at(12)],
    ['Mon, 10 Jun 2002 12:00:30 EST', at(17)],
    ['Mon, 10 Jun 2002 12:00:30 PDT', at(19)],
    ['Mon, 10 Jun 2002 12:00:30 Z', at(12)],
    ['Mon, 10 Jun 2002 12:00:30 A', at(11)],
    ['Mon, 10 Jun 2002 12:00:30 Y', at(0, 0, 30, 11)],
    ['Mon, 10 Jun 2002 12:00:30 XYZ', at(12)],
    ['Mon, 10 Jun 2002 12:00:30', at(12)],
    ['Mon, 10 Jun 2002 12:00 +0100', at(11, 0, 0)],
    ['10 Jun 02 12:00:30 +0100', at(11)],
    ['Mon, 10 June 2002 12:00:30 +0100', at(11)],
    ['Mon, 10 Jun 2002 12.00.30 +0100', at(11)],
    ['Mon, 10 Jun 2002 12:00:30 +0100 (CET)', at(11)],
    ['Mon, 10 Jun 2002 1:00:30 +0100', at(0)],
    ['Mon,10 Jun 2002 12:00:30 +0100', at(11)],
    ['Mon, 10 Jun 2002 12: 00:30 +0100', at(11)],
    ['Mon, 10 Jun 2002 12:00:30 +0100 foo', at(11)],
    ['(comment) Mon, 10 Jun 2002 12:00:30 GMT', at(12)],
    [null, null],
    ['', null],
    ['10 Jun 69 12:00:30 +0100', null],
    ['Mon 10 Jun 2002 12:00:30 +0100', null],
    ['Mon, 10 Jun 1960 12:00:30 +0100', null],
    ['Mon, 04 Feb 0102 21:08:54 +0700', null],
    ['Mon, 27 May 2002 10:28:3 +0200', null],
    ['Mon, 22 Jul 2002 0:4:52 +-0500', null],
    ['Mon, 10 Jun 2002 25:00:30 +0100', null],
    ['Mon, 32 Jun 2002 12:00:30 +0100', null],
    ['Mon, 31 Jun 2002 12:00:30 +0100', null],
    ['Monday, 10 Jun 2002 12:00:30 +0100', null],
    ['Mon, 10-Jun-2002 12:00:30 +0100', null],
    ['Mon, 10 Jun 2002 12:00:61 +0100', null],
    ['2002/09/14 Sat 02:29:32 CDT', null],
    ['Thu, 1 Jan 1970 00:00:00 +0000', null],
  ];
  for (const [value, want] of table) it(JSON.stringify(value), () => assert.equal(parseSentDate(value), want));
});
