import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeModifiedUtf7, encodeModifiedUtf7 } from './mutf7.js';
import { ParseError } from './types.js';

/** [decoded, encoded]: both directions. */
const pairs: Array<[string, string]> = [
  ['', ''],
  ['INBOX', 'INBOX'],
  ['A&B', 'A&-B'],
  ['&', '&-'],
  ['&&', '&-&-'],
  ['~peter/mail/\u53f0\u5317/\u65e5\u672c\u8a9e', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
  ['caf\u00e9', 'caf&AOk-'],
  ['\u00e9t\u00e9', '&AOk-t&AOk-'],
  ['Entw\u00fcrfe', 'Entw&APw-rfe'],
  ['\u{1F600}', '&2D3eAA-'],
  ['a\tb', 'a&AAk-b'],
  ['\u00e9&\u00e9', '&AOk-&-&AOk-'],
  ['\u2603\u2603\u2603', '&JgMmAyYD-'],
];

const invalid: string[] = [
  '&',
  '&Jjo',
  'a&U,BTFw',
  '&AGE-', // "a" encoded
  '&ACY-', // "&" encoded
  '&U,BTFw=-', // padding
  '&U/BTFw-', // "/" is not in modified BASE64
  '&AO-', // partial unit
  '&AOl-', // leftover bits not zero
  '&2D0-', // lone high surrogate
  '&3gA-', // lone low surrogate
  '&2D3YPQ-', // high surrogate followed by high surrogate
  'caf\u00e9', // raw 8-bit
  'a\tb', // raw control
];

describe('modified UTF-7', () => {
  for (const [plain, encoded] of pairs) {
    it(`encodes ${JSON.stringify(plain)}`, () => assert.equal(encodeModifiedUtf7(plain), encoded));
    it(`decodes ${encoded}`, () => assert.equal(decodeModifiedUtf7(encoded), plain));
  }
  for (const s of invalid) {
    it(`rejects ${JSON.stringify(s)}`, () => assert.throws(() => decodeModifiedUtf7(s), ParseError));
  }
  it('round-trips every BMP character outside printable ASCII', () => {
    for (let c = 0; c < 0x10000; c += 97) {
      if ((c >= 0x20 && c <= 0x7e) || (c >= 0xd800 && c <= 0xdfff)) continue;
      const s = 'x' + String.fromCharCode(c) + 'y' + String.fromCharCode(c, c);
      assert.equal(decodeModifiedUtf7(encodeModifiedUtf7(s)), s);
    }
  });
});
