import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseSubject } from './base-subject.js';

describe('baseSubject (RFC 5256 section 2.1)', () => {
  const table: Array<[string | null, string, boolean]> = [
    [null, '', false],
    ['', '', false],
    ['Hello', 'Hello', false],
    ['Re: Hello', 'Hello', true],
    ['RE: re: Fwd: FW: Hello', 'Hello', true],
    ['Re:Hello', 'Hello', true],
    ['Re : Hello', 'Hello', true],
    ['Re[2]: Hello', 'Hello', true],
    ['Re [2]: Hello', 'Hello', true],
    ['[list] Re: Hello', 'Hello', true],
    ['[list] [other] Re: Hello', 'Hello', true],
    ['[list] Hello', 'Hello', false],
    ['Re: [list] Re: Hello', 'Hello', true],
    ['[list]', '[list]', false],
    ['[a] [b]', '[b]', false],
    ['Hello (fwd)', 'Hello', true],
    ['Hello (FWD) (fwd)  ', 'Hello', true],
    ['[Fwd: Hello]', 'Hello', true],
    ['[fwd: Re: Hello (fwd)]', 'Hello', true],
    ['[Fwd: [fwd: Hello]]', 'Hello', true],
    ['Fwd: [Fwd: Hello]', 'Hello', true],
    ['  Hello\t\tworld  ', 'Hello world', false],
    ['Hello\r\n world', 'Hello world', false],
    ['Reply to me', 'Reply to me', false],
    ['Re: ', '', true],
    ['Fw:', '', true],
    ['Rex: Hello', 'Rex: Hello', false],
    ['AW: Hello', 'AW: Hello', false],
    ['=?UTF-8?Q?Re=3A_Gr=C3=BC=C3=9Fe?=', 'Grüße', true],
    ['Re: =?ISO-8859-1?Q?K=F6ln?= (fwd)', 'Köln', true],
  ];
  for (const [raw, subject, replyOrForward] of table) {
    it(JSON.stringify(raw), () => assert.deepEqual(baseSubject(raw), { subject, replyOrForward }));
  }
});

describe('baseSubject on long subjects', () => {
  it('removes 20,000 leading blobs and 20,000 "(fwd)" trailers', () => {
    assert.deepEqual(baseSubject('[x] '.repeat(20000) + 'Hello' + ' (fwd)'.repeat(20000)), { subject: 'Hello', replyOrForward: true });
    assert.deepEqual(baseSubject('[x]'.repeat(20000)), { subject: '[x]', replyOrForward: false });
    assert.deepEqual(baseSubject('Re: '.repeat(20000) + 'Hi'), { subject: 'Hi', replyOrForward: true });
  });
});
