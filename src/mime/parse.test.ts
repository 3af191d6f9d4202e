/**
 * Table tests for parseMessage on small hand-written messages: exact offsets (checked both as numbers
 * and as the slices FETCH would serve, RFC 9051 section 6.4.5), sizes, lines, types and parameters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MimePart } from './types.js';
import { parseMessage } from './parse.js';
import { MAX_MIME_DEPTH, MAX_MIME_PARTS, MAX_SEARCH_TEXT_OCTETS } from '../limits.js';

const crlf = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');
const lf = (...lines: string[]): Buffer => Buffer.from(lines.join('\n'), 'utf8');
const text = (raw: Buffer, a: number, b: number): string => raw.toString('latin1', a, b);
const mime = (raw: Buffer, p: MimePart): string => text(raw, p.headerStart, p.headerEnd);
const body = (raw: Buffer, p: MimePart): string => text(raw, p.bodyStart, p.bodyEnd);
/** Byte offset of the first `needle` in `raw` at or after `from`. */
const at = (raw: Buffer, needle: string, from = 0): number => raw.indexOf(needle, from, 'latin1');

test('single part', () => {
  const raw = crlf('From: a@b.test', 'Subject: hi', '', 'Hello', 'World', '');
  const { structure: s } = parseMessage(raw);
  assert.deepEqual([s.headerStart, s.headerEnd, s.bodyStart, s.bodyEnd, s.bodyLines], [0, 31, 31, 45, 2]);
  assert.equal(mime(raw, s), 'From: a@b.test\r\nSubject: hi\r\n\r\n');
  assert.equal(body(raw, s), 'Hello\r\nWorld\r\n');
  assert.deepEqual([s.type, s.subtype, s.params, s.encoding, s.parts, s.message], ['text', 'plain', [], null, [], null]);
});

test('multipart/alternative: CRLF before a delimiter belongs to the delimiter (RFC 2046 section 5.1.1)', () => {
  const raw = crlf(
    'Content-Type: multipart/alternative; boundary="XX"', '',
    '--XX', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', 'plain', 'two', '',
    '--XX', 'Content-Type: text/html', '', '<p>html</p>',
    '--XX--', '',
  );
  const { structure: s } = parseMessage(raw);
  assert.equal(s.type + '/' + s.subtype, 'multipart/alternative');
  assert.deepEqual(s.params, [['boundary', 'XX']]);
  assert.equal(s.headerEnd, 54);
  assert.equal(s.bodyEnd, raw.length);
  const [p1, p2] = s.parts;
  assert.equal(s.parts.length, 2);
  assert.equal(p1.headerStart, at(raw, 'Content-Type: text/plain'));
  assert.equal(mime(raw, p1), 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n');
  assert.equal(body(raw, p1), 'plain\r\ntwo\r\n');
  assert.deepEqual([p1.bodyEnd - p1.bodyStart, p1.bodyLines, p1.encoding], [12, 2, '8bit']);
  assert.deepEqual(p1.params, [['charset', 'utf-8']]);
  assert.equal(body(raw, p2), '<p>html</p>');
  assert.deepEqual([p2.type, p2.subtype, p2.bodyEnd - p2.bodyStart, p2.bodyLines], ['text', 'html', 11, 1]);
  assert.equal(p2.bodyEnd, at(raw, '\r\n--XX--'));
});

test('nested multipart/mixed with message/rfc822 containing a multipart', () => {
  const raw = crlf(
    'From: Outer <outer@x.test>', 'Subject: outer', 'Content-Type: multipart/mixed; boundary=outer', '',
    '--outer', 'Content-Type: text/plain', '', 'first',
    '--outer', 'Content-Type: message/rfc822', 'Content-Description: fwd', '',
    'From: Inner <inner@y.test>', 'Subject: inner', 'Content-Type: multipart/alternative; boundary=inner', '',
    '--inner', '', 'inner plain',
    '--inner', 'Content-Type: text/html', '', '<b>x</b>',
    '--inner--',
    '--outer--', '',
  );
  const { structure: s, envelope } = parseMessage(raw);
  assert.equal(envelope.subject, 'outer');
  assert.equal(s.parts.length, 2);
  const [p1, p2] = s.parts;
  assert.equal(body(raw, p1), 'first');
  assert.deepEqual([p2.type, p2.subtype, p2.description], ['message', 'rfc822', 'fwd']);
  const m = p2.message!;
  assert.equal(m.headerStart, p2.bodyStart);
  assert.equal(mime(raw, m), 'From: Inner <inner@y.test>\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n');
  assert.equal(p2.bodyEnd, at(raw, '\r\n--outer--'));
  assert.equal(body(raw, p2).endsWith('--inner--'), true);
  assert.equal(p2.bodyLines, 12);
  assert.equal(p2.envelope?.subject, 'inner');
  assert.deepEqual(p2.envelope?.from, [{ name: 'Inner', adl: null, mailbox: 'inner', host: 'y.test' }]);
  assert.deepEqual([m.type, m.subtype, m.parts.length], ['multipart', 'alternative', 2]);
  assert.deepEqual([m.parts[0].headerStart, m.parts[0].headerEnd], [at(raw, '\r\n', at(raw, '--inner')) + 2, at(raw, 'inner plain')]);
  assert.equal(mime(raw, m.parts[0]), '\r\n');
  assert.equal(body(raw, m.parts[0]), 'inner plain');
  assert.equal(body(raw, m.parts[1]), '<b>x</b>');
});

test('missing close delimiter: the last part runs to the end of the multipart body', () => {
  const raw = crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'one', '--b', 'Content-Type: text/plain', '', 'two', 'lines', '');
  const { structure: s } = parseMessage(raw);
  assert.equal(s.parts.length, 2);
  assert.equal(body(raw, s.parts[0]), 'one');
  assert.equal(body(raw, s.parts[1]), 'two\r\nlines\r\n');
  assert.equal(s.parts[1].bodyEnd, raw.length);
  assert.equal(s.parts[1].bodyLines, 2);
});

