/**
 * The commands of the Dovecot comparison: flag changes made on both servers after APPEND, the SEARCH
 * criteria, the SORT keys and the THREAD algorithms. Non-ASCII search strings are words that occur in
 * the corpus in the charset named beside them (in a header as an encoded-word, or in a body part with
 * the transfer encoding named), sent as UTF-8 with CHARSET UTF-8 (RFC 9051 section 6.4.4).
 */
import type { SearchCriterion } from './compare.js';

/** STORES: flag changes by sequence number, sent to both servers after loading (silent). */
export const STORES = [
  'STORE 5:60 +FLAGS.SILENT (\\Draft)',
  'STORE 50:90 +FLAGS.SILENT (\\Deleted $Later)',
  'STORE 1:30 -FLAGS.SILENT (\\Seen)',
  'STORE 200:220 FLAGS.SILENT (\\Answered $Work)',
];

const plain = (criteria: string): SearchCriterion => ({ label: criteria, criteria });
/** A search key whose last argument is a UTF-8 string sent as a literal. */
const utf8 = (key: string, text: string, note: string): SearchCriterion => ({
  label: `${key} ${text} (${note})`,
  criteria: `CHARSET UTF-8 ${key}`,
  literal: text,
});

/** SEARCHES: the criteria table. */
export const SEARCHES: SearchCriterion[] = [
  // headers
  plain('FROM "example"'),
  plain('FROM "daemon"'),
  plain('FROM ".org"'),
  plain('TO "spamassassin"'),
  plain('TO "@"'),
  plain('CC "@"'),
  plain('BCC "@"'),
  plain('SUBJECT "re:"'),
  plain('SUBJECT "test"'),
  plain('SUBJECT ""'),
  plain('HEADER Message-ID "<"'),
  plain('HEADER X-Mailer ""'),
  plain('HEADER List-Id "spamassassin"'),
  plain('HEADER Content-Type "multipart/mixed"'),
  plain('HEADER Content-Type "boundary"'),
  plain('HEADER References "@"'),
  plain('HEADER In-Reply-To ""'),
  // bodies
  plain('BODY "unsubscribe"'),
  plain('BODY "click here"'),
  plain('BODY "Content-Type"'),
  plain('BODY "begin 644"'),
  plain('TEXT "unsubscribe"'),
  plain('TEXT "Received"'),
  plain('BODY "html"'),
  plain('TEXT "boundary"'),
  // non-ASCII, by the charset and encoding they occur in
  utf8('SUBJECT', 'テストテスト', 'ISO-2022-JP encoded-word'),
  utf8('SUBJECT', '日本語の件名', 'ISO-2022-JP encoded-word'),
  utf8('SUBJECT', 'Скидки', 'windows-1251 encoded-word'),
  utf8('SUBJECT', '装硬碟问题', 'GB2312 encoded-word'),
  utf8('SUBJECT', '한국말로', 'EUC-KR encoded-word'),
  utf8('SUBJECT', 'fotgängare', 'ISO-8859-1 encoded-word'),
  utf8('SUBJECT', 'FOTGÄNGARE', 'upper case of an ISO-8859-1 encoded-word'),
  utf8('SUBJECT', '尋找機會', 'Big5 encoded-word'),
  utf8('BODY', 'Verfügung', 'ISO-8859-1 quoted-printable'),
  utf8('BODY', 'VERFÜGUNG', 'upper case of ISO-8859-1 quoted-printable'),
  utf8('BODY', 'Contraseña', 'ISO-8859-1 8bit'),
  utf8('BODY', 'Grüße', 'ISO-8859-15 quoted-printable'),
  utf8('BODY', 'このメールはテスト用のメールです', 'Shift_JIS 8bit'),
  utf8('BODY', '文字コード', 'Shift_JIS base64'),
  utf8('BODY', 'すみません', 'ISO-2022-JP 7bit'),
  utf8('BODY', '世界人権宣言', 'EUC-JP base64'),
  utf8('BODY', '请检查一下', 'GB2312 8bit'),
  utf8('BODY', '本公司长期经销电脑配件', 'GB2312 quoted-printable'),
  utf8('BODY', '마찬가지로', 'EUC-KR base64'),
  utf8('BODY', '최신', 'KS_C_5601-1987, absent'),
  utf8('BODY', '最新資訊的軟體泡麵站', 'Big5 base64'),
  utf8('BODY', 'primär', 'UTF-8 8bit'),
  utf8('BODY', 'KENDİNİZİ', 'ISO-8859-9 8bit'),
  utf8('TEXT', 'grâce', 'UTF-8 8bit'),
  utf8('TEXT', 'Pádraig', 'ISO-8859-15 8bit'),
  // the search string itself in another charset (RFC 9051 section 6.4.4: CHARSET names the string's charset)
  { label: 'BODY Verfügung (sent as ISO-8859-1)', criteria: 'CHARSET ISO-8859-1 BODY', literal: Buffer.from('Verfügung', 'latin1') },
  // internal dates (2001-01-01 plus 41 hours per message) and sent dates (the Date: field)
  plain('BEFORE 1-Jun-2001'),
  plain('ON 18-Jan-2001'),
  plain('SINCE 1-Jun-2002'),
  plain('SINCE 1-Jan-2001 BEFORE 2-Jan-2001'),
  plain('SENTBEFORE 1-Jan-2002'),
  plain('SENTON 22-Aug-2002'),
  plain('SENTSINCE 1-Jan-2009'),
  plain('SENTSINCE 1-Sep-2002 SENTBEFORE 1-Oct-2002'),
  // sizes
  plain('LARGER 10000'),
  plain('SMALLER 2000'),
  plain('LARGER 3000 SMALLER 3500'),
  // flags
  plain('SEEN'),
  plain('UNSEEN'),
  plain('FLAGGED'),
  plain('ANSWERED'),
  plain('UNANSWERED'),
  plain('DRAFT'),
  plain('DELETED'),
  plain('UNDELETED'),
  plain('KEYWORD $Work'),
  plain('UNKEYWORD $Work'),
  plain('KEYWORD $Later'),
  // RECENT, NEW and OLD are left out: Letterbox keeps no \Recent flag (see EQUIVALENCES.FLAGS).
  // combinations
  plain('NOT SEEN'),
  plain('OR FLAGGED ANSWERED'),
  plain('OR (NOT SEEN) DELETED'),
  plain('NOT OR SUBJECT "re:" FROM "example"'),
  plain('SEEN LARGER 4000 NOT DELETED'),
  plain('OR BODY "unsubscribe" SUBJECT "free"'),
  plain('ALL'),
  plain('1:10,300:*'),
  plain('UID 5:20'),
];

/** SORTS: SORT keys (RFC 5256 section 3), each run as `UID SORT (keys) UTF-8 ALL`. */
export const SORTS = [
  'ARRIVAL',
  'DATE',
  'SUBJECT',
  'FROM',
  'TO',
  'CC',
  'SIZE',
  'REVERSE DATE',
  'REVERSE SUBJECT',
  'SUBJECT DATE',
  'REVERSE ARRIVAL',
];

/** THREAD_ALGORITHMS: compared when Letterbox advertises THREAD=<algorithm> (RFC 5256 section 3). */
export const THREAD_ALGORITHMS = ['ORDEREDSUBJECT', 'REFERENCES'];
