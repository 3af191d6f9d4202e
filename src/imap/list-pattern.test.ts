import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileListPattern, joinListReference, patternEndsWithPercent } from './list-pattern.js';

describe('joinListReference (RFC 9051 section 6.3.9)', () => {
  const table: Array<[string, string, string]> = [
    ['', '*', '*'],
    ['archive/', '%', 'archive/%'],
    ['~smith/Mail/', 'foo.*', '~smith/Mail/foo.*'],
    ['~smith/Mail/', '/usr/doc/foo', '/usr/doc/foo'],
    ['foo', 'bar', 'foobar'],
    ['a/', '', 'a/'],
  ];
  for (const [ref, pat, want] of table) it(`${JSON.stringify(ref)} + ${JSON.stringify(pat)}`, () => assert.equal(joinListReference(ref, pat), want));
});

describe('compileListPattern', () => {
  // [reference, pattern, name, matches]
  const table: Array<[string, string, string, boolean]> = [
    ['', '*', 'INBOX', true],
    ['', '*', 'a', true],
    ['', '*', 'a/b/c', true],
    ['', '%', 'a', true],
    ['', '%', 'a/b', false],
    ['', '%/%', 'a/b', true],
    ['', '%/%', 'a', false],
    ['', '%/%', 'a/b/c', false],
    ['', 'a/%', 'a/b', true],
    ['', 'a/%', 'a/b/c', false],
    ['', 'a/%', 'a', false],
    ['', 'a/*', 'a/b/c', true],
    ['', 'a/*', 'a', false],
    ['', 'a*', 'a', true],
    ['', 'a*', 'ab', true],
    ['', 'a*', 'a/b', true],
    ['', 'a%', 'a/b', false],
    ['', 'a%b', 'axxb', true],
    ['', 'a%b', 'a/b', false],
    ['', 'a*b', 'a/x/b', true],
    ['', '*b', 'b', true],
    ['', '*b', 'a/b', true],
    ['', '*b', 'a/bc', false],
    ['', '%*', 'a/b', true],
    ['', '*%', 'a/b', true],
    ['', 'a', 'a', true],
    ['', 'a', 'A', false],
    ['', 'a', 'ab', false],
    ['', '', 'a', false],
    ['', 'Ä%', 'Äpfel', true],
    ['', '日本/%', '日本/語', true],
    // INBOX is case-insensitive, its children's own levels are not.
    ['', 'inbox', 'INBOX', true],
    ['', 'InBoX', 'INBOX', true],
    ['', 'inbox/%', 'INBOX/Sub', true],
    ['', 'inbox/sub', 'INBOX/Sub', false],
    ['', 'INBOX/Sub', 'INBOX/Sub', true],
    ['', 'i%', 'INBOX', true],
    ['', 'i*', 'INBOX/x', true],
    ['', 'in%x', 'INBOX', true],
    ['', 'inbox', 'INBOXes', false],
    ['', 'inbox*', 'INBOXes', false],
    ['', 'INBOX*', 'INBOXes', true],
    ['', 'i%', 'Inbox2', false],
    ['', 'ınbox', 'INBOX', false],
    // Reference.
    ['a/', '%', 'a/b', true],
    ['a/', '%', 'a/b/c', false],
    ['a/', '%', 'a', false],
    ['a/', '*', 'a/b/c', true],
    ['a/', '/x', 'a/x', false],
    ['a', '%', 'ab', true],
    ['inbox/', '%', 'INBOX/x', true],
  ];
  for (const [ref, pat, name, want] of table) {
    it(`${JSON.stringify(ref)} ${JSON.stringify(pat)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(name)}`, () => {
      assert.equal(compileListPattern(ref, pat)(name), want);
    });
  }

  it('takes linear time per name for many wildcards (no backtracking blow-up)', () => {
    const match = compileListPattern('', '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b');
    const start = process.hrtime.bigint();
    assert.equal(match('a'.repeat(1000)), false);
    assert.equal(match('a'.repeat(999) + 'b'), true);
    assert.ok(Number(process.hrtime.bigint() - start) / 1e6 < 200);
  });
});

describe('patternEndsWithPercent', () => {
  it('looks at the canonical pattern', () => {
    assert.equal(patternEndsWithPercent('', '%'), true);
    assert.equal(patternEndsWithPercent('a/', '%'), true);
    assert.equal(patternEndsWithPercent('', '*'), false);
    assert.equal(patternEndsWithPercent('%', ''), true);
  });
});