test('preamble and epilogue belong to no part', () => {
  const raw = crlf('Content-Type: multipart/mixed; boundary=b', '', 'preamble text', '--b', '', 'only', '--b--', 'epilogue', 'more', '');
  const { structure: s } = parseMessage(raw);
  assert.equal(s.parts.length, 1);
  const [p] = s.parts;
  assert.equal(p.headerStart, at(raw, '--b') + 5);
  assert.equal(body(raw, p), 'only');
  assert.equal(body(raw, s), 'preamble text\r\n--b\r\n\r\nonly\r\n--b--\r\nepilogue\r\nmore\r\n');
  assert.equal(s.bodyLines, 7);
});

test('bare LF message: line ends are LF, offsets still exact', () => {
  const raw = lf('Subject: lf', 'Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain', '', 'a', 'b', '--b--', '');
  const { structure: s, envelope } = parseMessage(raw);
  assert.equal(envelope.subject, 'lf');
  assert.equal(mime(raw, s), 'Subject: lf\nContent-Type: multipart/mixed; boundary=b\n\n');
  const [p] = s.parts;
  assert.equal(mime(raw, p), 'Content-Type: text/plain\n\n');
  assert.equal(body(raw, p), 'a\nb');
  assert.deepEqual([p.bodyEnd - p.bodyStart, p.bodyLines], [3, 2]);
});

test('mixed line ends: CRLF header, LF body, LF before a delimiter', () => {
  const raw = Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\nx\n--b--\n');
  const { structure: s } = parseMessage(raw);
  assert.equal(mime(raw, s.parts[0]), '\n');
  assert.equal(body(raw, s.parts[0]), 'x');
});

test('no blank line after the header: the whole message is header, body empty', () => {
  const raw = crlf('Subject: x', 'From: y@z.test', '');
  const { structure: s, envelope } = parseMessage(raw);
  assert.deepEqual([s.headerStart, s.headerEnd, s.bodyStart, s.bodyEnd, s.bodyLines], [0, raw.length, raw.length, raw.length, 0]);
  assert.equal(envelope.subject, 'x');
  const noEol = Buffer.from('Subject: x');
  assert.deepEqual(parseMessage(noEol).structure.headerEnd, noEol.length);
});

test('a part whose blank line is the CRLF before the delimiter has an empty body', () => {
  const raw = crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain', '', '--b', 'Content-Type: text/html', '--b--');
  const { structure: s } = parseMessage(raw);
  const [p1, p2] = s.parts;
  // The blank line is the delimiter's line break, so BODY[1.MIME] ends before it, as in Dovecot.
  assert.equal(mime(raw, p1), 'Content-Type: text/plain\r\n');
  assert.deepEqual([p1.bodyStart, p1.bodyEnd, p1.bodyLines], [p1.headerEnd, p1.headerEnd, 0]);
  assert.equal(mime(raw, p2), 'Content-Type: text/html'); // no blank line: the header is all there is
  assert.equal(p2.subtype, 'html');
  assert.equal(p2.bodyEnd - p2.bodyStart, 0);
});

