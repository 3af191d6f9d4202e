/**
 * EXPLAINED lists every known difference between Letterbox and Dovecot in the comparison, each matched
 * narrowly (one message and one data item, or one whole-mailbox command with message '*'), with the RFC
 * passage that justifies Letterbox's answer. A difference not listed here fails the comparison test.
 */
import type { Value } from './wire.js';
import {
  BINARY_DROPPED,
  BINARY_PARSE_REFUSED,
  BODY_HAS_PART_HEADERS,
  DOVECOT_DEFAULT_TEXT_PLAIN,
  ENVELOPE_WHITESPACE,
  INVALID_CONTENT_TYPE_IS_TEXT,
  LAST_LINE_UNTERMINATED,
  MULTIPART_WITHOUT_BOUNDARY,
  NO_DATE_FIELD,
  TO_WITHOUT_HOST,
  ENVELOPE_WHITESPACE_IN_STRUCTURE,
  CONTAINER_ENDS_BEFORE_DELIMITER,
  DELIMITER_LINES,
  BODY_HAS_PART_HEADERS_ITEMS,
  UNREADABLE_DATE,
  PLACEHOLDER_AT,
  SORT_DATE_PAST_2038,
  SORT_8BIT_SUBJECT,
  SEVERAL_REASONS,
} from './difference-cases.js';

/**
 * Explanation: a group of differences with one reason, each listed as "message item" (message '*' for
 * answers about the whole mailbox). `kind: 'rfc'` means Letterbox follows the quoted passage where Dovecot
 * departs from it. There is no other kind: a difference without an RFC passage fails the test.
 */
export interface Explanation {
  kind: 'rfc';
  /** The RFC passage, quoted, that Letterbox follows. */
  reason: string;
  /** "tricky/00012.eml BODYSTRUCTURE", "tricky/00001.eml SEARCH SENTBEFORE 1-Jan-2002", ... */
  cases: string[];
}

