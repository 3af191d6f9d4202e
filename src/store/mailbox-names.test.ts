import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_MAILBOX_DEPTH, MAX_MAILBOX_NAME_OCTETS } from '../limits.js';
import { StoreError } from './types.js';
import {
  compareMailboxNames,
  isDescendant,
  isInbox,
  isInboxRooted,
  normalizeMailboxName,
  parentNames,
  validateMailboxName,
} from './mailbox-names.js';

describe('validateMailboxName', () => {
  const valid = [
    'a',
    'a/b',
    'INBOX/Sub',
    'Ünïcödé/日本語',
    'Caf\u00e9',
    '\ud83d\udce8 Post',
    'a.b',
    'a..b',
    '.hidden',
    'a b',
    '~x',
    'x'.repeat(MAX_MAILBOX_NAME_OCTETS),
    Array(MAX_MAILBOX_DEPTH).fill('d').join('/'),
  ];
  for (const name of valid) {
    it(`accepts ${JSON.stringify(name.length > 40 ? name.slice(0, 40) + '...' : name)}`, () => {
      validateMailboxName(name);
    });
  }

  const invalid: Array<[string, string]> = [
    ['', 'empty'],
    ['/a', 'leading delimiter'],
    ['a/', 'trailing delimiter'],
    ['a//b', 'empty level'],
    ['.', 'dot level'],
    ['a/./b', 'dot level inside'],
    ['a/..', 'dot-dot level'],
    ['..', 'dot-dot alone'],
    ['a\u0000b', 'NUL'],
    ['a\tb', 'TAB'],
    ['a\r\nb', 'CRLF'],
    ['a\u007fb', 'DEL'],
    ['a\u0085b', 'C1 control'],
    ['a*', 'wildcard *'],
    ['50%', 'wildcard %'],
    ['x'.repeat(MAX_MAILBOX_NAME_OCTETS + 1), 'too many octets'],
    ['é'.repeat(MAX_MAILBOX_NAME_OCTETS / 2 + 1), 'too many octets in UTF-8 (fewer characters)'],
    [Array(MAX_MAILBOX_DEPTH + 1).fill('d').join('/'), 'too deep'],
    ['A\u0308pfel', 'a decomposed character (not NFC)'],
    ['Caf\u00e9/Re\u0301sume\u0301', 'a decomposed character in a lower level'],
    ['\u212b', 'a singleton that NFC replaces (ANGSTROM SIGN)'],
  ];
  for (const [name, why] of invalid) {
    it(`refuses ${why} with NO [CANNOT]`, () => {
      assert.throws(
        () => validateMailboxName(name),
        (err: unknown) => err instanceof StoreError && err.kind === 'CANNOT',
      );
    });
  }
});

describe('parentNames', () => {
  const table: Array<[string, string[]]> = [
    ['a', []],
    ['a/b', ['a']],
    ['a/b/c', ['a', 'a/b']],
    ['INBOX/x/y', ['INBOX', 'INBOX/x']],
  ];
  for (const [name, want] of table) it(name, () => assert.deepEqual(parentNames(name), want));
});

describe('INBOX helpers', () => {
  it('isInbox is case-insensitive and exact', () => {
    for (const n of ['INBOX', 'inbox', 'InBoX']) assert.equal(isInbox(n), true, n);
    for (const n of ['INBOX/a', 'inboxes', 'INBO', 'ınbox']) assert.equal(isInbox(n), false, n);
  });

  const table: Array<[string, string]> = [
    ['inbox', 'INBOX'],
    ['INBOX', 'INBOX'],
    ['Inbox/Drafts', 'INBOX/Drafts'],
    ['inbox/inbox', 'INBOX/inbox'],
    ['inboxes', 'inboxes'],
    ['a/inbox', 'a/inbox'],
    ['', ''],
  ];
  for (const [name, want] of table) it(`normalizeMailboxName(${JSON.stringify(name)})`, () => assert.equal(normalizeMailboxName(name), want));

  it('isInboxRooted', () => {
    assert.equal(isInboxRooted('INBOX'), true);
    assert.equal(isInboxRooted('INBOX/a'), true);
    assert.equal(isInboxRooted('INBOXa'), false);
    assert.equal(isInboxRooted('inbox'), false); // callers pass normalized names
  });
});

describe('hierarchy helpers', () => {
  it('isDescendant', () => {
    assert.equal(isDescendant('a/b', 'a'), true);
    assert.equal(isDescendant('a/b/c', 'a'), true);
    assert.equal(isDescendant('a', 'a'), false);
    assert.equal(isDescendant('ab', 'a'), false);
    assert.equal(isDescendant('a/', 'a'), false);
  });

  it('compareMailboxNames puts INBOX first, then name order', () => {
    const names = ['b', 'INBOX/x', 'Archive', 'a/b', 'INBOX', 'a'];
    assert.deepEqual(names.sort(compareMailboxNames), ['INBOX', 'Archive', 'INBOX/x', 'a', 'a/b', 'b']);
  });
});
