import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStructure } from '../../mime/structure.js';
import type { Section, SectionText } from '../../protocol/types.js';
import { binaryBytes } from './binary.js';
import { applyPartial, filterHeader, findPart, sectionBytes } from './sections.js';
import { crlf, part } from '../../../test/support/mailbox.js';

const HEADER = [
  'From: a@example.com',
  'To: b@example.com',
  'Subject: test',
  ' folded',
  'X-Multi: one',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  'x-multi: two',
  '',
];
const TEXT = [
  'preamble',
  '--b1',
  'Content-Type: text/plain',
  '',
  'part one',
  '--b1',
  'Content-Type: message/rfc822',
  '',
  'Subject: inner',
  'Content-Type: multipart/alternative; boundary=b2',
  '',
  '--b2',
  'Content-Type: text/plain',
  '',
  'inner plain',
  '--b2',
  'Content-Type: text/html',
  '',
  '<p>inner</p>',
  '--b2--',
  '--b1',
  'Content-Type: message/rfc822',
  '',
  'Subject: simple',
  '',
  'simple body',
  '--b1--',
];
const nested = crlf(...HEADER, ...TEXT);
const nestedRoot = parseStructure(nested).root;

const single = crlf('Subject: x', 'Content-Type: text/plain', '', 'body');
const singleRoot = parseStructure(single).root;

function sec(spec: string): Section {
  // A tiny parser for test readability: "2.1", "2.HEADER", "HEADER.FIELDS (A B)", "".
  const m = /^((?:\d+\.?)*?)\.?(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME)?(?: \((.*)\))?$/.exec(spec)!;
  const part = m[1] ? m[1].split('.').filter(Boolean).map(Number) : [];
  const fields = m[3] ? m[3].split(' ') : [];
  const kinds: Record<string, SectionText> = {
    HEADER: { kind: 'header' },
    'HEADER.FIELDS': { kind: 'header.fields', fields },
    'HEADER.FIELDS.NOT': { kind: 'header.fields.not', fields },
    TEXT: { kind: 'text' },
    MIME: { kind: 'mime' },
  };
  return { part, text: m[2] ? kinds[m[2]]! : { kind: 'all' } };
}

describe('sectionBytes on a nested message', () => {
  const table: Array<[string, string]> = [
    ['HEADER', crlf(...HEADER).toString()],
    ['HEADER.FIELDS (SUBJECT x-MULTI)', 'Subject: test\r\n folded\r\nX-Multi: one\r\nx-multi: two\r\n\r\n'],
    ['HEADER.FIELDS.NOT (subject X-Multi Content-Type MIME-Version)', 'From: a@example.com\r\nTo: b@example.com\r\n\r\n'],
    ['HEADER.FIELDS (X-NONE)', '\r\n'],
    ['TEXT', crlf(...TEXT).toString()],
    ['1', 'part one'],
    ['1.MIME', 'Content-Type: text/plain\r\n\r\n'],
    ['1.HEADER', ''],
    ['1.TEXT', ''],
    // Like Dovecot: below a leaf only "1" exists, and it is the leaf itself.
    ['1.1', 'part one'],
    ['1.2', ''],
    ['1.1.1', ''],
    ['2', crlf(...TEXT.slice(8, 20)).toString().slice(0, -2)],
    ['2.MIME', 'Content-Type: message/rfc822\r\n\r\n'],
    ['2.HEADER', 'Subject: inner\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n'],
    ['2.HEADER.FIELDS (SUBJECT)', 'Subject: inner\r\n\r\n'],
    ['2.TEXT', crlf(...TEXT.slice(11, 20)).toString().slice(0, -2)],
    ['2.1', 'inner plain'],
    ['2.2', '<p>inner</p>'],
    ['2.2.MIME', 'Content-Type: text/html\r\n\r\n'],
    ['2.3', ''],
    ['3', 'Subject: simple\r\n\r\nsimple body'],
    ['3.HEADER', 'Subject: simple\r\n\r\n'],
    ['3.TEXT', 'simple body'],
    ['3.1', 'simple body'],
    ['3.2', ''],
    ['4', ''],
    ['4.HEADER', ''],
  ];
  it('[] is the whole message, byte for byte', () => assert.equal(sectionBytes(nested, nestedRoot, sec('')), nested));
  for (const [spec, want] of table) {
    it(`[${spec}]`, () => assert.equal(sectionBytes(nested, nestedRoot, sec(spec)).toString('utf8'), want));
  }
  it('HEADER + TEXT is BODY[]', () => {
    const h = sectionBytes(nested, nestedRoot, sec('HEADER'));
    const t = sectionBytes(nested, nestedRoot, sec('TEXT'));
    assert.deepEqual(Buffer.concat([h, t]), nested);
  });
});