/** EXPLAINED: the table of explained differences. */
export const EXPLAINED: Explanation[] = [
  {
    kind: 'rfc',
    reason:
      'RFC 9051 section 6.4.4: "SENTBEFORE <date>: Messages whose [RFC5322] Date: header (disregarding time ' +
      'and timezone) is earlier than the specified date." These messages have no Date: field, so no SENT* key ' +
      'matches them; Dovecot falls back to the internal date.',
    cases: NO_DATE_FIELD.map((m) => `${m} SEARCH SENTBEFORE 1-Jan-2002`),
  },
  {
    kind: 'rfc',
    reason:
      'RFC 5322 section 3.3: year = (FWS 4*DIGIT FWS) / obs-year; "Mon, 30 Jun 3609 15:33:50 +0600" is a valid ' +
      'date in the year 3609, which is after 1-Jan-2009. Dovecot does not take it and uses the internal date.',
    cases: ['tricky/00067.eml SEARCH SENTSINCE 1-Jan-2009'],
  },
  {
    kind: 'rfc',
    reason:
      'RFC 9051 section 6.4.4: UTF-8 and US-ASCII must be supported as the CHARSET of SEARCH, "other [CHARSET]s ' +
      'MAY be supported", and a server that does not support the specified charset must return a tagged NO, ' +
      'which should carry the BADCHARSET response code. Letterbox answers NO [BADCHARSET (UTF-8 US-ASCII)] to ' +
      'CHARSET ISO-8859-1; Dovecot supports it.',
    cases: ['* SEARCH BODY Verfügung (sent as ISO-8859-1)'],
  },
  {
    kind: 'rfc',
    reason:
      'RFC 5322 section 2.2.3: "Unfolding is accomplished by simply removing any CRLF that is immediately ' +
      'followed by WSP." The whitespace after a fold stays; Dovecot also collapses runs of whitespace in the ' +
      'envelope subject. (RFC 9051 section 7.5.2: the envelope fields are the header values, not rewritten.)',
    cases: ENVELOPE_WHITESPACE.map((m) => `${m} ENVELOPE`),
  },
  {
    kind: 'rfc',
    reason:
      'RFC 9051 section 6.4.4: "BODY <string>: Messages that contain the specified string in the body of the ' +
      'message", and RFC 5322 section 2.1: the body is everything after the header section, which in a ' +
      'multipart includes the MIME header fields of its parts. Dovecot searches only decoded part text.',
    cases: BODY_HAS_PART_HEADERS.map((m) => `${m} SEARCH BODY "Content-Type"`),
  },
  {
    kind: 'rfc',
    reason:
      'RFC 9051 section 7.1.5: "The BYE response is always untagged and indicates that the server is about to ' +
      'close the connection." Dovecot closes the connection without BYE when it cannot decode a part for ' +
      'BINARY.SIZE; Letterbox answers (RFC 2045 section 6.8: "Any characters outside of the base64 alphabet ' +
      'are to be ignored in base64-encoded data.").',
    cases: BINARY_DROPPED.map((c) => `${c} status`),
  },
  {
    kind: 'rfc',
    reason:
      'RFC 9051 section 6.4.5 (and RFC 3516) define BINARY and BINARY.SIZE per section: the named part with its own Content-Transfer-Encoding ' +
      'removed. Dovecot answers NO [PARSE] for every part of a message once one base64 part of it is broken ' +
      '(even for 7bit and quoted-printable parts); Letterbox decodes each part on its own, and in base64 ' +
      'follows RFC 2045 section 6.8: "Any characters outside of the base64 alphabet are to be ignored in ' +
      'base64-encoded data."',
    cases: BINARY_PARSE_REFUSED,
  },
  {
    kind: 'rfc',
    reason:
      'RFC 9051 section 7.5.2, BINARY: "If the server does not know how to decode the section\'s ' +
      'Content-Transfer-Encoding, it MUST fail the request and issue a "NO" response that contains the ' +
      '"UNKNOWN-CTE" response code." These sections are 7bit; Dovecot refuses them because another part of the ' +
      'message has an encoding it does not know (part 3 of tricky/00099.eml is "8 bit", no token, so 7bit as in ' +
      'Dovecot\'s own BODYSTRUCTURE).',
    cases: [
      'tricky/00071.eml BINARY.SIZE[1] status',
      'tricky/00099.eml BINARY.SIZE[3] status',
      'tricky/00099.eml BINARY[3] status',
      'tricky/00106.eml BINARY.SIZE[1] status',
      'tricky/00106.eml BINARY[1] status',
    ],
  },
  {
    kind: 'rfc',
    reason:
      'RFC 9051 section 6.4.4: "TO <string>: Messages that contain the specified string in the envelope ' +
      'structure\'s TO field." These To fields hold no "@" and no domain; both servers put the placeholder ' +
      '"MISSING_DOMAIN" in the envelope, and Dovecot matches the "@" it writes between mailbox and placeholder, ' +
      'which is not text of the message.',
    cases: TO_WITHOUT_HOST.map((m) => `${m} SEARCH TO "@"`),
  },
  {
    kind: 'rfc',
    reason:
      'RFC 9051 section 7.5.2: body-fld-lines is "the size of the body in text lines". A part body ends before ' +
      'the CRLF that belongs to the next delimiter (RFC 2046 section 5.1.1: "The CRLF preceding the boundary ' +
      'delimiter line is conceptually attached to the boundary"), so its last line has no line end of its own; ' +
      'Letterbox counts it as a line (a one-line part has 1 line), Dovecot counts only line ends (0 lines). ' +
      'The same rule is asserted in test/imap/fetch.test.ts (lines()).',
    cases: LAST_LINE_UNTERMINATED,
  },
  {
    kind: 'rfc',
    reason:
      'RFC 2045 section 5.1: "The type, subtype, and parameter names are not case sensitive." Letterbox sends the ' +
      'spelling of the header (as Dovecot does for every other part); for a one-part text/plain message in ' +
      'us-ascii and 7bit, Dovecot sends its default spelling ("text" "plain" ("charset" "us-ascii") ... "7bit") ' +
      'whatever the header wrote ("TEXT/PLAIN", "Charset", "7BIT"), because it keeps only a flag for such messages.',
    cases: DOVECOT_DEFAULT_TEXT_PLAIN,
  },
  {
    kind: 'rfc',
    reason:
      'RFC 2046 section 5.1.1: "The Content-Type field for multipart entities requires one parameter, ' +
      '\'boundary\'." RFC 2045 section 5.2 recommends that "this default [text/plain; charset=us-ascii] be ' +
      'assumed when a syntactically invalid Content-Type header field is encountered." ' +
      'Letterbox serves such a body as text (so it can be read and searched); Dovecot serves a multipart ' +
      'holding one empty part.',
    cases: MULTIPART_WITHOUT_BOUNDARY,
  },
  {
    kind: 'rfc',
    reason:
      'RFC 2045 section 5.2 recommends that "this default [text/plain; charset=us-ascii] be assumed when a ' +
      'syntactically invalid Content-Type header field is encountered", and RFC 9051 section 7.5.2 wants textual ' +
      'sections of BINARY sent with CRLF line ends. These parts have an unparsable Content-Type: Letterbox ' +
      'serves them as text/plain, Dovecot as type "" subtype "" with the decoded octets as they are.',
    cases: INVALID_CONTENT_TYPE_IS_TEXT,
  },
  {
    kind: 'rfc',
    reason:
      'RFC 5322 section 2.2.3: "Unfolding is accomplished by simply removing any CRLF that is immediately followed ' +
      'by WSP." As for ENVELOPE above, in the envelope of an embedded message/rfc822 part inside BODYSTRUCTURE.',
    cases: ENVELOPE_WHITESPACE_IN_STRUCTURE,
  },
  {
    kind: 'rfc',
    reason:
      'RFC 2046 section 5.1.1: "The CRLF preceding the boundary delimiter line is conceptually attached to the ' +
      'boundary so that it is possible to have a part that does not end with a CRLF (line break)." A multipart or ' +
      'message/rfc822 part ends before the line break that precedes the next delimiter; Dovecot keeps that line break ' +
      'in such container parts (BODY[n] ends with "--inner--\\r\\n", the size is 2 octets and 1 line more), while it ' +
      'drops it for other parts.',
    cases: CONTAINER_ENDS_BEFORE_DELIMITER,
  },
  {
    kind: 'rfc',
    reason:
      'RFC 2046 section 5.1.1 defines a delimiter line by its grammar: "dash-boundary := "--" boundary", ' +
      '"encapsulation := delimiter transport-padding CRLF body-part", "close-delimiter := delimiter "--"", ' +
      '"transport-padding := *LWSP-char", and "boundary := 0*69<bchars> bcharsnospace", where bchars include "=". ' +
      'Letterbox takes a line as a delimiter only when the whole boundary is followed by transport padding or "--", ' +
      'and each multipart splits its own body at its own delimiters. Dovecot takes any line that begins with a ' +
      'boundary of the part or of an enclosing part (innermost first, so a reused boundary belongs to the inner ' +
      'multipart), cuts over-long boundaries short, and reads an unquoted boundary only up to "=" ("boundary=----=_Next" ' +
      'as "----"), so it splits these malformed messages at other lines: text after a boundary ("--b-" or "--b x"), ' +
      'boundaries that are prefixes of one another, a 7000-character boundary (RFC 2046 allows 70).',
    cases: DELIMITER_LINES,
  },
  {
    kind: 'rfc',
    reason:
      'RFC 9051 section 6.4.4: "BODY <string>: Messages that contain the specified string in the body of the ' +
      'message", and RFC 5322 section 2.1: the body is everything after the header section. The string appears only ' +
      'in the header fields of an embedded message/rfc822 part (List-Unsubscribe), which are in the body of the outer ' +
      'message; Dovecot searches only decoded part text.',
    cases: BODY_HAS_PART_HEADERS_ITEMS,
  },
  {
    kind: 'rfc',
    reason:
      'RFC 9051 section 6.4.4: "SENTBEFORE <date>: Messages whose [RFC5322] Date: header (disregarding time and ' +
      'timezone) is earlier than the specified date." These Date: fields hold no date Letterbox reads ("Tue, 04 Jun ' +
      '0102", the year-2002 bug of some mailers, and "Mon, 30 Jun 3609", past what a 32-bit time holds, read by the ' +
      'same rules as SORT, src/imap/sort/sent-date.ts); no SENT* key matches them. Dovecot compares the internal ' +
      'date, or the year-3609 instant cut to 32 bits (a day in 1975), instead.',
    cases: UNREADABLE_DATE.map((m) => `${m} SEARCH SENTBEFORE 1-Jan-2002`),
  },
  {
    kind: 'rfc',
    reason:
      'RFC 9051 section 6.4.4: "TO <string>: Messages that contain the specified string in the envelope structure\'s ' +
      'TO field" (BCC likewise). These fields hold no "@" ("To: Mary Smith", an empty Bcc); Dovecot matches the "@" ' +
      'it writes between its placeholders MISSING_MAILBOX and MISSING_DOMAIN, which is not text of the message.',
    cases: PLACEHOLDER_AT,
  },
  {
    kind: 'rfc',
    reason:
      'RFC 5256 section 2.2: "If the sent date cannot be determined (a Date: header is missing or cannot be parsed), ' +
      'the INTERNALDATE for that message is used as the sent date." tricky/00067.eml is dated "Mon, 30 Jun 3609", ' +
      'which Letterbox cannot hold as a sent date (past 2038, src/imap/sort/sent-date.ts), so it uses the INTERNALDATE; ' +
      'Dovecot sorts it by that instant cut to 32 bits, a day in 1975, which is neither the Date: header nor the ' +
      'INTERNALDATE, and so places it first. Orders differ only by that message.',
    cases: SORT_DATE_PAST_2038,
  },
  {
    kind: 'rfc',
    reason:
      'RFC 9051 section 4.3 (quoted above for ENVELOPE): 8-bit characters SHOULD be sent "only when the [CHARSET] is ' +
      'identified"; these subjects hold raw 8-bit octets naming no charset. RFC 5256 section 2.1 converts only ' +
      'encoded-words to UTF-8 for the base subject, so neither server follows a rule here: Letterbox orders the ' +
      'subject as the same UTF-8 text it sends in ENVELOPE (each octet read as ISO-8859-1), Dovecot as U+FFFD. ' +
      'Orders differ only by the messages with such subjects (tricky/00116, 00158, 00163, 00166, 00167, 00170).',
    cases: SORT_8BIT_SUBJECT,
  },
  {
    kind: 'rfc',
    reason:
      'These body structures differ in several ways at once, each explained above: body-fld-lines counting the ' +
      'last line of a part (RFC 9051 section 7.5.2, RFC 2046 section 5.1.1), whitespace kept after unfolding in an ' +
      'embedded envelope (RFC 5322 section 2.2.3), the size of container parts (RFC 2046 section 5.1.1), a ' +
      'Content-Type "text" without subtype served as text/plain (RFC 2045 section 5.2), and an RFC 2231 parameter ' +
      '(filename*=utf-8\'\'...) that Letterbox decodes as RFC 2231 section 4 defines and Dovecot passes raw.',
    cases: SEVERAL_REASONS,
  },
];

