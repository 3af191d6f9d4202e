import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseContentType, parseDisposition, parseLanguage } from './params.js';

test('parseContentType (RFC 2045 section 5.1)', async (t) => {
  const cases: Array<[string, string, [string, string, Array<[string, string]>, string | null] | null]> = [
    ['simple', 'text/plain', ['text', 'plain', [], null]],
    ['case and quotes: names keep their spelling', 'TEXT/Plain; Charset="UTF-8"', ['text', 'plain', [['Charset', 'UTF-8']], null]],
    ['upper-case BOUNDARY is the boundary', 'multipart/mixed; BOUNDARY="b1"', ['multipart', 'mixed', [['BOUNDARY', 'b1']], 'b1']],
    ['RFC 2231 sections match names case-insensitively, first spelling kept', 'text/plain; NAME*0=a; name*1=b', ['text', 'plain', [['NAME', 'ab']], null]],
    ['unquoted boundary with tspecials', 'multipart/mixed; boundary=----=_NextPart_000_01C2.5D6E', ['multipart', 'mixed', [['boundary', '----=_NextPart_000_01C2.5D6E']], '----=_NextPart_000_01C2.5D6E']],
    ['missing semicolon', 'text/plain charset=us-ascii format=flowed', ['text', 'plain', [['charset', 'us-ascii'], ['format', 'flowed']], null]],
    ['comment after value', 'text/plain; charset=us-ascii (Plain text)', ['text', 'plain', [['charset', 'us-ascii']], null]],
    ['unquoted value with space', 'application/pdf; name=my file.pdf', ['application', 'pdf', [['name', 'my file.pdf']], null]],
    ['quoted-pair', 'text/plain; name="a\\"b"', ['text', 'plain', [['name', 'a"b']], null]],
    ['RFC 2231 charset', "application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", ['application', 'x-stuff', [['title', 'This is ***fun***']], null]],
    ['RFC 2231 latin1', "text/plain; name*=iso-8859-1''caf%E9.txt", ['text', 'plain', [['name', 'café.txt']], null]],
    ['no subtype is unparseable', 'text', null],
    ['empty', '', null],
    ['spaces around slash', 'text / html', ['text', 'html', [], null]],
  ];
  for (const [name, input, want] of cases) {
    await t.test(name, () => {
      const ct = parseContentType(input);
      assert.deepEqual(ct === null ? null : [ct.type, ct.subtype, ct.params, ct.boundary], want);
    });
  }
  await t.test('type and subtype as written', () => {
    const ct = parseContentType('TEXT/Plain; charset=us-ascii');
    assert.deepEqual([ct?.typeText, ct?.subtypeText], ['TEXT', 'Plain']);
  });
});

test('parseDisposition with RFC 2231 continuations', async (t) => {
  const cases: Array<[string, string, { value: string; params: Array<[string, string]> } | null]> = [
    ['plain', 'attachment; filename="a.pdf"', { value: 'attachment', params: [['filename', 'a.pdf']] }],
    ['continuations, encoded and not, out of order', "attachment; filename*1=\".txt\"; filename*0*=utf-8''%E2%82%AC%20rates", { value: 'attachment', params: [['filename', '€ rates.txt']] }],
    ['RFC 2231 form preferred over plain', "inline; filename=\"fallback.txt\"; filename*=UTF-8''J%C3%B6rg.txt; size=10", { value: 'inline', params: [['filename', 'Jörg.txt'], ['size', '10']] }],
    ['RFC 2047 in value left for the client', 'attachment; filename="=?utf-8?q?a?="', { value: 'attachment', params: [['filename', '=?utf-8?q?a?=']] }],
    ['raw UTF-8 value', Buffer.from('attachment; filename="é.txt"', 'utf8').toString('latin1'), { value: 'attachment', params: [['filename', 'é.txt']] }],
    ['upper case type kept as written', 'INLINE; FileName=x', { value: 'INLINE', params: [['FileName', 'x']] }],
    ['empty', '', null],
  ];
  for (const [name, input, want] of cases) {
    await t.test(name, () => assert.deepEqual(parseDisposition(input), want));
  }
});

test('parseLanguage (RFC 3282)', () => {
  assert.deepEqual(parseLanguage('en, de-CH'), ['en', 'de-CH']);
  assert.deepEqual(parseLanguage('  '), null);
  assert.equal(parseLanguage(null), null);
});
