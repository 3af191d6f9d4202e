/**
 * Transcript tests for FETCH and UID FETCH (RFC 9051 sections 6.4.5, 6.4.9 and 7.5.2; RFC 3516 BINARY):
 * every data item and macro, body sections down to parts of an attached message, partial fetches,
 * BINARY decoding with literal8, the implicit \Seen, and the error replies. The messages are APPENDed over
 * the wire and every expected size and line count is computed from the pieces the messages are built of.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawClient } from '../support/line-client.js';
import { append, login, exchange, msg } from '../support/transcript.js';
import { BACKENDS, serverPerSuite, startTestServer, type TestServer } from '../support/server.js';

/** Octets of a string as sent (UTF-8). */
const size = (s: string | Buffer): number => Buffer.byteLength(s);
/** Lines of a body as RFC 9051 body-fld-lines counts them: line ends, plus a last line without one. */
const lines = (s: string): number => (s.match(/\n/g)?.length ?? 0) + (s !== '' && !s.endsWith('\n') ? 1 : 0);
/** A literal as it appears in a response line. */
const lit = (s: string): string => `{${size(s)}}\r\n${s}`;
/** A literal8 (RFC 3516) as it appears in a response line. */
const lit8 = (b: Buffer): string => `~{${b.length}}\r\n${b.toString('latin1')}`;

/**
 * The body of a multipart: each part after its delimiter line; the CRLF before a delimiter belongs to the
 * delimiter (RFC 2046 section 5.1.1), so a part's body ends just before it.
 */
function multipart(boundary: string, parts: Array<[head: string, body: string]>, preamble = ''): string {
  return preamble + parts.map(([head, body]) => `--${boundary}\r\n${head}${body}\r\n`).join('') + `--${boundary}--`;
}

// ---- PLAIN: a one-part message with an encoded-word subject and a folded field ----
const PLAIN_HEAD = msg(
  'From: Bob Smith <bob@example.org>',
  'To: alice@example.com',
  'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=',
  'Date: Tue, 10 Nov 2026 10:00:00 +0000',
  'Message-ID: <plain@example.org>',
  'X-Note: first line',
  '\tsecond line',
  '',
);
const PLAIN_TEXT = msg('Hello Alice,', '', 'see you on Friday.');
const PLAIN = PLAIN_HEAD + PLAIN_TEXT;
const PLAIN_ENVELOPE =
  '("Tue, 10 Nov 2026 10:00:00 +0000" "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=" (("Bob Smith" NIL "bob" "example.org")) ' +
  '(("Bob Smith" NIL "bob" "example.org")) (("Bob Smith" NIL "bob" "example.org")) ((NIL NIL "alice" "example.com")) ' +
  'NIL NIL NIL "<plain@example.org>")';
const PLAIN_BODY = `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" ${size(PLAIN_TEXT)} ${lines(PLAIN_TEXT)})`;
const PLAIN_BODYSTRUCTURE = `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" ${size(PLAIN_TEXT)} ${lines(PLAIN_TEXT)} NIL NIL NIL NIL)`;

