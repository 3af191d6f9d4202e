import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argReader, readCommandHead, tryReadTag } from './args.js';
import { MAX_NESTING_DEPTH } from '../limits.js';
import { frameCommand, readerOf } from '../../test/support/protocol.js';
import { MailboxNameError, ParseError, type ArgReader } from './types.js';

type Read = (r: ArgReader) => unknown;

const str = (r: ArgReader): string => r.string().toString('utf8');

/** [input, reader, expected value]: the reader must consume the whole input. */
const ok: Array<[string, Read, unknown]> = [
  ['FOO', (r) => r.atom(), 'FOO'],
  ['a.b-c$d', (r) => r.atom(), 'a.b-c$d'],
  ['0', (r) => r.number(), 0],
  ['007', (r) => r.number(), 7],
  ['4294967295', (r) => r.number(), 4294967295],
  ['9007199254740991', (r) => r.number64(), 9007199254740991],
  ['1', (r) => r.nzNumber(), 1],
  ['abc', (r) => r.astring(), 'abc'],
  ['a]b', (r) => r.astring(), 'a]b'],
  ['"a b"', (r) => r.astring(), 'a b'],
  ['""', (r) => r.astring(), ''],
  ['"a\\"b\\\\c"', (r) => r.astring(), 'a"b\\c'],
  ['"caf\u00e9"', (r) => r.astring(), 'caf\u00e9'],
  ['caf\u00e9', (r) => r.astring(), 'caf\u00e9'],
  ['{5}\r\nhe\r\nl', (r) => r.astring(), 'he\r\nl'],
  ['{3+}\r\nabc', str, 'abc'],
  ['"x"', str, 'x'],
  ['NIL', (r) => r.nstring(), null],
  ['nil', (r) => r.nstring(), null],
  ['"NIL"', (r) => r.nstring()?.toString(), 'NIL'],
  ['{0}\r\n', (r) => r.nstring()?.toString(), ''],
  ['~{2}\r\nab', (r) => { const l = r.literal(); return [l.data.toString(), l.literal8]; }, ['ab', true]],
  ['{2}\r\nab', (r) => { const l = r.literal(); return [l.data.toString(), l.literal8]; }, ['ab', false]],
  ['\\seen', (r) => r.flag(), '\\Seen'],
  ['\\ANSWERED', (r) => r.flag(), '\\Answered'],
  ['\\Flagged', (r) => r.flag(), '\\Flagged'],
  ['\\deleted', (r) => r.flag(), '\\Deleted'],
  ['\\dRaFt', (r) => r.flag(), '\\Draft'],
  ['\\recent', (r) => r.flag(), '\\Recent'],
  ['\\*', (r) => r.flag(), '\\*'],
  ['\\Custom', (r) => r.flag(), '\\Custom'],
  ['$Forwarded', (r) => r.flag(), '$Forwarded'],
  ['()', (r) => r.flagList(), []],
  ['(\\seen $Label1 Work)', (r) => r.flagList(), ['\\Seen', '$Label1', 'Work']],
  ['1:5,7', (r) => r.sequenceSet(), { kind: 'set', ranges: [{ start: 1, end: 5 }, { start: 7, end: 7 }] }],
  ['$', (r) => r.sequenceSet(), { kind: 'saved' }],
  ['"21-Nov-2026 08:05:09 +0100"', (r) => r.dateTime(), Date.UTC(2026, 10, 21, 7, 5, 9)],
  ['1-Feb-2024', (r) => r.date(), '2024-02-01'],
  ['"01-feb-2024"', (r) => r.date(), '2024-02-01'],
  ['(a "b c" {1}\r\nd)', (r) => r.list(() => r.astring()), ['a', 'b c', 'd']],
  ['()', (r) => r.list(() => r.atom()), []],
  ['((a b) (c))', (r) => r.list(() => r.list(() => r.atom())), [['a', 'b'], ['c']]],
  // mailbox names
  ['inbox', (r) => r.mailbox(false), 'INBOX'],
  ['"InBox"', (r) => r.mailbox(true), 'INBOX'],
  ['inbox/Sub', (r) => r.mailbox(false), 'INBOX/Sub'],
  ['inboxes', (r) => r.mailbox(false), 'inboxes'],
  ['Archive/inbox', (r) => r.mailbox(false), 'Archive/inbox'],
  ['"~peter/mail/&U,BTFw-/&ZeVnLIqe-"', (r) => r.mailbox(false), '~peter/mail/\u53f0\u5317/\u65e5\u672c\u8a9e'],
  ['"A&-B"', (r) => r.mailbox(false), 'A&B'],
  ['"A&-B"', (r) => r.mailbox(true), 'A&-B'],
  ['"\u53f0\u5317"', (r) => r.mailbox(true), '\u53f0\u5317'],
  ['{5}\r\n\u00e9t\u00e9', (r) => r.mailbox(true), '\u00e9t\u00e9'],
  ['""', (r) => r.mailbox(false), ''],
  ['%', (r) => r.listMailbox(false), '%'],
  ['INBOX.*', (r) => r.listMailbox(false), 'INBOX.*'],
  ['inbox/%', (r) => r.listMailbox(true), 'INBOX/%'],
  ['""', (r) => r.listMailbox(false), ''],
  ['"&ZeVnLIqe-/*"', (r) => r.listMailbox(false), '\u65e5\u672c\u8a9e/*'],
];

