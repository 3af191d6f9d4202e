/**
 * How SEARCH compares text (RFC 9051 section 6.4.4: a case-insensitive substring match): the needle and the
 * text are compared after NFC and lower-casing (normalise), with shortcuts that give the same answer
 * without normalising (includesNormalised), over a message's decoded text (PreparedText).
 */

/**
 * SearchText: decoded header block ("Name: value\n" per field) and decoded body text (RFC 9051 section 6.4.4;
 * null when not loaded, for keys that read only header fields), and for TEXT the MIME header fields of the
 * body parts (`partHeaders`, mime/part-headers.ts; absent when not loaded).
 */
export interface SearchText {
  headers: string;
  body: string | null;
  partHeaders?: string;
}

import { parseAddressList } from '../../mime/address.js';

/**
 * ADDRESS_FIELDS are the fields of the SEARCH keys FROM, TO, CC and BCC, which RFC 9051 section 6.4.4 defines
 * on "the envelope structure's" field: a string matches the parsed addresses too, so "a@b.example" finds
 * `<a (comment) @ b.example>`.
 */
export const ADDRESS_FIELDS: ReadonlySet<string> = new Set(['from', 'to', 'cc', 'bcc']);

/** normalise makes a search string and the text it is searched in comparable: NFC, then lower-case. */
export function normalise(s: string): string {
  return s.normalize('NFC').toLowerCase();
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * MAKES_ASCII: the characters outside ASCII that NFC or lower-casing turn into ASCII, the only ones in
 * Unicode (every code point checked): U+0130 (to "i" and U+0307), U+037E (";"), U+1FEF ("`"), U+212A ("k").
 */
const MAKES_ASCII = /[\u0130\u037e\u1fef\u212a]/;

/** Case-insensitive patterns of ASCII needles, made once per needle (a SEARCH tries one needle on 1000s of texts). */
const ASCII_PATTERNS = new Map<string, RegExp>();

/**
 * includesNormalised tells whether normalise(text) contains `needle` (already normalised), normalising the
 * text (`normalised`) only when it must. An ASCII needle is first looked for with a case-insensitive
 * pattern without the u flag, which matches ASCII letters in either case and never a non-ASCII character:
 * - In ASCII text that is exact: NFC changes nothing there and lower-casing is ASCII's.
 * - In other text a match followed by a character below U+0300 (or by the end) is a match of the
 *   normalised text too: its characters are ASCII starters, which NFC composes with nothing before them
 *   and, as the last of them is followed by no combining mark, with nothing after; lower-casing maps
 *   them as ASCII. Otherwise (no match, or a combining mark after it) the text is normalised: NFC and
 *   lower-casing can make ASCII out of other characters (U+212A KELVIN SIGN is "k"), and compose a
 *   matched letter with the mark after it.
 * - In other text without a match, and without a character of MAKES_ASCII, the normalised text has no
 *   match either: its ASCII characters are the text's own, lower-cased, in the same runs or fewer (NFC
 *   only composes a letter with the mark after it, which takes the letter out of its run, and never makes
 *   ASCII). This spares normalising every candidate of a SEARCH that does not contain the needle.
 */
export function includesNormalised(text: string, needle: string, normalised: () => string): boolean {
  if (NON_ASCII.test(needle)) return normalised().includes(needle);
  let pattern = ASCII_PATTERNS.get(needle);
  if (pattern === undefined) {
    if (ASCII_PATTERNS.size >= 64) ASCII_PATTERNS.clear();
    pattern = new RegExp(needle.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'), 'i');
    ASCII_PATTERNS.set(needle, pattern);
  }
  if (!NON_ASCII.test(text)) return pattern.test(text);
  const m = pattern.exec(text);
  if (m !== null && !(text.charCodeAt(m.index + needle.length) >= 0x300)) return true;
  if (m === null && !MAKES_ASCII.test(text)) return false;
  return normalised().includes(needle);
}

/**
 * PreparedText is a message's text normalised (NFC, lower-case) for comparison: the header block, body,
 * part MIME headers, and header fields by lower-case name. Each is computed on first use, so a header key
 * does not pay for normalising the body, nor BODY for splitting the header into fields.
 */
export class PreparedText {
  private h?: string;
  private b?: string;
  private p?: string;
  private readonly f = new Map<string, string[]>();
  private readonly a = new Map<string, string[]>();

  constructor(private readonly t: SearchText) {}

  /** Whether the header block (normalised) contains `needle` (normalised). */
  inHeaders(needle: string): boolean {
    return includesNormalised(this.t.headers, needle, () => (this.h ??= normalise(this.t.headers)));
  }

  /** Whether the body text (normalised) contains `needle` (normalised). Throws Error when the body text was not loaded. */
  inBody(needle: string): boolean {
    const body = this.t.body;
    if (body === null) throw new Error('search: the body text was not loaded');
    return includesNormalised(body, needle, () => (this.b ??= normalise(body)));
  }

  /** Whether the part MIME header fields (normalised) contain `needle` (normalised). */
  inPartHeaders(needle: string): boolean {
    const text = this.t.partHeaders ?? '';
    return includesNormalised(text, needle, () => (this.p ??= normalise(text)));
  }

  /** The normalised values of the header fields named `name` (lower-case), undefined when there is none. */
  field(name: string): string[] | undefined {
    let values = this.f.get(name);
    if (values === undefined) {
      const raw = fieldValues(this.t.headers, name);
      if (raw.length === 0) return undefined;
      values = raw.map(normalise);
      this.f.set(name, values);
    }
    return values;
  }

  /**
   * addresses returns the addresses of the fields named `name` (lower-case) as ENVELOPE parses them, each as
   * `display name <mailbox@host>` normalised (without the name when it has none), or undefined when the
   * message has no such field. Comments, quoting and folding white space are gone.
   */
  addresses(name: string): string[] | undefined {
    let values = this.a.get(name);
    if (values === undefined) {
      const raw = fieldValues(this.t.headers, name);
      if (raw.length === 0) return undefined;
      values = [];
      for (const v of raw) {
        for (const addr of parseAddressList(v) ?? []) {
          if (addr.mailbox === null || addr.host === null) continue;
          const spec = `${addr.mailbox}@${addr.host}`;
          values.push(normalise(addr.name ? `${addr.name} <${spec}>` : spec));
        }
      }
      this.a.set(name, values);
    }
    return values;
  }
}

/**
 * fieldValues returns the values of the fields named `name` (lower-case) in a header block ("Name: value\n"
 * per field), trimmed and not yet normalised. A line that starts with white space or has no colon
 * continues the field before it (a value that itself held a line break). Only lines whose first character
 * could begin `name` are looked at closely: a search for one field does not take apart the others.
 */
function fieldValues(headers: string, name: string): string[] {
  const out: string[] = [];
  const first = name.charCodeAt(0);
  // Whether the last field line seen was one of `name`, so that its continuation lines are kept.
  let inField = false;
  for (let start = 0; start < headers.length; ) {
    let end = headers.indexOf('\n', start);
    if (end < 0) end = headers.length;
    const c = headers.charCodeAt(start);
    if (end > start) {
      const colon = c === 0x20 || c === 0x09 ? -1 : headers.indexOf(':', start);
      if (colon <= start || colon >= end) {
        if (inField) out[out.length - 1] += ' ' + headers.slice(start, end).trim();
      } else {
        // The first character, lower-cased if it is an ASCII capital, skips most lines; a non-ASCII one is
        // compared in full, since lower-casing can make it ASCII (KELVIN SIGN is "k").
        const lower = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
        inField = (lower === first || c >= 0x80) && headers.slice(start, colon).trim().toLowerCase() === name;
        if (inField) out.push(headers.slice(colon + 1, end).trim());
      }
    }
    start = end + 1;
  }
  return out;
}