test('RFC 2231 filename and name', () => {
  const raw = crlf(
    'Content-Type: multipart/mixed; boundary=b', '', '--b',
    "Content-Type: application/octet-stream; name*=iso-8859-1''caf%E9.bin",
    'Content-Disposition: attachment;', " filename*0*=utf-8''%E2%82%AC%20rates;", ' filename*1=".txt"; size=3',
    'Content-Transfer-Encoding: BASE64', 'Content-ID: <id1@x.test>', 'Content-Language: en, de', 'Content-Location: http://x.test/a',
    'Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==', '', 'YWJj', '--b--', '',
  );
  const [p] = parseMessage(raw).structure.parts;
  assert.deepEqual(p.params, [['name', 'café.bin']]);
  assert.deepEqual(p.disposition, { value: 'attachment', params: [['filename', '€ rates.txt'], ['size', '3']] });
  assert.deepEqual([p.encoding, p.id, p.language, p.location, p.md5], ['base64', '<id1@x.test>', ['en', 'de'], 'http://x.test/a', 'Q2hlY2sgSW50ZWdyaXR5IQ==']);
});

test('content-type defaults and fallbacks', async (t) => {
  await t.test('unparseable type is text/plain (as Dovecot)', () => {
    const { structure: s } = parseMessage(crlf('Content-Type: garbage', '', 'x'));
    assert.deepEqual([s.type, s.subtype, s.params], ['text', 'plain', []]);
  });
  await t.test('multipart without boundary is a text/plain leaf', () => {
    const { structure: s } = parseMessage(crlf('Content-Type: multipart/mixed', '', '--x', '', 'y', '--x--'));
    assert.deepEqual([s.type, s.subtype, s.parts.length], ['text', 'plain', 0]);
  });
  await t.test('multipart with no delimiter gets one empty text/plain child', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=zz', '', 'no parts here', '');
    const { structure: s } = parseMessage(raw);
    assert.equal(s.parts.length, 1);
    const [c] = s.parts;
    assert.deepEqual([c.type, c.subtype, c.headerStart, c.bodyEnd], ['text', 'plain', raw.length, raw.length]);
  });
  await t.test('digest parts default to message/rfc822 (RFC 2046 section 5.1.5)', () => {
    const raw = crlf('Content-Type: multipart/digest; boundary=d', '', '--d', '', 'Subject: one', '', 'body1', '--d', 'Content-Type: text/plain', '', 'body2', '--d--');
    const { structure: s } = parseMessage(raw);
    assert.deepEqual(s.parts.map((p) => `${p.type}/${p.subtype}`), ['message/rfc822', 'text/plain']);
    assert.equal(s.parts[0].envelope?.subject, 'one');
    assert.equal(body(raw, s.parts[0].message!), 'body1');
  });
  await t.test('a boundary that is a prefix of a nested boundary is not confused', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: multipart/alternative; boundary=b-in', '',
      '--b-in', '', 'x', '--b-in', '', 'y', '--b-in--', '--b', '', 'z', '--b--');
    const { structure: s } = parseMessage(raw);
    assert.equal(s.parts.length, 2);
    assert.deepEqual(s.parts[0].parts.map((p) => body(raw, p)), ['x', 'y']);
    assert.equal(body(raw, s.parts[1]), 'z');
  });
});