// ---- MIXED: multipart/mixed with QP text, an attached message, binary data, base64 text, unknown CTE ----
const TOP_HEAD = msg(
  'From: "Alice Q. Example" <alice@example.com>',
  'Sender: Secretary <secretary@example.com>',
  'To: Bob <bob@example.org>, carol@example.net',
  'Cc: Dave <dave@example.net>',
  'Subject: Quarterly report',
  'Date: Wed, 11 Nov 2026 09:30:00 +0100',
  'Message-ID: <mixed@example.com>',
  'In-Reply-To: <prev@example.com>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="out"',
  '',
);
// 1: text/plain, quoted-printable UTF-8 with a soft line break
const P1_HEAD = msg('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '');
const P1_BODY = 'Gr=C3=BC=C3=9Fe aus K=C3=B6ln, eine lange Zeile mit weichem =\r\nUmbruch.\r\nZweite Zeile.';
const P1_DECODED = 'Grüße aus Köln, eine lange Zeile mit weichem Umbruch.\r\nZweite Zeile.';
// 2: message/rfc822 whose message is multipart/alternative (2.1 text/plain, 2.2 text/html)
const P2_HEAD = msg('Content-Type: message/rfc822', 'Content-Description: forwarded', 'Content-Disposition: inline', '');
const IN_HEAD = msg(
  'From: Erin <erin@example.com>',
  'To: frank@example.org',
  'Subject: Inner',
  'Date: Mon, 9 Nov 2026 08:00:00 +0000',
  'Message-ID: <inner@example.com>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="in"',
  '',
);
const IN1_HEAD = msg('Content-Type: text/plain; charset=us-ascii', '');
const IN1_BODY = 'inner plain text';
const IN2_HEAD = msg('Content-Type: text/html; charset=utf-8', '');
const IN2_BODY = '<p>inner <b>html</b></p>';
const IN_TEXT = multipart('in', [[IN1_HEAD, IN1_BODY], [IN2_HEAD, IN2_BODY]]);
const P2_BODY = IN_HEAD + IN_TEXT;
// 3: base64 application/octet-stream whose data has NUL, with every extension field
const P3_DATA = Buffer.from([0x00, 0x01, 0x02, 0x61, 0x62, 0x63]);
const P3_HEAD = msg(
  'Content-Type: application/octet-stream; name="data.bin"',
  'Content-Transfer-Encoding: base64',
  'Content-ID: <data@example.com>',
  'Content-Description: raw bytes',
  'Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==',
  'Content-Disposition: attachment; filename="data.bin"',
  'Content-Language: en, de',
  'Content-Location: http://example.com/data.bin',
  '',
);
const P3_BODY = P3_DATA.toString('base64');
// 4: base64 UTF-8 text/plain whose lines end in bare LF (BINARY must send CRLF, RFC 9051 section 7.5.2)
const P4_TEXT = 'Zeile eins\nZeile zwei: äöü\n';
const P4_HEAD = msg('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '');
const P4_BODY = Buffer.from(P4_TEXT).toString('base64');
const P4_DECODED = P4_TEXT.replace(/\n/g, '\r\n');
// 5: a transfer encoding the server cannot decode
const P5_HEAD = msg('Content-Type: application/x-thing', 'Content-Transfer-Encoding: x-uuencode', '');
const P5_BODY = 'begin 644 thing\r\n`\r\nend';

const TOP_TEXT =
  multipart(
    'out',
    [
      [P1_HEAD, P1_BODY],
      [P2_HEAD, P2_BODY],
      [P3_HEAD, P3_BODY],
      [P4_HEAD, P4_BODY],
      [P5_HEAD, P5_BODY],
    ],
    'This is a multi-part message in MIME format.\r\n',
  ) + '\r\n';
const MIXED = TOP_HEAD + TOP_TEXT;

const ALICE = '("Alice Q. Example" NIL "alice" "example.com")';
const MIXED_ENVELOPE =
  `("Wed, 11 Nov 2026 09:30:00 +0100" "Quarterly report" (${ALICE}) (("Secretary" NIL "secretary" "example.com")) (${ALICE}) ` +
  '(("Bob" NIL "bob" "example.org")(NIL NIL "carol" "example.net")) (("Dave" NIL "dave" "example.net")) NIL ' +
  '"<prev@example.com>" "<mixed@example.com>")';
const ERIN = '(("Erin" NIL "erin" "example.com"))';
const IN_ENVELOPE = `("Mon, 9 Nov 2026 08:00:00 +0000" "Inner" ${ERIN} ${ERIN} ${ERIN} ((NIL NIL "frank" "example.org")) NIL NIL NIL "<inner@example.com>")`;

/** BODY (ext false) or BODYSTRUCTURE (ext true) of MIXED, field by field as RFC 9051 section 7.5.2 orders them. */
function mixedStructure(ext: boolean): string {
  const x = (s: string): string => (ext ? ` ${s}` : '');
  const textPart = (sub: string, charset: string, enc: string, body: string): string =>
    `("text" "${sub}" ("charset" "${charset}") NIL NIL "${enc}" ${size(body)} ${lines(body)}${x('NIL NIL NIL NIL')})`;
  const inner = `(${textPart('plain', 'us-ascii', '7bit', IN1_BODY)}${textPart('html', 'utf-8', '7bit', IN2_BODY)} "alternative"${x('("boundary" "in") NIL NIL NIL')})`;
  const p2 = `("message" "rfc822" NIL NIL "forwarded" "7bit" ${size(P2_BODY)} ${IN_ENVELOPE} ${inner} ${lines(P2_BODY)}${x('NIL ("inline" NIL) NIL NIL')})`;
  const p3 =
    `("application" "octet-stream" ("name" "data.bin") "<data@example.com>" "raw bytes" "base64" ${size(P3_BODY)}` +
    `${x('"Q2hlY2sgSW50ZWdyaXR5IQ==" ("attachment" ("filename" "data.bin")) ("en" "de") "http://example.com/data.bin"')})`;
  const p5 = `("application" "x-thing" NIL NIL NIL "x-uuencode" ${size(P5_BODY)}${x('NIL NIL NIL NIL')})`;
  const parts = textPart('plain', 'utf-8', 'quoted-printable', P1_BODY) + p2 + p3 + textPart('plain', 'utf-8', 'base64', P4_BODY) + p5;
  return `(${parts} "mixed"${x('("boundary" "out") NIL NIL NIL')})`;
}

/** Logs in as `user`, appends the messages (each with its APPEND extras) and SELECTs (or EXAMINEs) INBOX. */
async function mailbox(port: number, user: string, messages: Array<[string, string?]>, examine = false, tlsCa?: string): Promise<RawClient> {
  const c = await login(port, user, { tlsCa });
  for (const [i, [body, extra]] of messages.entries()) assert.match(await append(c, `a${i}`, 'INBOX', body, extra), /OK \[APPENDUID/);
  // SELECT once and leave: that takes the messages as \Recent (RFC 3501 section 2.3.2), so FLAGS below show
  // only the stored flags (multi-session.test.ts tests \Recent).
  assert.match((await c.command('r', 'SELECT INBOX')).at(-1)!, /^r OK /);
  assert.match((await c.command('u', 'UNSELECT')).at(-1)!, /^u OK /);
  assert.match((await c.command('s', examine ? 'EXAMINE INBOX' : 'SELECT INBOX')).at(-1)!, /^s OK /);
  return c;
}

const DATE = ' "11-Nov-2026 09:30:00 +0100"';

for (const backend of BACKENDS) {
  describe(`FETCH over TCP [${backend}]`, () => {
    const env = serverPerSuite(backend, 'f');

    it('FLAGS, UID, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODY, BODYSTRUCTURE and the macros FAST, ALL, FULL', async () => {
      const c = await mailbox(env.srv.imapPort, env.user, [[PLAIN, ` (\\Flagged $Label1)${DATE}`]]);
      const fast = `FLAGS (\\Flagged $Label1) INTERNALDATE "11-Nov-2026 08:30:00 +0000" RFC822.SIZE ${size(PLAIN)}`;
      await exchange(c, 'f1', 'FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE)', [
        `* 1 FETCH (UID 1 FLAGS (\\Flagged $Label1) INTERNALDATE "11-Nov-2026 08:30:00 +0000" RFC822.SIZE ${size(PLAIN)})`,
        'f1 OK FETCH completed',
      ]);
      await exchange(c, 'f2', 'FETCH 1 FAST', [`* 1 FETCH (${fast})`, 'f2 OK FETCH completed']);
      await exchange(c, 'f3', 'FETCH 1 all', [`* 1 FETCH (${fast} ENVELOPE ${PLAIN_ENVELOPE})`, 'f3 OK FETCH completed']);
      await exchange(c, 'f4', 'FETCH 1:* FULL', [`* 1 FETCH (${fast} ENVELOPE ${PLAIN_ENVELOPE} BODY ${PLAIN_BODY})`, 'f4 OK FETCH completed']);
      await exchange(c, 'f5', 'UID FETCH 1 (BODYSTRUCTURE BODY)', [
        `* 1 FETCH (UID 1 BODYSTRUCTURE ${PLAIN_BODYSTRUCTURE} BODY ${PLAIN_BODY})`,
        'f5 OK UID FETCH completed',
      ]);
      c.close();
    });

    it('ENVELOPE, BODY and BODYSTRUCTURE (with extension data) of a nested multipart with an attached message', async () => {
      const c = await mailbox(env.srv.imapPort, env.user, [[PLAIN], [MIXED]]);
      await exchange(c, 'f1', 'FETCH 2 (ENVELOPE BODYSTRUCTURE)', [
        `* 2 FETCH (ENVELOPE ${MIXED_ENVELOPE} BODYSTRUCTURE ${mixedStructure(true)})`,
        'f1 OK FETCH completed',
      ]);
      await exchange(c, 'f2', 'UID FETCH 2 BODY', [`* 2 FETCH (UID 2 BODY ${mixedStructure(false)})`, 'f2 OK UID FETCH completed']);
      c.close();
    });

    it('RFC822, RFC822.HEADER, RFC822.TEXT and BODY[] with HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT and TEXT', async () => {
      const c = await mailbox(env.srv.imapPort, env.user, [[PLAIN, ' (\\Seen)']]);
      await exchange(c, 'f1', 'FETCH 1 (RFC822.HEADER RFC822.TEXT)', [
        `* 1 FETCH (RFC822.HEADER ${lit(PLAIN_HEAD)} RFC822.TEXT ${lit(PLAIN_TEXT)})`,
        'f1 OK FETCH completed',
      ]);
      await exchange(c, 'f2', 'FETCH 1 RFC822', [`* 1 FETCH (RFC822 ${lit(PLAIN)})`, 'f2 OK FETCH completed']);
      await exchange(c, 'f3', 'FETCH 1 (BODY[] BODY.PEEK[HEADER] BODY[TEXT])', [
        `* 1 FETCH (BODY[] ${lit(PLAIN)} BODY[HEADER] ${lit(PLAIN_HEAD)} BODY[TEXT] ${lit(PLAIN_TEXT)})`,
        'f3 OK FETCH completed',
      ]);
      // Field names match case-insensitively; a folded field comes whole; the blank line always ends the header.
      await exchange(c, 'f4', 'FETCH 1 (BODY.PEEK[HEADER.FIELDS (subject x-NOTE Nonexistent)] BODY.PEEK[HEADER.FIELDS.NOT (From To Date X-Note)])', [
        `* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT X-NOTE NONEXISTENT)] ${lit(msg('Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=', 'X-Note: first line', '\tsecond line', ''))} ` +
          `BODY[HEADER.FIELDS.NOT (FROM TO DATE X-NOTE)] ${lit(msg('Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=', 'Message-ID: <plain@example.org>', ''))})`,
        'f4 OK FETCH completed',
      ]);
      await exchange(c, 'f5', 'FETCH 1 BODY.PEEK[HEADER.FIELDS ("Message-ID")]', [
        `* 1 FETCH (BODY[HEADER.FIELDS (MESSAGE-ID)] ${lit(msg('Message-ID: <plain@example.org>', ''))})`,
        'f5 OK FETCH completed',
      ]);
      // A message that is not multipart has exactly one part, its body (RFC 9051 section 6.4.5.1).
      await exchange(c, 'f6', 'FETCH 1 BODY.PEEK[1]', [`* 1 FETCH (BODY[1] ${lit(PLAIN_TEXT)})`, 'f6 OK FETCH completed']);
      c.close();
    });

    it('part numbers: 1, 2.MIME, 2, 2.HEADER, 2.TEXT, 2.1, 2.1.MIME, 2.2, 2.HEADER.FIELDS, 3.MIME and the top-level TEXT', async () => {
      const c = await mailbox(env.srv.imapPort, env.user, [[MIXED, ' (\\Seen)']]);
      await exchange(c, 'f1', 'FETCH 1 (BODY[1] BODY[2.MIME] BODY[2])', [
        `* 1 FETCH (BODY[1] ${lit(P1_BODY)} BODY[2.MIME] ${lit(P2_HEAD)} BODY[2] ${lit(P2_BODY)})`,
        'f1 OK FETCH completed',
      ]);
      await exchange(c, 'f2', 'FETCH 1 (BODY[2.HEADER] BODY[2.TEXT])', [
        `* 1 FETCH (BODY[2.HEADER] ${lit(IN_HEAD)} BODY[2.TEXT] ${lit(IN_TEXT)})`,
        'f2 OK FETCH completed',
      ]);
      await exchange(c, 'f3', 'FETCH 1 (BODY[2.1] BODY[2.1.MIME] BODY[2.2] BODY[2.2.MIME])', [
        `* 1 FETCH (BODY[2.1] ${lit(IN1_BODY)} BODY[2.1.MIME] ${lit(IN1_HEAD)} BODY[2.2] ${lit(IN2_BODY)} BODY[2.2.MIME] ${lit(IN2_HEAD)})`,
        'f3 OK FETCH completed',
      ]);
      await exchange(c, 'f4', 'FETCH 1 (BODY[2.HEADER.FIELDS (SUBJECT)] BODY[3.MIME] BODY[3])', [
        `* 1 FETCH (BODY[2.HEADER.FIELDS (SUBJECT)] ${lit(msg('Subject: Inner', ''))} BODY[3.MIME] ${lit(P3_HEAD)} BODY[3] ${lit(P3_BODY)})`,
        'f4 OK FETCH completed',
      ]);
      await exchange(c, 'f5', 'FETCH 1 (BODY[HEADER] BODY[TEXT])', [
        `* 1 FETCH (BODY[HEADER] ${lit(TOP_HEAD)} BODY[TEXT] ${lit(TOP_TEXT)})`,
        'f5 OK FETCH completed',
      ]);
      c.close();
    });

    it('partial fetches <offset.length> of BODY[] sections and BINARY[] data', async () => {
      const c = await mailbox(env.srv.imapPort, env.user, [[PLAIN, ' (\\Seen)'], [MIXED, ' (\\Seen)']]);
      await exchange(c, 'f1', 'FETCH 1 (BODY.PEEK[]<0.20> BODY.PEEK[TEXT]<6.100000> BODY.PEEK[1]<100000.5>)', [
        `* 1 FETCH (BODY[]<0> ${lit(PLAIN.slice(0, 20))} BODY[TEXT]<6> ${lit(PLAIN_TEXT.slice(6))} BODY[1]<100000> {0}\r\n)`,
        'f1 OK FETCH completed',
      ]);
      const hdr = msg('Subject: Inner', '');
      await exchange(c, 'f2', 'FETCH 2 (BODY[2.HEADER.FIELDS (SUBJECT)]<9.6> BODY[2.1]<6.5>)', [
        `* 2 FETCH (BODY[2.HEADER.FIELDS (SUBJECT)]<9> ${lit(hdr.slice(9, 15))} BODY[2.1]<6> ${lit(IN1_BODY.slice(6, 11))})`,
        'f2 OK FETCH completed',
      ]);
      // The offset counts decoded octets (RFC 9051 section 7.5.2); literal8 when the section holds a NUL, every cut of it too.
      const p1 = Buffer.from(P1_DECODED);
      await exchange(c, 'f3', 'FETCH 2 (BINARY.PEEK[1]<2.4> BINARY.PEEK[3]<1.3> BINARY.PEEK[3]<0.2>)', [
        `* 2 FETCH (BINARY[1]<2> ${lit(p1.subarray(2, 6).toString())} BINARY[3]<1> ${lit8(Buffer.from('\x01\x02a'))} BINARY[3]<0> ${lit8(P3_DATA.subarray(0, 2))})`,
        'f3 OK FETCH completed',
      ]);
      c.close();
    });

    it('BINARY and BINARY.SIZE: quoted-printable and base64 decoded, text with CRLF, literal8 for data with NUL', async () => {
      const c = await mailbox(env.srv.imapPort, env.user, [[MIXED, ' (\\Seen)']]);
      await exchange(c, 'f1', 'FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1] BINARY.SIZE[3] BINARY.PEEK[3])', [
        `* 1 FETCH (BINARY.SIZE[1] ${size(P1_DECODED)} BINARY[1] ${lit(P1_DECODED)} BINARY.SIZE[3] ${P3_DATA.length} BINARY[3] ${lit8(P3_DATA)})`,
        'f1 OK FETCH completed',
      ]);
      await exchange(c, 'f2', 'FETCH 1 (BINARY.PEEK[4] BINARY.SIZE[4] BINARY.PEEK[2.1] BINARY.SIZE[2.2])', [
        `* 1 FETCH (BINARY[4] ${lit(P4_DECODED)} BINARY.SIZE[4] ${size(P4_DECODED)} BINARY[2.1] ${lit(IN1_BODY)} BINARY.SIZE[2.2] ${size(IN2_BODY)})`,
        'f2 OK FETCH completed',
      ]);
      c.close();
    });

    it('BINARY and BINARY.SIZE of an unknown transfer encoding fail with NO [UNKNOWN-CTE] and set no \\Seen', async () => {
      const c = await mailbox(env.srv.imapPort, env.user, [[MIXED]]);
      await exchange(c, 'f1', 'FETCH 1 BINARY[5]', ['f1 NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding in part [5] of UID 1']);
      await exchange(c, 'f2', 'UID FETCH 1 BINARY.SIZE[5]', ['f2 NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding in part [5] of UID 1']);
      await exchange(c, 'f3', 'FETCH 1 (BINARY.PEEK[1] BINARY.PEEK[5])', ['f3 NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding in part [5] of UID 1']);
      await exchange(c, 'f4', 'FETCH 1 FLAGS', ['* 1 FETCH (FLAGS ())', 'f4 OK FETCH completed']);
      c.close();
    });

    it('a non-PEEK body item sets \\Seen and reports FLAGS in the same response, once', async () => {
      const c = await mailbox(env.srv.imapPort, env.user, [[PLAIN], [PLAIN], [MIXED], [PLAIN, ' (\\Answered)'], [PLAIN]]);
      const subject = lit(msg('Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=', ''));
      await exchange(c, 'f1', 'FETCH 1 BODY[HEADER.FIELDS (SUBJECT)]', [
        `* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] ${subject} FLAGS (\\Seen))`,
        'f1 OK FETCH completed',
      ]);
      await exchange(c, 'f2', 'FETCH 1 BODY[HEADER.FIELDS (SUBJECT)]', [`* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] ${subject})`, 'f2 OK FETCH completed']);
      // When FLAGS is asked for, it carries the new \Seen in its place; no second FLAGS follows.
      await exchange(c, 'f3', 'FETCH 2 (FLAGS BODY[TEXT])', [`* 2 FETCH (FLAGS (\\Seen) BODY[TEXT] ${lit(PLAIN_TEXT)})`, 'f3 OK FETCH completed']);
      await exchange(c, 'f4', 'UID FETCH 3 BINARY[3]', [`* 3 FETCH (UID 3 BINARY[3] ${lit8(P3_DATA)} FLAGS (\\Seen))`, 'f4 OK UID FETCH completed']);
      // RFC822.HEADER, BINARY.SIZE and the .PEEK forms leave \Seen alone; RFC822.TEXT and RFC822 set it.
      await exchange(c, 'f5', 'FETCH 4:5 (RFC822.HEADER BINARY.SIZE[1] BINARY.PEEK[1] BODY.PEEK[])', [
        `* 4 FETCH (RFC822.HEADER ${lit(PLAIN_HEAD)} BINARY.SIZE[1] ${size(PLAIN_TEXT)} BINARY[1] ${lit(PLAIN_TEXT)} BODY[] ${lit(PLAIN)})`,
        `* 5 FETCH (RFC822.HEADER ${lit(PLAIN_HEAD)} BINARY.SIZE[1] ${size(PLAIN_TEXT)} BINARY[1] ${lit(PLAIN_TEXT)} BODY[] ${lit(PLAIN)})`,
        'f5 OK FETCH completed',
      ]);
      await exchange(c, 'f6', 'FETCH 4 RFC822.TEXT', [`* 4 FETCH (RFC822.TEXT ${lit(PLAIN_TEXT)} FLAGS (\\Seen \\Answered))`, 'f6 OK FETCH completed']);
      await exchange(c, 'f7', 'FETCH 5 RFC822', [`* 5 FETCH (RFC822 ${lit(PLAIN)} FLAGS (\\Seen))`, 'f7 OK FETCH completed']);
      await exchange(c, 'f8', 'FETCH 1:5 FLAGS', [
        '* 1 FETCH (FLAGS (\\Seen))',
        '* 2 FETCH (FLAGS (\\Seen))',
        '* 3 FETCH (FLAGS (\\Seen))',
        '* 4 FETCH (FLAGS (\\Seen \\Answered))',
        '* 5 FETCH (FLAGS (\\Seen))',
        'f8 OK FETCH completed',
      ]);
      c.close();
    });

    it('on a mailbox opened with EXAMINE, body fetches set no \\Seen', async () => {
      const c = await mailbox(env.srv.imapPort, env.user, [[PLAIN], [MIXED]], true);
      await exchange(c, 'f1', 'FETCH 1:2 (BODY[HEADER.FIELDS (SUBJECT)] BINARY.SIZE[1])', [
        `* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] ${lit(msg('Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=', ''))} BINARY.SIZE[1] ${size(PLAIN_TEXT)})`,
        `* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] ${lit(msg('Subject: Quarterly report', ''))} BINARY.SIZE[1] ${size(P1_DECODED)})`,
        'f1 OK FETCH completed',
      ]);
      await exchange(c, 'f2', 'FETCH 1 (RFC822.TEXT BINARY[1])', [`* 1 FETCH (RFC822.TEXT ${lit(PLAIN_TEXT)} BINARY[1] ${lit(PLAIN_TEXT)})`, 'f2 OK FETCH completed']);
      await exchange(c, 'f3', 'FETCH 1:* FLAGS', ['* 1 FETCH (FLAGS ())', '* 2 FETCH (FLAGS ())', 'f3 OK FETCH completed']);
      c.close();
    });

    it('UID FETCH ranges: missing UIDs are ignored and n:* always includes the highest UID', async () => {
      const c = await mailbox(env.srv.imapPort, env.user, [[PLAIN], [PLAIN]]);
      await exchange(c, 'f1', 'UID FETCH 5:9 FLAGS', ['f1 OK UID FETCH completed']);
      await exchange(c, 'f2', 'UID FETCH 100:* FLAGS', ['* 2 FETCH (UID 2 FLAGS ())', 'f2 OK UID FETCH completed']);
      await exchange(c, 'f3', 'UID FETCH 2,1 UID', ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 2)', 'f3 OK UID FETCH completed']);
      await exchange(c, 'f4', 'FETCH *:1 (UID)', ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 2)', 'f4 OK FETCH completed']);
      c.close();
    });

    it('BAD for malformed items and for sequence numbers out of range', async () => {
      const c = await mailbox(env.srv.imapPort, env.user, [[PLAIN], [PLAIN]]);
      const bad: Array<[string, string]> = [
        ['FETCH 1 (FLAGS BOGUS)', 'Unknown FETCH item BOGUS'],
        ['FETCH 1 ()', 'Empty FETCH item list'],
        ['FETCH 1 (FAST)', 'Unknown FETCH item FAST'],
        ['FETCH 1 ALL FLAGS', 'Expected a FETCH modifier list'],
        ['FETCH 1 BODY.PEEK', 'BODY.PEEK needs a section'],
        ['FETCH 1 BODY[MIME]', 'MIME needs a part number'],
        ['FETCH 1 BODY[1.BOGUS]', 'Invalid section BOGUS'],
        ['FETCH 1 BODY[HEADER.FIELDS ()]', 'Empty header field list'],
        ['FETCH 1 BODY[TEXT', 'Expected "]" after section'],
        ['FETCH 1 BODY[]<5>', 'Expected "." in partial'],
        ['FETCH 1 BINARY[1.MIME]', 'Expected number'],
        ['FETCH 1 BINARY[1:2]', 'Invalid BINARY section'],
        ['FETCH 1 BINARY.SIZE', 'BINARY needs a section'],
      ];
      for (const [i, [command, text]] of bad.entries()) await exchange(c, `b${i}`, command, [`b${i} BAD ${text}`]);
      await exchange(c, 'r1', 'FETCH 3 FLAGS', ['r1 BAD Invalid message sequence number: 3 (the mailbox has 2)']);
      await exchange(c, 'r2', 'FETCH 1:5 FLAGS', ['r2 BAD Invalid message sequence number: 5 (the mailbox has 2)']);
      await exchange(c, 'r3', 'FETCH 1', ['r3 BAD Missing arguments']);
      c.close();
    });

    it('in an empty mailbox "*" is out of range, while UID FETCH 1:* answers nothing', async () => {
      const c = await mailbox(env.srv.imapPort, env.user, []);
      await exchange(c, 'f1', 'FETCH * FLAGS', ['f1 BAD Invalid message sequence number: the mailbox is empty']);
      await exchange(c, 'f2', 'FETCH 1 FLAGS', ['f2 BAD Invalid message sequence number: the mailbox is empty']);
      await exchange(c, 'f3', 'UID FETCH 1:* FLAGS', ['f3 OK UID FETCH completed']);
      c.close();
    });
  });

  describe(`FETCH over implicit TLS [${backend}]`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend);
      await srv.addUser('tls@example.com', 'pw');
    });
    after(async () => srv.close());

    it('literals and literal8 come through TLS intact; BODY[] sets \\Seen', async () => {
      const c = await mailbox(srv.imapsPort, 'tls@example.com', [[MIXED]], false, srv.cert);
      await exchange(c, 'f1', 'FETCH 1 (BINARY.PEEK[3] BINARY.PEEK[1] BODY.PEEK[2.TEXT])', [
        `* 1 FETCH (BINARY[3] ${lit8(P3_DATA)} BINARY[1] ${lit(P1_DECODED)} BODY[2.TEXT] ${lit(IN_TEXT)})`,
        'f1 OK FETCH completed',
      ]);
      await exchange(c, 'f2', 'UID FETCH 1 (BODY[] RFC822.SIZE)', [`* 1 FETCH (UID 1 BODY[] ${lit(MIXED)} RFC822.SIZE ${size(MIXED)} FLAGS (\\Seen))`, 'f2 OK UID FETCH completed']);
      c.close();
    });
  });
}
