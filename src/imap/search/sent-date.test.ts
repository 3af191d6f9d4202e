import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sentDay } from './sent-date.js';

describe('sentDay', () => {
  const table: Array<[string | null, string | null]> = [
    ['Mon, 2 Nov 2026 23:30:00 -0800', '2026-11-02'],
    ['Tue, 3 Nov 2026 00:30:00 +0200 (EET)', '2026-11-03'],
    ['3 Nov 2026 00:30 EST', '2026-11-03'],
    ['Tue, 3 Nov 26 23:59:59 GMT+1', '2026-11-03'],
    ['Mon Jan  1 23:00:00 PST 2002', '2002-01-01'],
    ['Wed, 11 Nov 2026', '2026-11-11'],
    ['2026-11-02T23:30:00-08:00', '2026-11-02'],
    ['not a date', null],
    [null, null],
  ];
  for (const [value, want] of table) {
    it(String(value), () => assert.equal(sentDay(value), want));
  }
});
