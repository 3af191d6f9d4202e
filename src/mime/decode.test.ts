import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCharset, decodeHeaderValue, decodeTransferEncoding } from './decode.js';

const latin = (s: string): Buffer => Buffer.from(s, 'latin1');

test('decodeTransferEncoding: quoted-printable (RFC 2045 section 6.7)', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['escapes and soft break after CRLF', 'caf=E9 =\r\nbreak\r\n', 'caf\xe9 break\r\n'],
    ['soft break after bare LF', 'A=3DB=\nC', 'A=BC'],
    ['trailing whitespace dropped', 'C  \r\nD\t\n', 'C\r\nD\n'],
    ['whitespace inside a line kept', 'a  b\t\tc \t d=20 e\r\n', 'a  b\t\tc \t d  e\r\n'],
    ['lower-case hex', '=c3=a9', '\xc3\xa9'],
    ['malformed escape kept', 'D=ZZ 100=', 'D=ZZ 100'],
    ['soft break with trailing space', 'a= \r\nb', 'ab'],
  ];
  for (const [name, input, want] of cases) {
    await t.test(name, () => assert.equal(decodeTransferEncoding(latin(input), 'quoted-printable')?.toString('latin1'), want));
  }
});

test('decodeTransferEncoding: base64 is lenient (RFC 2045 section 6.8)', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['line breaks and garbage skipped', 'aGVs\r\nbG8g d29y*bGQ=\r\n', 'hello world'],
    ['per-line padding', 'aGk=\r\nIHRoZXJl\r\n', 'hi there'],
    ['missing padding', 'aGVsbG8', 'hello'],
    ['empty', '', ''],
  ];
  for (const [name, input, want] of cases) {
    await t.test(name, () => assert.equal(decodeTransferEncoding(latin(input), 'BASE64')?.toString('latin1'), want));
  }
});

test('decodeTransferEncoding: identity and unknown encodings', () => {
  const body = latin('caf\xe9=41');
  for (const enc of [null, '7bit', '8BIT', 'binary']) assert.equal(decodeTransferEncoding(body, enc), body);
  for (const enc of ['x-uuencode', 'base9000', 'uuencode', '']) assert.equal(decodeTransferEncoding(body, enc), null);
});

test('decodeCharset', async (t) => {
  const cases: Array<[string, Buffer, string | null, string]> = [
    ['windows-1252 0x80 is the euro sign', Buffer.from([0x80]), 'windows-1252', '€'],
    ['iso-8859-1 read as windows-1252 (WHATWG)', Buffer.from([0x80, 0xe9]), 'ISO-8859-1', '€é'],
    ['utf-8', Buffer.from('Jörg', 'utf8'), 'utf-8', 'Jörg'],
    ['quoted label', Buffer.from('Jörg', 'utf8'), '"UTF-8"', 'Jörg'],
    ['koi8-r', Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]), 'koi8-r', 'Привет'],
    ['iso-2022-jp', Buffer.from('GyRCJUYlOSVIGyhC', 'base64'), 'ISO-2022-JP', 'テスト'],
    ['shift_jis', Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67]), 'shift_jis', 'テスト'],
    ['euc-jp', Buffer.from([0xa5, 0xc6, 0xa5, 0xb9, 0xa5, 0xc8]), 'euc-jp', 'テスト'],
    ['no charset, valid UTF-8', Buffer.from('é', 'utf8'), null, 'é'],
    ['us-ascii with 8-bit bytes: windows-1252', Buffer.from([0x93, 0x61, 0x94]), 'us-ascii', '“a”'],
    ['unknown charset, valid UTF-8', Buffer.from('é', 'utf8'), 'x-unknown-thing', 'é'],
    ['unknown charset, invalid UTF-8: latin1', Buffer.from([0xe9]), 'x-unknown-thing', 'é'],
    ['utf-8 invalid bytes get U+FFFD', Buffer.from([0x61, 0xff]), 'utf-8', 'a\ufffd'],
  ];
  for (const [name, bytes, charset, want] of cases) {
    await t.test(name, () => assert.equal(decodeCharset(bytes, charset), want));
  }
});

test('decodeHeaderValue (RFC 2047)', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['iso-8859-1 Q', '=?iso-8859-1?q?caf=E9?=', 'café'],
    ['utf-8 B', '=?UTF-8?B?SsO2cmc=?=', 'Jörg'],
    ['utf-8 Q with underscore', '=?utf-8?Q?J=C3=B6rg_M?=', 'Jörg M'],
    ['iso-2022-jp', '=?iso-2022-jp?B?GyRCJUYlOSVIGyhC?=', 'テスト'],
    ['koi8-r', '=?koi8-r?B?8NLJ18XU?=', 'Привет'],
    ['whitespace between adjacent words dropped', '=?utf-8?q?a?= =?utf-8?q?b?=', 'ab'],
    ['text around words kept', 'Re: =?utf-8?q?caf=C3=A9?= time', 'Re: café time'],
    ['no encoded words', 'plain subject', 'plain subject'],
    ['RFC 2231 language in the charset', '=?iso-8859-1*sv?Q?D=F6rte?=', 'Dörte'],
  ];
  for (const [name, input, want] of cases) {
    await t.test(name, () => assert.equal(decodeHeaderValue(input), want));
  }
});
