import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessage } from './parse.js';
import { partHeaderText } from './part-headers.js';

/** crlf joins lines with CRLF (and ends with CRLF). */
const crlf = (...lines: string[]): Buffer => Buffer.from(lines.map((l) => l + '\r\n').join(''), 'utf8');

describe('partHeaderText', () => {
  it('is empty for a one-part message (its MIME fields are in the message header)', () => {
    assert.equal(partHeaderText(parseMessage(crlf('Content-Type: text/plain', '', 'x')).structure), '');
  });

  it('lists every part below the root, inside an attached message too, with decoded parameters', () => {
    const raw = crlf(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'hi',
      '--b',
      'Content-Type: application/pdf',
      'Content-Transfer-Encoding: base64',
      "Content-Disposition: attachment; filename*=utf-8''Gr%C3%BC%C3%9Fe.pdf",
      'Content-Description: =?UTF-8?Q?K=C3=B6ln?=',
      'Content-ID: <p@x>',
      'Content-Language: de',
      '',
      'JVBERi0K',
      '--b',
      'Content-Type: message/rfc822',
      '',
      'Subject: inner',
      'Content-Type: multipart/alternative; boundary=c',
      '',
      '--c',
      'Content-Type: text/html',
      'Content-Location: http://x.example/',
      '',
      '<p>',
      '--c--',
      '--b--',
    );
    assert.equal(
      partHeaderText(parseMessage(raw).structure),
      [
        'Content-Type: text/plain; charset=utf-8',
        'Content-Type: application/pdf',
        'Content-Transfer-Encoding: base64',
        'Content-ID: <p@x>',
        'Content-Description: Köln',
        'Content-Disposition: attachment; filename=Grüße.pdf',
        'Content-Language: de',
        'Content-Type: message/rfc822',
        'Content-Type: text/html',
        'Content-Location: http://x.example/',
      ].join('\n'),
    );
  });
});
