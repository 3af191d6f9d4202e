/**
 * The Maildir format (https://cr.yp.to/proto/maildir.html) as Dovecot writes it, both ways, for import and
 * export: the info flags after ":2," (system flags as capital letters, keywords as the letters a-z that
 * the folder's dovecot-keywords file names), and Maildir++ folder names (".Sub.Folder": levels in modified
 * UTF-7, "." between them, and Dovecot's listescape "\NN" for a "." or "\" inside a level).
 * Pure functions, no I/O; imports only protocol/mutf7.ts.
 */
import { decodeModifiedUtf7, encodeModifiedUtf7 } from '../protocol/mutf7.js';

/** INFO_FLAGS maps the Maildir info letters to IMAP system flags, in the ASCII order Maildir wants them; "P" (passed) has no IMAP flag. */
const INFO_FLAGS: ReadonlyArray<readonly [string, string]> = [
  ['D', '\\Draft'],
  ['F', '\\Flagged'],
  ['R', '\\Answered'],
  ['S', '\\Seen'],
  ['T', '\\Deleted'],
];
const FLAG_OF = new Map(INFO_FLAGS);
const LETTER_OF = new Map(INFO_FLAGS.map(([l, f]) => [f.toLowerCase(), l]));

/** MAX_KEYWORDS is how many keywords one Maildir folder can carry in file names: the letters a to z. */
export const MAX_KEYWORDS = 26;

/** KEYWORD is an IMAP flag-keyword (RFC 9051 section 9: an atom), as dovecot-keywords may name it. */
const KEYWORD = /^[^\s(){%*"\\\]\x00-\x1f\x7f]+$/;

/**
 * infoFlags reads the flags after ":2," of a file name (or "!2,"/";2,", used where ":" is not allowed):
 * capital letters are system flags, small letters keywords by their index in `keywords` (a = 0).
 */
export function infoFlags(name: string, keywords: readonly (string | undefined)[]): string[] {
  const m = /[:;!]2,([A-Za-z]*)$/.exec(name);
  if (!m) return [];
  const flags: string[] = [];
  for (const ch of new Set(m[1]!)) {
    const flag = FLAG_OF.get(ch) ?? (ch >= 'a' && ch <= 'z' ? keywords[ch.charCodeAt(0) - 97] : undefined);
    if (flag && !flags.includes(flag)) flags.push(flag);
  }
  return flags;
}

/**
 * formatInfo writes `flags` as the info part ":2,LETTERS" of a file name: system flags as capitals, then
 * the letter of each keyword in `keywords` (a = 0); keywords not in it are left out. Letters sorted, as
 * Maildir requires.
 */
export function formatInfo(flags: readonly string[], keywords: readonly string[]): string {
  const letters: string[] = [];
  for (const f of flags) {
    const system = LETTER_OF.get(f.toLowerCase());
    if (system) letters.push(system);
    else {
      const i = keywords.indexOf(f);
      if (i >= 0 && i < MAX_KEYWORDS) letters.push(String.fromCharCode(97 + i));
    }
  }
  return `:2,${[...new Set(letters)].sort().join('')}`;
}

/** isKeyword tells whether `flag` is a keyword a dovecot-keywords file can name (not a system flag). */
export function isKeyword(flag: string): boolean {
  return !flag.startsWith('\\') && KEYWORD.test(flag);
}

/** parseKeywords reads a dovecot-keywords file ("0 $Forwarded" per line) into the keyword of each index (a = 0); unknown lines are ignored. */
export function parseKeywords(text: string): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) +(\S+)\s*$/.exec(line);
    if (m && Number(m[1]) < MAX_KEYWORDS && isKeyword(m[2]!)) out[Number(m[1])] = m[2]!;
  }
  return out;
}

/** formatKeywords writes a dovecot-keywords file for `keywords` (index = position; at most MAX_KEYWORDS). */
export function formatKeywords(keywords: readonly string[]): string {
  return keywords.slice(0, MAX_KEYWORDS).map((k, i) => `${i} ${k}\n`).join('');
}

/**
 * folderName is the Maildir++ directory of a mailbox name ("Lists/Rust" -> ".Lists.Rust"): each level in
 * modified UTF-7 (RFC 3501 section 5.1.3), with "\" and "." inside it escaped as "\5c" and "\2e" (Dovecot's
 * listescape), joined by ".".
 */
export function folderName(levels: readonly string[]): string {
  return '.' + levels.map((l) => encodeModifiedUtf7(l).replace(/[\\.]/g, (c) => `\\${c.charCodeAt(0).toString(16)}`)).join('.');
}

/**
 * folderLevel decodes one level of a Maildir++ directory name: listescape "\NN" first, then modified
 * UTF-7; a level that is not valid modified UTF-7 (raw UTF-8, as Dovecot's UTF8 layout writes) is kept as
 * it is.
 */
export function folderLevel(level: string): string {
  const unescaped = level.replace(/\\([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  try {
    return decodeModifiedUtf7(unescaped);
  } catch {
    return unescaped;
  }
}
