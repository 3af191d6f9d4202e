import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteStuffer, topOf } from './multiline.js';

/** stuffed runs a ByteStuffer over `chunks` and returns everything it sends, terminator included. */
function stuffed(chunks: string[]): string {
  const s = new ByteStuffer();
  const out = chunks.map((c) => s.stuff(Buffer.from(c, 'latin1')).toString('latin1')).join('');
  return out + s.end().toString('latin1');
}

describe('ByteStuffer (RFC 1939 section 3)', () => {
  const cases: Array<[string, string[], string]> = [
    ['no dots', ['a\r\nb\r\n'], 'a\r\nb\r\n.\r\n'],
    ['a dot at the start', ['.x\r\n'], '..x\r\n.\r\n'],
    ['a line that is only a dot', ['a\r\n.\r\nb\r\n'], 'a\r\n..\r\nb\r\n.\r\n'],
    ['dots inside lines stay single', ['a.b\r\nc..\r\n'], 'a.b\r\nc..\r\n.\r\n'],
    ['a line starting with two dots gets three', ['..x\r\n'], '...x\r\n.\r\n'],
    ['LF at the end of a chunk, dot at the start of the next', ['a\r\n', '.b\r\n'], 'a\r\n..b\r\n.\r\n'],
    ['CR and LF in different chunks', ['a\r', '\n.b\r\n'], 'a\r\n..b\r\n.\r\n'],
    ['a dot after a bare LF is stuffed too', ['a\n.b\n'], 'a\n..b\n\r\n.\r\n'],
    ['no final line break: CRLF before the terminator', ['a\r\nb'], 'a\r\nb\r\n.\r\n'],
    ['no data at all', [], '.\r\n'],
    ['empty chunks change nothing', ['', 'a\r\n', ''], 'a\r\n.\r\n'],
    ['many dot lines', ['.\r\n.\r\n.\r\n'], '..\r\n..\r\n..\r\n.\r\n'],
  ];
  for (const [name, chunks, expected] of cases) it(name, () => assert.equal(stuffed(chunks), expected));

  it('gives back the same Buffer when nothing needs stuffing', () => {
    const b = Buffer.from('Subject: x\r\n\r\nbody\r\n');
    assert.equal(new ByteStuffer().stuff(b), b);
  });
});

describe('topOf (RFC 1939 section 7)', () => {
  const msg = Buffer.from('Subject: x\r\nFrom: a@b\r\n\r\nline 1\r\nline 2\r\nline 3\r\n');
  const cases: Array<[string, Buffer, number, string]> = [
    ['0 lines: the header and the blank line', msg, 0, 'Subject: x\r\nFrom: a@b\r\n\r\n'],
    ['2 lines', msg, 2, 'Subject: x\r\nFrom: a@b\r\n\r\nline 1\r\nline 2\r\n'],
    ['more lines than the body has', msg, 99, msg.toString('latin1')],
    ['no blank line: all header', Buffer.from('Subject: x\r\nFrom: a@b\r\n'), 0, 'Subject: x\r\nFrom: a@b\r\n'],
    ['an empty header', Buffer.from('\r\nbody\r\nmore\r\n'), 1, '\r\nbody\r\n'],
    ['a last line without line break', Buffer.from('S: x\r\n\r\na\r\nb'), 5, 'S: x\r\n\r\na\r\nb'],
    ['bare LF line endings', Buffer.from('S: x\n\na\nb\n'), 1, 'S: x\n\na\n'],
  ];
  for (const [name, raw, lines, expected] of cases) it(name, () => assert.equal(topOf(raw, lines).toString('latin1'), expected));
});
