import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildEnvelope } from '../../mime/envelope.js';
import { parseMessage } from '../../mime/parse.js';
import { parseStructure } from '../../mime/structure.js';
import { encodeBodyStructure, encodeEnvelope } from './structure.js';
import { crlf, envelope, part } from '../../../test/support/mailbox.js';

describe('encodeEnvelope', () => {
  const table: Array<[string, Parameters<typeof encodeEnvelope>[0], boolean, string]> = [
    ['all NIL', envelope({}), false, '(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)'],
    [
      'sender and reply-to default to from',
      envelope({
        date: 'Mon, 7 Feb 1994 21:52:25 -0800',
        subject: 'afternoon meeting',
        from: [{ name: 'Fred Foobar', adl: null, mailbox: 'foobar', host: 'Blurdybloop.example' }],
        to: [{ name: null, adl: null, mailbox: 'mooch', host: 'owatagu.example' }],
        messageId: '<B27397-0100000@Blurdybloop.example>',
      }),
      false,
      '("Mon, 7 Feb 1994 21:52:25 -0800" "afternoon meeting" (("Fred Foobar" NIL "foobar" "Blurdybloop.example")) ' +
        '(("Fred Foobar" NIL "foobar" "Blurdybloop.example")) (("Fred Foobar" NIL "foobar" "Blurdybloop.example")) ' +
        '((NIL NIL "mooch" "owatagu.example")) NIL NIL NIL "<B27397-0100000@Blurdybloop.example>")',
    ],
    [
      'group syntax, several addresses, empty list is NIL, quotes escaped',
      envelope({
        subject: 'say "hi" \\ bye',
        to: [
          { name: null, adl: null, mailbox: 'team', host: null },
          { name: null, adl: null, mailbox: 'a', host: 'x.example' },
          { name: null, adl: null, mailbox: null, host: null },
          { name: 'B', adl: null, mailbox: 'b', host: 'y.example' },
        ],
        cc: [],
      }),
      false,
      '(NIL "say \\"hi\\" \\\\ bye" NIL NIL NIL ((NIL NIL "team" NIL)(NIL NIL "a" "x.example")(NIL NIL NIL NIL)("B" NIL "b" "y.example")) NIL NIL NIL NIL)',
    ],
    ['8-bit subject is a literal', envelope({ subject: 'Grüße' }), false, '(NIL {7}\r\nGrüße NIL NIL NIL NIL NIL NIL NIL NIL)'],
    ['8-bit subject quoted under UTF8=ACCEPT', envelope({ subject: 'Grüße' }), true, '(NIL "Grüße" NIL NIL NIL NIL NIL NIL NIL NIL)'],
    ['explicit sender kept', envelope({ from: [{ name: null, adl: null, mailbox: 'a', host: 'b' }], sender: [{ name: null, adl: null, mailbox: 's', host: 'b' }] }), false,
      '(NIL NIL ((NIL NIL "a" "b")) ((NIL NIL "s" "b")) ((NIL NIL "a" "b")) NIL NIL NIL NIL NIL)'],
  ];
  for (const [name, env, utf8, want] of table) {
    it(name, () => assert.equal(encodeEnvelope(env, utf8), want));
  }
});