describe('sectionBytes on a single-part message', () => {
  const table: Array<[string, string]> = [
    ['HEADER', 'Subject: x\r\nContent-Type: text/plain\r\n\r\n'],
    ['TEXT', 'body\r\n'],
    ['1', 'body\r\n'],
    ['1.MIME', 'Subject: x\r\nContent-Type: text/plain\r\n\r\n'],
    ['2', ''],
    ['1.1', ''],
    ['1.HEADER', ''],
  ];
  for (const [spec, want] of table) {
    it(`[${spec}]`, () => assert.equal(sectionBytes(single, singleRoot, sec(spec)).toString('utf8'), want));
  }
});

describe('sectionBytes on hand-built offsets', () => {
  // "H: v\r\n\r\nabc" with a message/rfc822 root whose encapsulated message is "H: v\r\n\r\nabc" itself shifted.
  const raw = Buffer.from('A: 1\r\n\r\nB: 2\r\n\r\nxyz');
  const inner = part({ headerStart: 8, headerEnd: 16, bodyStart: 16, bodyEnd: 19, bodyLines: 1 });
  const root = part({ type: 'message', subtype: 'rfc822', headerStart: 0, headerEnd: 8, bodyStart: 8, bodyEnd: 19, message: inner });
  const table: Array<[string, string]> = [
    ['1', 'B: 2\r\n\r\nxyz'],
    ['1.HEADER', 'B: 2\r\n\r\n'],
    ['1.TEXT', 'xyz'],
    ['1.1', 'xyz'],
    ['1.MIME', 'A: 1\r\n\r\n'],
  ];
  for (const [spec, want] of table) {
    it(`[${spec}]`, () => assert.equal(sectionBytes(raw, root, sec(spec)).toString('utf8'), want));
  }
  it('findPart follows message/rfc822 into its message', () => {
    assert.equal(findPart(root, [1, 1]), inner);
    assert.equal(findPart(root, [1]), root);
    assert.equal(findPart(root, [2]), null);
  });
});