const index = new Map<string, Explanation>();
// The first entry naming a case wins, so a hand-written entry is never overridden by a generated list.
for (const e of EXPLAINED) for (const c of e.cases) if (!index.has(c)) index.set(c, e);

/** explanationFor returns the entry for exactly this message and item, or undefined. */
export function explanationFor(message: string, item: string): Explanation | undefined {
  return index.get(`${message} ${item}`);
}

/**
 * RULES: differences explained by a rule that the comparison checks for each case itself (compare.ts
 * compareBinary), rather than by a list of cases.
 */
export const RULES = {
  BINARY_TEXT_CRLF:
    'RFC 9051 section 7.5.2: "When sending data in a BINARY[...] FETCH data item, servers MUST ensure that ' +
    'textual line-oriented sections are always transmitted using the IMAP CRLF line termination syntax, ' +
    'regardless of the underlying storage representation of the data on the server." Checked: the part is ' +
    'text/*, Letterbox\'s decoded octets have only CRLF line ends, and apart from line ends equal Dovecot\'s.',
  BINARY_SIZE_OF_BINARY:
    'RFC 9051 section 7.5.2, BINARY.SIZE: "The value returned MUST match the size of the <nstring> or ' +
    '<literal8> that will be returned by the corresponding FETCH BINARY request." Checked: Letterbox\'s ' +
    'BINARY.SIZE is the size of its BINARY, Dovecot\'s is not, and the two BINARY answers agree (or differ ' +
    'only as BINARY_TEXT_CRLF allows).',
} as const;