describe('encodeBodyStructure on hand-built parts', () => {
  const plain = part({ bodyStart: 100, bodyEnd: 223, bodyLines: 4 });
  const table: Array<[string, Parameters<typeof encodeBodyStructure>[0], string, string]> = [
    [
      'text/plain without charset gets us-ascii, 7bit default',
      plain,
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 123 4)',
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 123 4 NIL NIL NIL NIL)',
    ],
    [
      'text/html with charset, id, description, qp, md5, disposition, language, location',
      part({
        subtype: 'html',
        params: [['charset', 'UTF-8'], ['format', 'flowed']],
        id: '<id1@x>',
        description: 'the html',
        encoding: 'quoted-printable',
        md5: 'Q2hlY2sgSW50ZWdyaXR5IQ==',
        disposition: { value: 'inline', params: [] },
        language: ['en', 'de'],
        location: 'http://x.example/a',
        bodyStart: 0,
        bodyEnd: 10,
        bodyLines: 1,
      }),
      '("text" "html" ("charset" "UTF-8" "format" "flowed") "<id1@x>" "the html" "quoted-printable" 10 1)',
      '("text" "html" ("charset" "UTF-8" "format" "flowed") "<id1@x>" "the html" "quoted-printable" 10 1 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("inline" NIL) ("en" "de") "http://x.example/a")',
    ],
    [
      'basic part: no lines, params NIL, disposition with params',
      part({
        type: 'application',
        subtype: 'octet-stream',
        encoding: 'base64',
        disposition: { value: 'attachment', params: [['filename', 'a b.bin']] },
        bodyStart: 5,
        bodyEnd: 25,
        bodyLines: 1,
      }),
      '("application" "octet-stream" NIL NIL NIL "base64" 20)',
      '("application" "octet-stream" NIL NIL NIL "base64" 20 NIL ("attachment" ("filename" "a b.bin")) NIL NIL)',
    ],
    [
      'multipart with two children',
      part({
        type: 'multipart',
        subtype: 'mixed',
        params: [['boundary', 'xyz']],
        parts: [plain, part({ type: 'image', subtype: 'png', params: [['name', 'p.png']], encoding: 'base64', bodyEnd: 8 })],
      }),
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 123 4)("image" "png" ("name" "p.png") NIL NIL "base64" 8) "mixed")',
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 123 4 NIL NIL NIL NIL)("image" "png" ("name" "p.png") NIL NIL "base64" 8 NIL NIL NIL NIL) "mixed" ("boundary" "xyz") NIL NIL NIL)',
    ],
    [
      'multipart with zero parts still has one body',
      part({ type: 'multipart', subtype: 'alternative', params: [['boundary', 'e']] }),
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "alternative")',
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "alternative" ("boundary" "e") NIL NIL NIL)',
    ],
    [
      'message/rfc822 carries envelope, body and lines',
      part({
        type: 'message',
        subtype: 'rfc822',
        bodyStart: 50,
        bodyEnd: 90,
        bodyLines: 3,
        envelope: envelope({ subject: 'inner' }),
        message: part({ bodyStart: 80, bodyEnd: 90, bodyLines: 1 }),
      }),
      '("message" "rfc822" NIL NIL NIL "7bit" 40 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1) 3)',
      '("message" "rfc822" NIL NIL NIL "7bit" 40 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)',
    ],
    [
      '8-bit parameter value is a literal',
      part({ params: [['charset', 'utf-8'], ['name', 'é']], bodyEnd: 1, bodyLines: 1 }),
      '("text" "plain" ("charset" "utf-8" "name" {2}\r\né) NIL NIL "7bit" 1 1)',
      '("text" "plain" ("charset" "utf-8" "name" {2}\r\né) NIL NIL "7bit" 1 1 NIL NIL NIL NIL)',
    ],
  ];
  for (const [name, p, body, bodystructure] of table) {
    it(`${name} (BODY)`, () => assert.equal(encodeBodyStructure(p, false), body));
    it(`${name} (BODYSTRUCTURE)`, () => assert.equal(encodeBodyStructure(p, true), bodystructure));
  }
});

