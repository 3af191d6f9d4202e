/**
 * Tables for the comparison's own parsing: parseResponse (quoted strings, literals, NIL, sections, lists
 * without spaces between them, as Dovecot sends them), partsOf (section numbers from a body structure)
 * and the normaliser of equivalent spellings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partsOf } from './compare.js';
import { normalise } from './differences.js';
import { fetchItems, parseResponse, render, sameValue } from './wire.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('parseResponse', () => {
  it('reads atoms, NIL, quoted strings with escapes, literals and sections', () => {
    const v = parseResponse(b('* 3 FETCH (UID 7 BODY[1.MIME] {5}\r\na\r\nbc ENVELOPE (NIL "x \\"y\\"" "") BINARY.SIZE[2] 10)'));
    assert.equal(render({ kind: 'list', items: v }), '(3 FETCH (UID 7 BODY[1.MIME] "a\\r\\nbc" ENVELOPE (NIL "x \\"y\\"" "") BINARY.SIZE[2] 10))');
  });

  it('reads lists that follow each other without a space', () => {
    const v = parseResponse(b('* THREAD (1)(2 (3)(4))'));
    assert.equal(render({ kind: 'list', items: v }), '(THREAD (1) (2 (3) (4)))');
  });

  it('treats a quoted string and a literal with the same octets as the same string', () => {
    const [x] = parseResponse(b('"ab"'));
    const [y] = parseResponse(b('{2}\r\nab'));
    assert.ok(sameValue(x, y));
  });
});

describe('fetchItems', () => {
  it('maps item names to values, BODY.PEEK answered as BODY', () => {
    const items = fetchItems([b('* 1 FETCH (UID 4 BODY[HEADER] {2}\r\n\r\n FLAGS (\\Seen))')]).get(1)!;
    assert.deepEqual([...items.keys()], ['UID', 'BODY[HEADER]', 'FLAGS']);
  });
});

describe('partsOf', () => {
  it('numbers the parts of multiparts and of attached messages', () => {
    const [bs] = parseResponse(
      b(
        '(("text" "plain" NIL NIL NIL "7bit" 1 1)' +
          '("message" "rfc822" NIL NIL NIL "7bit" 9 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ' +
          '(("text" "plain" NIL NIL NIL "7bit" 1 1)("image" "png" NIL NIL NIL "base64" 4) "mixed") 3) "mixed")',
      ),
    );
    assert.deepEqual(
      partsOf(bs!).map((p) => `${p.section}:${p.kind}`),
      ['1:leaf', '2:message', '2.1:leaf', '2.2:leaf'],
    );
  });

  it('calls the body of a one-part message part 1, and of an attached one-part message n.1', () => {
    const [one] = parseResponse(b('("text" "plain" NIL NIL NIL "7bit" 1 1)'));
    assert.deepEqual(partsOf(one!), [{ section: '1', kind: 'leaf', type: 'text/plain' }]);
    const [msg] = parseResponse(b('("message" "rfc822" NIL NIL NIL "7bit" 9 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" NIL NIL NIL "7bit" 1 1) 3)'));
    assert.deepEqual(partsOf(msg!).map((p) => p.section), ['1', '1.1']);
  });
});

describe('normalise', () => {
  it('compares INTERNALDATE days with and without a leading zero alike', () => {
    const [x] = parseResponse(b('" 1-Jan-2001 07:13:05 +0000"'));
    const [y] = parseResponse(b('"01-Jan-2001 07:13:05 +0000"'));
    assert.ok(sameValue(normalise('INTERNALDATE', x), normalise('INTERNALDATE', y)));
  });

  it('compares FLAGS as a set without \\Recent', () => {
    const [x] = parseResponse(b('(\\Seen \\Flagged)'));
    const [y] = parseResponse(b('(\\Flagged \\Recent \\Seen)'));
    assert.ok(sameValue(normalise('FLAGS', x), normalise('FLAGS', y)));
  });

  it('compares charset values case-insensitively, names and other values exactly', () => {
    const [x] = parseResponse(b('("text" "plain" ("charset" "us-ascii" "name" "A") NIL NIL "7bit" 1 1)'));
    const [y] = parseResponse(b('("text" "plain" ("charset" "US-ASCII" "name" "A") NIL NIL "7bit" 1 1)'));
    const [z] = parseResponse(b('("text" "plain" ("charset" "us-ascii" "name" "a") NIL NIL "7bit" 1 1)'));
    const [w] = parseResponse(b('("TEXT" "plain" ("charset" "us-ascii" "name" "A") NIL NIL "7bit" 1 1)'));
    assert.ok(sameValue(normalise('BODYSTRUCTURE', x), normalise('BODYSTRUCTURE', y)));
    assert.ok(!sameValue(normalise('BODYSTRUCTURE', x), normalise('BODYSTRUCTURE', z)));
    assert.ok(!sameValue(normalise('BODYSTRUCTURE', x), normalise('BODYSTRUCTURE', w)));
  });
});
