import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineReader, type LineEvent } from './line-reader.js';

const line = (text: string): LineEvent => ({ kind: 'line', text });

describe('LineReader', () => {
  const cases: Array<[string, string[], LineEvent[]]> = [
    ['one CRLF line', ['USER a\r\n'], [line('USER a')]],
    ['bare LF', ['NOOP\n'], [line('NOOP')]],
    ['pipelined lines in one chunk', ['STAT\r\nLIST\r\nQUIT\r\n'], [line('STAT'), line('LIST'), line('QUIT')]],
    ['a line split across chunks, CR and LF apart', ['RE', 'TR 1\r', '\n'], [line('RETR 1')]],
    ['an empty line', ['\r\n'], [line('')]],
    ['UTF-8 in a password', ['PASS p\u00e4ss w\u00f6rd\r\n'], [line('PASS p\u00e4ss w\u00f6rd')]],
    ['a CR inside a line is kept', ['A\rB\r\n'], [line('A\rB')]],
  ];
  for (const [name, chunks, expected] of cases) {
    it(name, () => {
      const r = new LineReader();
      assert.deepEqual(
        chunks.flatMap((c) => r.push(Buffer.from(c))),
        expected,
      );
      assert.equal(r.midLine, false);
    });
  }

  it('drops a line over the limit, reports it once at its end, and reads the next line', () => {
    const r = new LineReader(10);
    assert.deepEqual(r.push(Buffer.from('0123456789')), []);
    assert.equal(r.midLine, true);
    assert.deepEqual(r.push(Buffer.from('X'.repeat(100))), []);
    assert.deepEqual(r.push(Buffer.from('tail\r\nNOOP\r\n')), [{ kind: 'too-long' }, line('NOOP')]);
    assert.equal(r.midLine, false);
  });

  it('accepts a line of exactly the limit', () => {
    const r = new LineReader(10);
    assert.deepEqual(r.push(Buffer.from('0123456789\n')), [line('0123456789')]);
  });

  it('midLine is true while a line is incomplete', () => {
    const r = new LineReader();
    r.push(Buffer.from('US'));
    assert.equal(r.midLine, true);
    r.push(Buffer.from('ER x\r\n'));
    assert.equal(r.midLine, false);
  });
});