test('envelope: groups, defaults, raw strings (RFC 9051 section 7.5.2)', async (t) => {
  await t.test('group addresses', () => {
    const { envelope } = parseMessage(crlf('From: a@b.test', 'To: undisclosed-recipients:;', 'Cc: Team: x@y.test, "Z" <z@y.test>;', '', ''));
    assert.deepEqual(envelope.to, [{ name: null, adl: null, mailbox: 'undisclosed-recipients', host: null }, { name: null, adl: null, mailbox: null, host: null }]);
    assert.deepEqual(envelope.cc?.map((a) => [a.name, a.mailbox, a.host]), [[null, 'Team', null], [null, 'x', 'y.test'], ['Z', 'z', 'y.test'], [null, null, null]]);
  });
  await t.test('missing Sender and empty Reply-To default to From', () => {
    const { envelope } = parseMessage(crlf('From: "A" <a@b.test>', 'Reply-To: ', 'Date: Mon, 1 Jan 2002 10:00:00 +0100', '', ''));
    const from = [{ name: 'A', adl: null, mailbox: 'a', host: 'b.test' }];
    assert.deepEqual([envelope.from, envelope.sender, envelope.replyTo], [from, from, from]);
    assert.deepEqual([envelope.to, envelope.cc, envelope.bcc, envelope.inReplyTo, envelope.messageId], [null, null, null, null, null]);
    assert.equal(envelope.date, 'Mon, 1 Jan 2002 10:00:00 +0100');
  });
  await t.test('raw unfolded values, not RFC 2047 decoded; 8-bit as UTF-8 else kept as raw octets', () => {
    const raw = Buffer.concat([
      crlf('Subject: =?utf-8?q?caf=C3=A9?=', ' folded', 'Message-ID: <m@x.test>', 'In-Reply-To: <p@x.test>', 'From: Jörg <j@x.test>', 'To: '),
      Buffer.from([0xe9]), crlf(' <e@x.test>', '', ''),
    ]);
    const { envelope, searchText } = parseMessage(raw);
    assert.equal(envelope.subject, '=?utf-8?q?caf=C3=A9?= folded');
    assert.deepEqual([envelope.messageId, envelope.inReplyTo], ['<m@x.test>', '<p@x.test>']);
    assert.equal(envelope.from?.[0].name, 'Jörg');
    // 0xE9 alone is no UTF-8: it stays the byte it was (protocol/octets.ts), for FETCH ENVELOPE to send back.
    assert.equal(envelope.to?.[0].name, '\udce9');
    assert.match(searchText.headers, /^Subject: café folded\n/);
    assert.match(searchText.headers, /\nTo: é <e@x.test>\n/);
  });
  await t.test('sentDate from Date', () => {
    assert.equal(parseMessage(crlf('Date: Mon, 1 Jan 2002 10:00:00 +0100', '', '')).sentDate, Date.parse('2002-01-01T09:00:00Z'));
    assert.equal(parseMessage(crlf('Date: whenever', '', '')).sentDate, null);
  });
});

test('empty message', () => {
  const p = parseMessage(Buffer.alloc(0));
  const s = p.structure;
  assert.deepEqual([s.headerStart, s.headerEnd, s.bodyStart, s.bodyEnd, s.bodyLines, s.type, s.subtype], [0, 0, 0, 0, 0, 'text', 'plain']);
  assert.deepEqual(Object.values(p.envelope), Array(10).fill(null));
  assert.equal(p.sentDate, null);
  assert.deepEqual(p.searchText, { headers: '', body: '' });
});

test('search text: decoded bodies, inner message headers, windows-1252 fallback', () => {
  const raw = crlf(
    'Subject: =?iso-8859-1?q?caf=E9?=', 'Content-Type: multipart/mixed; boundary=b', '',
    '--b', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable', '', 'caf=E9 =80 soft=', 'break',
    '--b', 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from('<p>Grüße</p>').toString('base64'),
    '--b', 'Content-Type: image/png', 'Content-Transfer-Encoding: base64', '', 'iVBORw0KGgo=',
    '--b', 'Content-Type: message/rfc822', '', 'Subject: =?koi8-r?B?8NLJ18XU?=', '', 'inner text',
    '--b', 'Content-Type: text/plain; charset=iso-2022-jp', '', Buffer.from('GyRCJUYlOSVIGyhC', 'base64').toString('latin1'),
    '--b--', '',
  );
  const { searchText } = parseMessage(raw);
  assert.equal(searchText.headers, 'Subject: café\nContent-Type: multipart/mixed; boundary=b\n');
  assert.equal(searchText.body, 'café € softbreak\n<p>Grüße</p>\nSubject: Привет\n\ninner text\nテスト');
});

test('limits: nesting deeper than MAX_MIME_DEPTH becomes an opaque leaf', () => {
  const levels = MAX_MIME_DEPTH + 10;
  let text = '';
  for (let i = 0; i < levels; i++) text += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
  text += 'Content-Type: text/plain\r\n\r\ndeep\r\n';
  for (let i = levels - 1; i >= 0; i--) text += `--b${i}--\r\n`;
  const raw = Buffer.from(text);
  let p = parseMessage(raw).structure;
  let depth = 0;
  while (p.parts.length > 0) {
    p = p.parts[0];
    depth++;
  }
  assert.equal(depth, MAX_MIME_DEPTH);
  assert.deepEqual([p.type, p.subtype], ['application', 'octet-stream']);
});