/** [input, reader, message pattern]. */
const bad: Array<[string, Read, RegExp]> = [
  ['', (r) => r.atom(), /atom/],
  ['(a', (r) => r.atom(), /atom/],
  ['', (r) => r.number(), /number/],
  ['4294967296', (r) => r.number(), /range/],
  ['9007199254740992', (r) => r.number64(), /range/],
  ['0', (r) => r.nzNumber(), /non-zero/],
  ['01', (r) => r.nzNumber(), /non-zero/],
  ['"abc', (r) => r.astring(), /Unterminated/],
  ['"a\\nb"', (r) => r.astring(), /escape/],
  ['(', (r) => r.astring(), /astring/],
  ['abc', (r) => r.string(), /string/],
  ['~{2}\r\nab', (r) => r.string(), /literal8/],
  ['NILS', (r) => r.nstring(), /string/],
  ['abc', (r) => r.literal(), /literal/],
  ['\\', (r) => r.flag(), /flag/],
  ['(\\Seen  \\Draft)', (r) => r.flagList(), /atom/],
  ['(\\Seen', (r) => r.flagList(), /SP|arguments/],
  ['\\Seen', (r) => r.flagList(), /\(/],
  ['0', (r) => r.sequenceSet(), /sequence/],
  ['1:0', (r) => r.sequenceSet(), /sequence/],
  ['x', (r) => r.sequenceSet(), /sequence/],
  ['21-Nov-2026 08:05:09 +0100', (r) => r.dateTime(), /quoted/],
  ['"31-Feb-2026 08:05:09 +0100"', (r) => r.dateTime(), /Invalid/],
  ['31-Apr-2024', (r) => r.date(), /Invalid/],
  ['"a\u0000b"', (r) => r.mailbox(true), /./],
  ['{3}\r\na\u0000b', (r) => r.mailbox(true), /NUL/],
  ['"&AAA-"', (r) => r.mailbox(false), /NUL/],
  ['{2}\r\n\xff\xfe', (r) => r.mailbox(true), /UTF-8/],
  ['a%', (r) => r.mailbox(false), /argument|Unexpected/],
  ['(' .repeat(MAX_NESTING_DEPTH + 1), (r) => nest(r), /nested/],
];

function nest(r: ArgReader): unknown {
  return r.list(() => nest(r));
}

function run(input: string, read: Read): unknown {
  const bytes = Buffer.from(input, input.includes('\xff') ? 'latin1' : 'utf8');
  const r = readerOf(bytes);
  const value = read(r);
  r.end();
  return value;
}

describe('ArgReader tokens', () => {
  for (const [input, read, expected] of ok) {
    it(`reads ${JSON.stringify(input)}`, () => assert.deepEqual(run(input, read), expected));
  }
  for (const [input, read, pattern] of bad) {
    it(`rejects ${JSON.stringify(input.slice(0, 30))}`, () => {
      assert.throws(() => run(input, read), (e: unknown) => e instanceof ParseError && pattern.test(e.message));
    });
  }
});

describe('mailbox names that are not valid modified UTF-7 (RFC 3501 section 5.1.3)', () => {
  for (const input of ['"&Jjo"', '"caf\u00e9"', "!#$&'+,-.0123456789:;<=>?@^_`|[}"]) {
    it(`${JSON.stringify(input)} names no mailbox (MailboxNameError, answered NO), and as a LIST pattern is kept as sent`, () => {
      assert.throws(() => run(input, (r) => r.mailbox(false)), (e: unknown) => e instanceof MailboxNameError && /modified UTF-7/.test(e.message));
      const sent = input.startsWith('"') ? input.slice(1, -1) : input;
      assert.equal(run(input, (r) => r.listMailbox(false)), sent);
    });
  }
});

describe('ArgReader cursor', () => {
  it('walks line pieces and literals', () => {
    const r = readerOf('a {3}\r\nxyz (b)');
    assert.equal(r.peek(), 'a');
    assert.equal(r.atom(), 'a');
    r.space();
    assert.equal(r.peek(), null);
    assert.equal(r.atLiteral(), true);
    assert.equal(r.astring(), 'xyz');
    assert.equal(r.atLiteral(), false);
    r.space();
    assert.equal(r.tryChar(')'), false);
    assert.deepEqual(r.list(() => r.atom()), ['b']);
    assert.equal(r.atEnd(), true);
    r.end();
    assert.throws(() => r.space(), ParseError);
  });

  it('requires exactly one SP', () => {
    const r = readerOf('a  b');
    r.atom();
    r.space();
    assert.throws(() => r.atom(), ParseError);
  });

  it('end() rejects leftovers, including an unread literal', () => {
    assert.throws(() => readerOf('a b').end(), /after arguments/);
    const r = readerOf('a {1}\r\nx');
    r.atom();
    r.space();
    assert.throws(() => r.end(), /after arguments/);
  });
});

describe('readCommandHead', () => {
  const heads: Array<[string, { tag: string; name: string }]> = [
    ['a1 NOOP', { tag: 'a1', name: 'NOOP' }],
    ['A.1] select INBOX', { tag: 'A.1]', name: 'SELECT' }],
    ['x uid fetch 1:* FLAGS', { tag: 'x', name: 'UID FETCH' }],
    ['x UID Store 1 +FLAGS (\\Seen)', { tag: 'x', name: 'UID STORE' }],
  ];
  for (const [line, expected] of heads) {
    it(`reads ${line}`, () => assert.deepEqual(readCommandHead(readerOf(line)), expected));
  }
  const errors: Array<[string, RegExp, string | null]> = [
    ['', /tag/, null],
    [' NOOP', /tag/, null],
    ['+ NOOP', /tag/, null],
    ['a+b NOOP', /tag/, null],
    ['a(b NOOP', /tag/, null],
    ['a1', /command name/, 'a1'],
    ['a1 ', /command name/, 'a1'],
    ['a1  NOOP', /command name/, 'a1'],
    ['a1 UID', /arguments/, 'a1'],
    ['a1 UID  FETCH', /command name/, 'a1'],
    ['a1 (NOOP', /atom/, 'a1'],
  ];
  for (const [line, pattern, tag] of errors) {
    it(`rejects ${JSON.stringify(line)}; tryReadTag gives ${tag}`, () => {
      assert.throws(() => readCommandHead(readerOf(line)), (e: unknown) => e instanceof ParseError && pattern.test(e.message));
      assert.equal(tryReadTag(frameCommand(line)), tag);
    });
  }
  it('tryReadTag reads the tag of a valid command', () => {
    assert.equal(tryReadTag(frameCommand('t9 LOGIN {3}\r\nabc x')), 't9');
    assert.equal(tryReadTag({ lines: [], literals: [], literal8: [] }), null);
  });
  it('argReader works on a hand-made RawCommand', () => {
    const r = argReader({ lines: [Buffer.from('t APPEND x '), Buffer.alloc(0)], literals: [Buffer.from('msg')], literal8: [false] });
    assert.deepEqual(readCommandHead(r), { tag: 't', name: 'APPEND' });
    r.space();
    assert.equal(r.mailbox(false), 'x');
    r.space();
    assert.equal(r.literal().data.toString(), 'msg');
    r.end();
  });
});
