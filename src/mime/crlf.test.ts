import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toCrlf } from './crlf.js';

test('toCrlf', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['empty', '', ''],
    ['bare LF', 'a\nb\n', 'a\r\nb\r\n'],
    ['CRLF kept', 'a\r\nb\r\n', 'a\r\nb\r\n'],
    ['mixed', 'a\r\nb\nc\r\n\n', 'a\r\nb\r\nc\r\n\r\n'],
    ['lone CR kept', 'a\rb\n', 'a\rb\r\n'],
    ['leading LF', '\nx', '\r\nx'],
    ['CR CR LF', 'a\r\r\n', 'a\r\r\n'],
  ];
  for (const [name, input, want] of cases) {
    await t.test(name, () => assert.equal(toCrlf(Buffer.from(input, 'latin1')).toString('latin1'), want));
  }
});

test('toCrlf returns the same Buffer when nothing changes', () => {
  const raw = Buffer.from('Subject: x\r\n\r\nbody\r\n');
  assert.equal(toCrlf(raw), raw);
});