/** RuleName: a key of RULES. */
export type RuleName = keyof typeof RULES;

/**
 * EQUIVALENCES: spellings the grammar allows both ways and that mean the same value, so they are
 * normalised before comparing (each with its RFC passage), rather than listed message by message.
 */
export const EQUIVALENCES = {
  INTERNALDATE:
    'RFC 9051 section 9: date-day-fixed = (SP DIGIT) / 2DIGIT ; Fixed-format version of date-day. ' +
    'Letterbox sends " 1-Jan-2001", Dovecot "01-Jan-2001": the same date.',
  FLAG_ORDER: 'RFC 9051 section 2.3.2: the flags of a message are a list of zero or more named tokens whose order carries no meaning, so FLAGS are compared as sets.',
  CHARSET_CASE:
    'RFC 2046 section 4.1.2: "Unlike some other parameter values, the values of the charset parameter are NOT ' +
    'case sensitive." Dovecot sometimes writes "us-ascii" where the header says "US-ASCII" (Letterbox keeps the ' +
    'header\'s spelling, as Dovecot does for types, subtypes and parameter names), so charset values are compared lower-cased.',
  FLAGS:
    'IMAP4rev2 has no \\Recent flag (RFC 9051 Appendix E lists its removal among the changes from RFC 3501). ' +
    'Letterbox does not keep \\Recent for IMAP4rev1 sessions either (RECENT ' +
    'matches nothing, as src/imap/search/evaluate.ts says), so \\Recent is dropped from Dovecot\'s FLAGS.',
} as const;

