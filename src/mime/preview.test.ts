/** buildPreview (RFC 8970) on messages parsed by the MIME layer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPreview } from './preview.js';
import { parseStructure } from './structure.js';

const crlf = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
const preview = (raw: Buffer): string => buildPreview(raw, parseStructure(raw).root);

describe('buildPreview', () => {
  it('collapses white space of a plain text body', () => {
    assert.equal(preview(crlf('Subject: x', '', '  Hello,', '', '\tthis  is\ta test.  ')), 'Hello, this is a test.');
  });

  it('strips HTML tags, comments, style and script, and decodes entities', () => {
    const raw = crlf(
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><head><title>T</title><style>p {color: red}</style></head>',
      '<body><!-- hidden --><p>Caf&eacute; &amp; <b>bar</b>&nbsp;&#x263A; &#65;</p><p>&Eacute;t&eacute; &hellip; &bogus;</p><script>alert(1)</script></body></html>',
    );
    assert.equal(preview(raw), 'Café & bar \u263a A \u00c9té \u2026 &bogus;');
  });

  it('prefers text/plain in multipart/alternative and decodes transfer encoding and charset', () => {
    const raw = crlf(
      'Content-Type: multipart/alternative; boundary=b',
      '',
      '--b',
      'Content-Type: text/html',
      '',
      '<p>html version</p>',
      '--b',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Gr=FC=DFe aus K=F6ln',
      '--b--',
    );
    assert.equal(preview(raw), 'Grüße aus Köln');
  });

  it('skips attachments and encapsulated messages; no text part gives ""', () => {
    const raw = crlf(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      'Content-Disposition: attachment; filename=a.txt',
      '',
      'attached',
      '--b',
      'Content-Type: message/rfc822',
      '',
      'Subject: inner',
      '',
      'inner body',
      '--b',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      '',
      'iVBORw0KGgo=',
      '--b--',
    );
    assert.equal(preview(raw), '');
  });

  it('stops at 256 characters (code points, not UTF-16 units)', () => {
    const raw = Buffer.from(`Content-Type: text/plain; charset=utf-8\r\n\r\n${'\u{1F600}'.repeat(300)}\r\n`);
    const p = preview(raw);
    assert.equal(Array.from(p).length, 256);
    assert.equal(p, '\u{1F600}'.repeat(256));
  });
});