describe('encodeBodyStructure on parsed messages', () => {
  it('single text/plain message', () => {
    const raw = crlf('From: a@example.com', 'Subject: hi', '', 'line one', 'line two');
    const { root, partFields } = parseStructure(raw);
    assert.equal(encodeBodyStructure(root, true), '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 20 2 NIL NIL NIL NIL)');
    assert.equal(
      encodeEnvelope(buildEnvelope(partFields.get(root)!)),
      '(NIL "hi" ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL NIL NIL)',
    );
  });

  it('keeps the header spelling of types, subtypes, parameter names, disposition and encoding, as Dovecot does', () => {
    // Except for an attached message, which Dovecot always calls "message" "rfc822".
    // The answer Dovecot 2.3.19 gives for this message (checked by test/dovecot/compare.test.ts for the corpus).
    const raw = crlf(
      'MIME-Version: 1.0',
      'Content-Type: MULTIPART/Mixed; BOUNDARY="b"; X-Foo=Bar',
      '',
      '--b',
      'Content-Type: TEXT/Plain; CHARSET=UTF-8; Name=Foo',
      'Content-Disposition: ATTACHMENT; FileName=x',
      'Content-Transfer-Encoding: QUOTED-printable',
      '',
      'hi',
      '--b',
      'Content-Type: text/plain; charset=US-ASCII',
      '',
      'ho',
      '--b',
      'Content-Type: Message/RFC822',
      '',
      'Subject: in',
      '',
      'x',
      '--b--',
    );
    const { root } = parseStructure(raw);
    assert.equal(
      encodeBodyStructure(root, true),
      '(("TEXT" "Plain" ("CHARSET" "UTF-8" "Name" "Foo") NIL NIL "QUOTED-printable" 2 1 NIL ("ATTACHMENT" ("FileName" "x")) NIL NIL)' +
        '("text" "plain" ("charset" "US-ASCII") NIL NIL "7bit" 2 1 NIL NIL NIL NIL)' +
        '("message" "rfc822" NIL NIL NIL "7bit" 16 (NIL "in" NIL NIL NIL NIL NIL NIL NIL NIL) ' +
        '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 1 NIL NIL NIL NIL) 3 NIL NIL NIL NIL) ' +
        '"Mixed" ("BOUNDARY" "b" "X-Foo" "Bar") NIL NIL NIL)',
    );
    // The lower-cased forms stay what the server's own logic compares.
    assert.deepEqual([root.type, root.subtype, root.parts[0]!.type, root.parts[0]!.encoding], ['multipart', 'mixed', 'text', 'quoted-printable']);
  });

  it('multipart/mixed with an attached message/rfc822', () => {
    const raw = crlf(
      'From: a@example.com',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'hello',
      '--b1',
      'Content-Type: message/rfc822',
      'Content-Disposition: attachment',
      '',
      'Subject: inner',
      'From: c@example.org',
      '',
      'inner body',
      '--b1--',
    );
    const { root } = parseStructure(raw);
    assert.equal(
      encodeBodyStructure(root, true),
      '(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 5 1 NIL NIL NIL NIL)' +
        '("message" "rfc822" NIL NIL NIL "7bit" 49 ' +
        '(NIL "inner" ((NIL NIL "c" "example.org")) ((NIL NIL "c" "example.org")) ((NIL NIL "c" "example.org")) NIL NIL NIL NIL NIL) ' +
        '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1 NIL NIL NIL NIL) 4 NIL ("attachment" NIL) NIL NIL) ' +
        '"mixed" ("boundary" "b1") NIL NIL NIL)',
    );
    assert.equal(
      encodeBodyStructure(root, false),
      '(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 5 1)' +
        '("message" "rfc822" NIL NIL NIL "7bit" 49 ' +
        '(NIL "inner" ((NIL NIL "c" "example.org")) ((NIL NIL "c" "example.org")) ((NIL NIL "c" "example.org")) NIL NIL NIL NIL NIL) ' +
        '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1) 4) "mixed")',
    );
  });
});

describe('encode on parseMessage output', () => {
  it('ENVELOPE and BODYSTRUCTURE of an encoded-word, multipart/alternative message', () => {
    const raw = crlf(
      'Date: Tue, 2 Jan 2024 10:00:00 +0000',
      'From: =?UTF-8?Q?J=C3=B6rg?= <joerg@example.com>',
      'To: undisclosed-recipients:;',
      'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=',
      'Message-ID: <m1@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary=alt',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Gr=C3=BC=C3=9Fe',
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<b>hi</b>',
      '--alt--',
    );
    const parsed = parseMessage(raw);
    assert.equal(
      encodeEnvelope(parsed.envelope),
      '("Tue, 2 Jan 2024 10:00:00 +0000" "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=" (("=?UTF-8?Q?J=C3=B6rg?=" NIL "joerg" "example.com")) ' +
        '(("=?UTF-8?Q?J=C3=B6rg?=" NIL "joerg" "example.com")) (("=?UTF-8?Q?J=C3=B6rg?=" NIL "joerg" "example.com")) ' +
        '((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL NIL "<m1@example.com>")',
    );
    assert.equal(
      encodeBodyStructure(parsed.structure, true),
      '(("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 15 1 NIL NIL NIL NIL)' +
        '("text" "html" ("charset" "utf-8") NIL NIL "7bit" 9 1 NIL NIL NIL NIL) "alternative" ("boundary" "alt") NIL NIL NIL)',
    );
  });
});
