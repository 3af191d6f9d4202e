/**
 * The mbox format (mboxrd, as mutt, Dovecot and most tools read it) both ways, for import and export:
 * the "From " envelope line, ">From " quoting, and the flags in Status, X-Status and X-Keywords header
 * fields. What `letterbox export` writes, `letterbox import` reads back to the same bytes and flags: the
 * three fields it adds stand first in the header, in a fixed order (FLAG_BLOCK), so that the importer can
 * take exactly those away again, and the message's own fields of the same names stay as they were.
 * Pure functions, no I/O.
 */

/** MBOX_SUFFIX ends the name of every mailbox file of a folder of mbox files (one file per mailbox). */
export const MBOX_SUFFIX = '.mbox';

/** X_STATUS: X-Status letters for system flags (mutt's), in the order they are written; Status R is \Seen. */
const X_STATUS: ReadonlyArray<readonly [string, string]> = [
  ['A', '\\Answered'],
  ['F', '\\Flagged'],
  ['T', '\\Draft'],
  ['D', '\\Deleted'],
];

/** StatusFields are the values of a message's Status, X-Status and X-Keywords fields (null when absent). */
export interface StatusFields {
  status: string | null;
  xStatus: string | null;
  xKeywords: string | null;
}

/** statusFlags maps Status (R = \Seen), X-Status (A, F, T, D) and X-Keywords (keywords separated by spaces or commas) to flags. */
export function statusFlags(f: StatusFields): string[] {
  const flags: string[] = [];
  if ((f.status ?? '').includes('R')) flags.push('\\Seen');
  for (const [letter, flag] of X_STATUS) if ((f.xStatus ?? '').includes(letter)) flags.push(flag);
  for (const k of (f.xKeywords ?? '').split(/[\s,]+/)) {
    if (k !== '' && !k.startsWith('\\') && /^[^(){%*"\]\x00-\x1f\x7f]+$/.test(k) && !flags.includes(k)) flags.push(k);
  }
  return flags;
}

/** flagBlock is the header block export puts first in each message: `Status: RO|O`, `X-Status: AFTD`, `X-Keywords: k1 k2`, LF line ends. */
export function flagBlock(flags: readonly string[]): string {
  const lower = new Set(flags.map((f) => f.toLowerCase()));
  const xStatus = X_STATUS.filter(([, f]) => lower.has(f.toLowerCase())).map(([l]) => l).join('');
  const keywords = flags.filter((f) => !f.startsWith('\\'));
  return `Status: ${lower.has('\\seen') ? 'RO' : 'O'}\nX-Status: ${xStatus}\nX-Keywords: ${keywords.join(' ')}\n`;
}

/** FLAG_BLOCK matches flagBlock's fields at the start of a message (LF or CRLF line ends), names spelled as written. */
const FLAG_BLOCK = /^Status: ([^\r\n]*)\r?\nX-Status: ([^\r\n]*)\r?\nX-Keywords: ([^\r\n]*)\r?\n/;

/**
 * takeFlagBlock returns the length in octets of a flag block that starts `raw` and its fields, or null when
 * the message does not start with one (then its own Status fields, wherever they are, give the flags).
 */
export function takeFlagBlock(raw: Buffer): { length: number; fields: StatusFields } | null {
  const head = raw.subarray(0, 4096).toString('latin1');
  const m = FLAG_BLOCK.exec(head);
  if (!m) return null;
  return { length: m[0].length, fields: { status: m[1]!, xStatus: m[2]!, xKeywords: m[3]! } };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** fromLine is the envelope line of a message: "From <sender> <asctime in UTC>" (e.g. "From MAILER-DAEMON Sat Jan  3 01:05:34 1996"), no line end. */
export function fromLine(sender: string, date: number): string {
  const d = new Date(date);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `From ${sender} ${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${time} ${d.getUTCFullYear()}`;
}

/** envelopeSender is the address of a Return-Path field value ("<a@b>" -> "a@b"), or MAILER-DAEMON for none, the null path or one with spaces. */
export function envelopeSender(returnPath: string | null): string {
  const addr = /<([^<>\s]*)>/.exec(returnPath ?? '')?.[1] ?? (returnPath ?? '').trim();
  return addr === '' || /\s/.test(addr) ? 'MAILER-DAEMON' : addr;
}

/**
 * mboxBody writes `raw` (a stored message, CRLF) as mbox content: CRLF line ends become LF (a lone CR stays),
 * lines that start with ">"s and "From " get one more ">" (mboxrd), and a message that does not end with a
 * line end gets one (mbox cannot say where such a message ends: importing it back adds CRLF there).
 */
export function mboxBody(raw: Buffer): Buffer {
  let text = raw.toString('latin1').replace(/\r\n/g, '\n');
  // Only after LF: the importer splits lines there, and a "From " after a lone CR is inside a line.
  text = text.replace(/(^|\n)(>*From )/g, '$1>$2');
  if (!text.endsWith('\n')) text += '\n';
  return Buffer.from(text, 'latin1');
}
