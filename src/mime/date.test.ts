import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDate } from './date.js';

const utc = (s: string): number => Date.parse(s);

test('parseDate (RFC 5322 section 3.3 and obsolete forms of 4.3)', async (t) => {
  const cases: Array<[string, string | null, number | null]> = [
    ['RFC 5322', 'Mon, 1 Jan 2002 10:00:00 +0100', utc('2002-01-01T09:00:00Z')],
    ['no day name', '21 Nov 1997 09:55:06 -0600', utc('1997-11-21T15:55:06Z')],
    ['no seconds', 'Fri, 21 Nov 1997 09:55 GMT', utc('1997-11-21T09:55:00Z')],
    ['zone name EST', 'Fri, 21 Nov 1997 09:55:06 EST', utc('1997-11-21T14:55:06Z')],
    ['zone name PDT', 'Fri, 21 Nov 1997 09:55:06 PDT', utc('1997-11-21T16:55:06Z')],
    ['2-digit year 97', '21 Nov 97 09:55:06 GMT', utc('1997-11-21T09:55:06Z')],
    ['2-digit year 02', '1 Jan 02 00:00:00 +0000', utc('2002-01-01T00:00:00Z')],
    ['3-digit year', '1 Jan 102 00:00:00 +0000', utc('2002-01-01T00:00:00Z')],
    ['Y2K %04d year', 'Thu, 22 Aug 0102 12:07:35 +0800', utc('2002-08-22T04:07:35Z')],
    ['comment and zone', 'Wed, 20 Sep 1995 00:19:00 (EDT) -0400', utc('1995-09-20T04:19:00Z')],
    ['trailing zone comment', 'Tue, 1 Jul 2003 10:52:37 +0200 (CEST)', utc('2003-07-01T08:52:37Z')],
    ['folding whitespace', 'Mon,\r\n 1 Jan 2002\t10:00:00 +0100', utc('2002-01-01T09:00:00Z')],
    ['asctime', 'Mon Jan  1 10:00:00 2002', utc('2002-01-01T10:00:00Z')],
    ['dd-Mon-yyyy', '01-Jan-2002 10:00:00 +0000', utc('2002-01-01T10:00:00Z')],
    ['military zone is -0000', '1 Jan 2002 10:00:00 A', utc('2002-01-01T10:00:00Z')],
    ['ISO 8601', '2002-01-01T10:00:00Z', utc('2002-01-01T10:00:00Z')],
    ['missing time', '1 Jan 2002', utc('2002-01-01T00:00:00Z')],
    ['absent', null, null],
    ['garbage', 'yesterday', null],
    ['no year', 'Mon, 1 Jan', null],
  ];
  for (const [name, input, want] of cases) {
    await t.test(name, () => assert.equal(parseDate(input), want));
  }
});