describe('filterHeader', () => {
  it('keeps a last field without line end well-formed', () => {
    assert.equal(filterHeader(Buffer.from('A: 1\r\nB: 2'), ['b'], true).toString(), 'B: 2\r\n\r\n');
  });
  it('matches names with space before the colon and bare LF lines', () => {
    assert.equal(filterHeader(Buffer.from('Subject : x\n\tmore\nTo: y\n\n'), ['SUBJECT'], true).toString(), 'Subject : x\n\tmore\n\r\n');
  });
  it('trims what trim() trims from a name (NBSP, VT, FF), matches latin1 names case-insensitively, and stops at the blank line', () => {
    const header = Buffer.from('\xa0To\x0b: a\r\nCc\x0c : b\r\n\xc0b: c\r\nNo colon line\r\n\r\nTo: body\r\n', 'latin1');
    assert.equal(filterHeader(header, ['to', 'CC', '\xe0B', 'no colon line'], true).toString('latin1'), header.toString('latin1').split('\r\n\r\n')[0] + '\r\n\r\n');
    assert.equal(filterHeader(header, ['To', 'no colon line'], false).toString('latin1'), 'Cc\x0c : b\r\n\xc0b: c\r\n\r\n');
  });
  it('gives the same fields as splitting the header into lines (random headers)', () => {
    const pieces = ['To', 'to ', ' cc', 'X-A', 'x-a', ':', ': v', '\r\n', '\n', '\r\n\t', '\r\n ', 'a', ' ', '\xa0'];
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: rand(30) }, () => pieces[rand(pieces.length)]!).join('');
      const names = [['to'], ['X-A', 'CC'], ['a'], []][rand(4)]!;
      const include = rand(2) === 0;
      // Reference: fields are lines up to the blank one, continuation lines (space or tab first) joined to theirs.
      const fields: string[] = [];
      for (const line of text.split(/(?<=\n)/)) {
        if (line === '\n' || line.startsWith('\r\n')) break;
        if ((line[0] === ' ' || line[0] === '\t') && fields.length > 0) fields[fields.length - 1] += line;
        else fields.push(line);
      }
      const wanted = new Set(names.map((n) => n.toLowerCase()));
      const want = fields
        .filter((f) => {
          // The name: what precedes the colon on the field's first line (the whole line without one), trimmed.
          const first = f.slice(0, f.indexOf('\n') + 1 || f.length);
          return wanted.has((first.includes(':') ? first.slice(0, first.indexOf(':')) : first).trim().toLowerCase()) === include;
        })
        .map((f) => (f.endsWith('\n') ? f : `${f}\r\n`))
        .join('');
      assert.equal(filterHeader(Buffer.from(text, 'latin1'), names, include).toString('latin1'), `${want}\r\n`, JSON.stringify({ text, names, include }));
    }
  });
});

describe('applyPartial', () => {
  const data = Buffer.from('0123456789');
  const table: Array<[number, number, string]> = [
    [0, 4, '0123'],
    [5, 100, '56789'],
    [9, 1, '9'],
    [10, 5, ''],
    [100, 5, ''],
    [3, 0, ''],
  ];
  for (const [offset, length, want] of table) {
    it(`<${offset}.${length}>`, () => assert.equal(applyPartial(data, { offset, length }).toString(), want));
  }
  it('no partial', () => assert.equal(applyPartial(data, null), data));
});

describe('binaryBytes', () => {
  const raw = crlf(
    'Subject: bin',
    'Content-Type: multipart/mixed; boundary=z',
    '',
    '--z',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
    '',
    'AAEC/w==',
    '--z',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: Quoted-Printable',
    '',
    'caf=C3=A9 soft=',
    'break',
    '--z',
    'Content-Type: text/plain',
    'Content-Transfer-Encoding: x-uuencode',
    '',
    'begin 644 x',
    '--z',
    'Content-Type: text/plain',
    '',
    'plain',
    '--z--',
  );
  const root = parseStructure(raw).root;
  it('base64 part decodes to bytes with NUL', () => assert.deepEqual(binaryBytes(raw, root, [1]), Buffer.from([0, 1, 2, 255])));
  it('quoted-printable part decodes', () => assert.equal(binaryBytes(raw, root, [2])!.toString('utf8'), 'café softbreak'));
  it('unknown encoding is null (UNKNOWN-CTE)', () => assert.equal(binaryBytes(raw, root, [3]), null));
  it('no encoding is identity', () => assert.equal(binaryBytes(raw, root, [4])!.toString(), 'plain'));
  it('nonexistent part is empty', () => assert.equal(binaryBytes(raw, root, [9])!.length, 0));
  it('[] of a multipart is the message as stored', () => assert.equal(binaryBytes(raw, root, []), raw));
  it('[] of a base64 single part rewrites the encoding header', () => {
    const msg = crlf('Subject: b', 'Content-Transfer-Encoding: base64', 'X-After: 1', '', 'aGk=');
    const r = parseStructure(msg).root;
    assert.equal(binaryBytes(msg, r, [])!.toString(), 'Subject: b\r\nX-After: 1\r\nContent-Transfer-Encoding: binary\r\n\r\nhi');
    assert.equal(binaryBytes(msg, r, [1])!.toString(), 'hi');
  });
});
