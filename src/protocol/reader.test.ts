import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_LINE_OCTETS, MAX_LITERAL_OCTETS, MAX_LITERALS_PER_COMMAND } from '../limits.js';
import { CommandReader, type ReaderEvent } from './reader.js';

type Ev =
  | { kind: 'command'; lines: string[]; literals: string[]; literal8: boolean[] }
  | { kind: 'continue' }
  | { kind: 'error'; tag: string | null; message?: string; code?: string; fatal: boolean };

function simplify(events: ReaderEvent[]): Ev[] {
  return events.map((e): Ev => {
    if (e.kind === 'command') {
      return {
        kind: 'command',
        lines: e.command.lines.map((b) => b.toString('latin1')),
        literals: e.command.literals.map((b) => b.toString('latin1')),
        literal8: e.command.literal8,
      };
    }
    if (e.kind === 'error') return { kind: 'error', tag: e.tag, code: e.code, fatal: e.fatal };
    return e;
  });
}

function feed(chunks: Array<string | Buffer>, reader = new CommandReader()): Ev[] {
  const out: ReaderEvent[] = [];
  for (const c of chunks) out.push(...reader.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c));
  return simplify(out);
}

const cmd = (lines: string[], literals: string[] = [], literal8: boolean[] = literals.map(() => false)): Ev => ({
  kind: 'command', lines, literals, literal8,
});
const cont: Ev = { kind: 'continue' };
const err = (tag: string | null, code: string | undefined = 'TOOBIG', fatal = false): Ev => ({ kind: 'error', tag, code, fatal });

const cases: Array<[string, string, Ev[]]> = [
  ['simple', 'a1 NOOP\r\n', [cmd(['a1 NOOP'])]],
  ['two commands', 'a1 NOOP\r\na2 CAPABILITY\r\n', [cmd(['a1 NOOP']), cmd(['a2 CAPABILITY'])]],
  ['bare LF', 'a1 NOOP\na2 NOOP\r\n', [cmd(['a1 NOOP']), cmd(['a2 NOOP'])]],
  ['empty line', '\r\n', [cmd([''])]],
  ['DONE', 'DONE\r\n', [cmd(['DONE'])]],
  ['base64 line', 'dGVzdA==\r\n', [cmd(['dGVzdA=='])]],
  ['sync literal', 'a LOGIN {4}\r\nuser pass\r\n', [cont, cmd(['a LOGIN ', ' pass'], ['user'])]],
  ['two literals', 'a LOGIN {4}\r\nuser {4}\r\npass\r\n', [cont, cont, cmd(['a LOGIN ', ' ', ''], ['user', 'pass'])]],
  ['LITERAL+', 'a LOGIN {4+}\r\nuser {4+}\r\npass\r\n', [cmd(['a LOGIN ', ' ', ''], ['user', 'pass'])]],
  ['literal8', 'a APPEND x ~{3}\r\n\x00\r\n\r\n', [cont, cmd(['a APPEND x ', ''], ['\x00\r\n'], [true])]],
  ['literal8 nonsync', 'a APPEND x ~{2+}\r\nab\r\n', [cmd(['a APPEND x ', ''], ['ab'], [true])]],
  ['zero literal', 'a LOGIN {0}\r\n {0+}\r\n\r\n', [cont, cmd(['a LOGIN ', ' ', ''], ['', ''])]],
  ['literal with CRLF inside', 'a APPEND x {6+}\r\n{1}\r\n\r\nb NOOP\r\n', [cmd(['a APPEND x ', ''], ['{1}\r\n\r']), cmd(['b NOOP'])]],
  ['not a marker', 'a SEARCH {x}\r\na {1 }\r\n', [cmd(['a SEARCH {x}']), cmd(['a {1 }'])]],
  ['marker needs digits', 'a X {}\r\n', [cmd(['a X {}'])]],
  ['8-bit line', 'a SELECT "\xc3\xa9"\r\n', [cmd(['a SELECT "\xc3\xa9"'])]],
];