/** normalise applies EQUIVALENCES to one FETCH item's value (as parsed by wire.ts); other items pass unchanged. */
export function normalise(item: string, v: Value | undefined): Value | undefined {
  if (v === undefined) return v;
  if (item === 'INTERNALDATE' && v.kind === 'string') {
    return { kind: 'string', bytes: Buffer.from(v.bytes.toString('latin1').replace(/^[ 0](\d-)/, '$1'), 'latin1') };
  }
  if (item === 'FLAGS' && v.kind === 'list') {
    const flags = v.items.filter((f) => !(f.kind === 'atom' && f.text.toLowerCase() === '\\recent'));
    return { kind: 'list', items: flags.sort((a, b) => (a.kind === 'atom' && b.kind === 'atom' ? a.text.localeCompare(b.text) : 0)) };
  }
  if (item === 'BODYSTRUCTURE' || item === 'BODY') return lowerCharsets(v);
  return v;
}

const lower = (v: Value | undefined): Value | undefined =>
  v?.kind === 'string' ? { kind: 'string', bytes: Buffer.from(v.bytes.toString('latin1').toLowerCase(), 'latin1') } : v;

/**
 * lowerCharsets lower-cases the values of charset parameters throughout a body structure
 * (EQUIVALENCES.CHARSET_CASE); everything else, names included, is compared exactly.
 */
function lowerCharsets(v: Value): Value {
  if (v.kind !== 'list' || v.items.length === 0) return v;
  const items = [...v.items];
  const text = (x: Value | undefined): string => (x?.kind === 'string' ? x.bytes.toString('latin1').toLowerCase() : '');
  const params = (p: Value | undefined): Value | undefined =>
    p?.kind === 'list' ? { kind: 'list', items: p.items.map((x, k) => (k % 2 === 1 && text(p.items[k - 1]) === 'charset' ? lower(x)! : x)) } : p;
  if (items[0]!.kind === 'list') {
    let k = 0;
    while (items[k]?.kind === 'list') {
      items[k] = lowerCharsets(items[k]!);
      k++;
    }
    if (items[k + 1]) items[k + 1] = params(items[k + 1])!;
    return { kind: 'list', items };
  }
  items[2] = params(items[2])!;
  const message = text(items[0]) === 'message' && ['rfc822', 'global'].includes(text(items[1]));
  if (message && items[8]) items[8] = lowerCharsets(items[8]);
  return { kind: 'list', items };
}