test('limits: at most MAX_MIME_PARTS parts; search text capped in UTF-8 octets', () => {
  const part = '--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' + 'é'.repeat(200) + '\r\n';
  const raw = Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\n' + part.repeat(MAX_MIME_PARTS + 50) + '--b--\r\n');
  const { structure, searchText } = parseMessage(raw);
  assert.equal(structure.parts.length, MAX_MIME_PARTS - 1); // the root is a part too
  assert.ok(Buffer.byteLength(searchText.body) <= MAX_SEARCH_TEXT_OCTETS);
  assert.ok(Buffer.byteLength(searchText.body) > MAX_SEARCH_TEXT_OCTETS - 4);
  assert.ok(!searchText.body.includes('\ufffd'));
});

test('never throws on garbage, binary and truncated input', () => {
  const samples: Buffer[] = [
    Buffer.from('\r\n'), Buffer.from('\n\n\n'), Buffer.from(':'), Buffer.from('\x00\xff\xfe'.repeat(100), 'latin1'),
    Buffer.from('Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--\r\n'),
    Buffer.from('Content-Type: multipart/mixed; boundary="\r\n\r\n--"\r\n'),
    Buffer.from('Content-Type: message/rfc822\r\n\r\n'),
    Buffer.from('Content-Type: multipart/mixed; boundary=a\r\n\r\n--a'),
    Buffer.from('Content-Type: multipart/mixed; boundary=a\r\n\r\n--a--'),
    Buffer.from('Content-Type: text/plain; charset=utf-16\r\nContent-Transfer-Encoding: base64\r\n\r\n////\r\n'),
    Buffer.from('Content-Type: text/plain; charset="\r\n\r\nx'),
    Buffer.from('Content-Type: text/plain; filename*0*=x\'\'%ZZ; filename*99999*=%\r\n\r\n'),
    Buffer.from('From: <<<@@@>>>,,,:;;: "unterminated\r\nTo: (((\r\nDate: 99 Foo 99999 99:99:99\r\n\r\n'),
  ];
  let seed = 7;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const alphabet = ['\r\n', '\n', '--b', '--b--', 'Content-Type: multipart/mixed; boundary=b', 'Content-Type: message/rfc822', ': ', ' ', '=?utf-8?b?', '?=', '"', '(', '<', '@', 'x'];
  for (let i = 0; i < 500; i++) {
    let s = '';
    const n = Math.floor(rand() * 60);
    for (let j = 0; j < n; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
    samples.push(Buffer.from(s));
  }
  for (const raw of samples) {
    const { structure } = parseMessage(raw);
    assert.ok(structure.bodyEnd <= raw.length && structure.headerStart === 0);
  }
});

test('Content-Transfer-Encoding of several words is the default, an empty one is unknown (as Dovecot)', () => {
  const raw = crlf(
    'Content-Type: multipart/mixed; boundary=b', '', '--b',
    'Content-Transfer-Encoding: 8 bit', '', 'x', '--b',
    'Content-Transfer-Encoding: ', '', 'y', '--b',
    'Content-Transfer-Encoding: 8bit (comment)', '', 'z', '--b--', '',
  );
  const [p1, p2, p3] = parseMessage(raw).structure.parts;
  assert.equal(p1.encoding, null);
  assert.equal(p2.encoding, '');
  assert.equal(p3.encoding, '8bit');
});

test('search text: feedback reports and external-body headers are text; an unknown encoding is not (RFC 2045 section 6.4)', () => {
  const raw = crlf(
    'Content-Type: multipart/mixed; boundary=b', '', '--b',
    'Content-Type: message/feedback-report', '', 'Reported-Uri: http://x.test/a.html', '--b',
    'Content-Type: message/external-body; access-type=local-file; name=x', '', 'Content-Type: text/plain', '', '--b',
    'Content-Type: text/plain', 'Content-Transfer-Encoding: ', '', 'hidden words', '--b--', '',
  );
  const { body } = parseMessage(raw).searchText;
  assert.match(body, /a\.html/);
  assert.match(body, /Content-Type: text\/plain/);
  assert.doesNotMatch(body, /hidden/);
});