describe('CommandReader framing', () => {
  for (const [name, input, expected] of cases) {
    it(name, () => assert.deepEqual(feed([input]), expected));
    it(`${name}: every split point`, () => {
      for (let i = 1; i < input.length; i++) {
        assert.deepEqual(feed([input.slice(0, i), input.slice(i)]), expected, `split at ${i}`);
      }
    });
    it(`${name}: byte by byte`, () => assert.deepEqual(feed([...input]), expected));
  }

  it('keeps state across many pushes and pieces', () => {
    const r = new CommandReader();
    assert.deepEqual(feed(['a APPEND INBOX {1'], r), []);
    assert.deepEqual(feed(['0}\r'], r), []);
    assert.deepEqual(feed(['\n01234'], r), [cont]);
    assert.deepEqual(feed(['56789 (\\Seen)\r\nb NOOP'], r), [cmd(['a APPEND INBOX ', ' (\\Seen)'], ['0123456789'])]);
    assert.deepEqual(feed(['\r\n'], r), [cmd(['b NOOP'])]);
  });
});

describe('CommandReader limits', () => {
  it('accepts a line of exactly MAX_LINE_OCTETS', () => {
    const line = 'a ' + 'x'.repeat(MAX_LINE_OCTETS - 2);
    assert.deepEqual(feed([line + '\r\n']), [cmd([line])]);
    assert.deepEqual(feed([line + '\n']), [cmd([line])]);
  });

  it('rejects a line of MAX_LINE_OCTETS + 1, in one chunk or split', () => {
    const line = 'a1 ' + 'x'.repeat(MAX_LINE_OCTETS - 2);
    assert.deepEqual(feed([line + '\r\nb NOOP\r\n']), [err('a1'), cmd(['b NOOP'])]);
    assert.deepEqual(feed([line + '\nb NOOP\r\n']), [err('a1'), cmd(['b NOOP'])]);
    assert.deepEqual(feed([line.slice(0, 10), line.slice(10), '\r', '\nb NOOP\r\n']), [err('a1'), cmd(['b NOOP'])]);
  });

  it('discards a very long line and reports once, at its end', () => {
    const r = new CommandReader();
    assert.deepEqual(feed(['t7 SEARCH '], r), []);
    for (let i = 0; i < 10; i++) assert.deepEqual(feed(['1,'.repeat(20000)], r), []);
    assert.deepEqual(feed(['1\r\nt8 NOOP\r\n'], r), [err('t7'), cmd(['t8 NOOP'])]);
  });

  it('reports no tag when the long line has none', () => {
    assert.deepEqual(feed(['x'.repeat(MAX_LINE_OCTETS + 5) + '\r\n']), [err(null)]);
  });

  it('takes the tag from the first line when a later line is too long', () => {
    const events = feed(['t1 APPEND x {1+}\r\nz' + 'y'.repeat(MAX_LINE_OCTETS + 1) + '\r\nt2 NOOP\r\n']);
    assert.deepEqual(events, [err('t1'), cmd(['t2 NOOP'])]);
  });

  it('skips a non-synchronizing literal announced at the end of a discarded line', () => {
    const events = feed(['t1 ' + 'y'.repeat(MAX_LINE_OCTETS) + ' {5+}\r\nt9 NO\r\nt2 NOOP\r\n']);
    assert.deepEqual(events, [err('t1'), cmd(['t2 NOOP'])]);
  });

  it('rejects a synchronizing literal that is too large without a continuation', () => {
    const events = feed([`t1 APPEND x {${MAX_LITERAL_OCTETS + 1}}\r\nt2 NOOP\r\n`]);
    assert.deepEqual(events, [err('t1'), cmd(['t2 NOOP'])]);
  });

  it('accepts a literal of exactly MAX_LITERAL_OCTETS', () => {
    const r = new CommandReader();
    const events = r.push(Buffer.from(`t1 APPEND x {${MAX_LITERAL_OCTETS}+}\r\n`));
    assert.deepEqual(events, []);
    const data = Buffer.alloc(MAX_LITERAL_OCTETS, 0x61);
    const done = r.push(Buffer.concat([data.subarray(0, 1000)]))
      .concat(r.push(data.subarray(1000)))
      .concat(r.push(Buffer.from('\r\n')));
    assert.equal(done.length, 1);
    const ev = done[0]!;
    assert.ok(ev.kind === 'command');
    assert.equal(ev.command.literals[0]!.length, MAX_LITERAL_OCTETS);
  });

  it('discards a too large non-synchronizing literal and the rest of the command, then reports TOOBIG', () => {
    const r = new CommandReader();
    assert.deepEqual(feed([`t1 APPEND x {${MAX_LITERAL_OCTETS + 1}+}\r\n`], r), []);
    assert.deepEqual(feed([Buffer.alloc(MAX_LITERAL_OCTETS + 1, 0x0a)], r), []);
    assert.deepEqual(feed([' more {3+}\r\nabc end\r\nt2 NOOP\r\n'], r), [err('t1'), cmd(['t2 NOOP'])]);
  });

  it('stops discarding at a synchronizing literal in the rest of the command', () => {
    const events = feed([`t1 APPEND x {${MAX_LITERAL_OCTETS + 1}+}\r\n`, Buffer.alloc(MAX_LITERAL_OCTETS + 1), ' {3}\r\nt2 NOOP\r\n']);
    assert.deepEqual(events, [err('t1'), cmd(['t2 NOOP'])]);
  });

  it('limits the number of literals per command (non-synchronizing)', () => {
    const parts = ['t1 X'];
    for (let i = 0; i <= MAX_LITERALS_PER_COMMAND; i++) parts.push(' {1+}\r\nz');
    parts.push('\r\nt2 NOOP\r\n');
    assert.deepEqual(feed([parts.join('')]), [err('t1'), cmd(['t2 NOOP'])]);
  });

  it('limits the number of literals per command (synchronizing)', () => {
    const parts = ['t1 X'];
    for (let i = 0; i < MAX_LITERALS_PER_COMMAND; i++) parts.push(' {1+}\r\nz');
    parts.push(' {1}\r\nt2 NOOP\r\n');
    assert.deepEqual(feed([parts.join('')]), [err('t1'), cmd(['t2 NOOP'])]);
  });

  it('limits the total size of a command', () => {
    const r = new CommandReader();
    assert.deepEqual(feed([`t1 APPEND x {${MAX_LITERAL_OCTETS}}\r\n`], r), [cont]);
    assert.deepEqual(feed([Buffer.alloc(MAX_LITERAL_OCTETS)], r), []);
    assert.deepEqual(feed([` {${MAX_LITERAL_OCTETS}}\r\nt2 NOOP\r\n`], r), [err('t1'), cmd(['t2 NOOP'])]);
  });

  it('gives up on a literal size it cannot skip (fatal)', () => {
    const r = new CommandReader();
    assert.deepEqual(feed(['t1 APPEND x {99999999999999999999+}\r\n'], r), [err('t1', 'TOOBIG', true)]);
    assert.deepEqual(feed(['t2 NOOP\r\n'], r), []);
  });

  it('rejects a synchronizing literal with an absurd size without giving up', () => {
    assert.deepEqual(feed(['t1 X {99999999999999999999}\r\nt2 NOOP\r\n']), [err('t1'), cmd(['t2 NOOP'])]);
  });

  it('frames 10,000 pipelined commands in linear time', () => {
    const one = 'a1 UID FETCH 1:* (FLAGS) {3+}\r\nabc\r\n';
    const all = Buffer.from(one.repeat(10000));
    const r = new CommandReader();
    let count = 0;
    for (let i = 0; i < all.length; i += 1500) count += r.push(all.subarray(i, i + 1500)).length;
    assert.equal(count, 10000);
  });
});
