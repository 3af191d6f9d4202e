/**
 * Mailbox names in the mailbox model (RFC 9051 section 5.1): UTF-8 strings, "/" as the one hierarchy
 * delimiter, one personal namespace with the empty prefix, and INBOX case-insensitive. One set of
 * rules for every path that names a mailbox: IMAP commands, import and delivery. Pure functions, no I/O.
 */
import { MAX_MAILBOX_DEPTH, MAX_MAILBOX_NAME_OCTETS } from '../limits.js';
import { StoreError, type SpecialUse } from './types.js';

/** DELIMITER is the hierarchy delimiter of every mailbox name (RFC 9051 section 5.1.1). */
export const DELIMITER = '/';

/** INBOX is the canonical spelling of the primary mailbox (RFC 9051 section 5.1). */
export const INBOX = 'INBOX';

/**
 * isInbox tells whether `name` is INBOX in any case ("inbox", "InBox"), RFC 9051 section 5.1. ASCII case
 * only: "ınbox" (dotless i), which toUpperCase() would turn into "INBOX", is another name.
 */
export function isInbox(name: string): boolean {
  if (name.length !== 5) return false;
  for (let i = 0; i < 5; i++) if ((name.charCodeAt(i) | 0x20) !== INBOX.charCodeAt(i) + 0x20) return false;
  return true;
}

/**
 * normalizeMailboxName spells a first hierarchy level "INBOX" in any case as "INBOX" ("inbox/Drafts"
 * -> "INBOX/Drafts"), so that INBOX and its children have one name each (RFC 9051 section 5.1).
 * Other levels are case-sensitive and are kept as sent.
 */
export function normalizeMailboxName(name: string): string {
  const end = name.indexOf(DELIMITER);
  const first = end < 0 ? name : name.slice(0, end);
  if (!isInbox(first) || first === INBOX) return name;
  return INBOX + name.slice(first.length);
}

/** isInboxRooted tells whether a normalized name is INBOX or one of its children ("INBOX/x"). */
export function isInboxRooted(name: string): boolean {
  return name === INBOX || name.startsWith(INBOX + DELIMITER);
}

/**
 * validateMailboxName refuses a name that cannot be created (CREATE, RENAME target, import; RFC 9051
 * sections 6.3.4 and 6.3.6, which leave the rules to the server). Throws StoreError CANNOT, which the
 * IMAP layer answers NO [CANNOT], the code Dovecot uses for invalid names (RFC 5530 section 3), for:
 * - the empty name, a name starting or ending with "/", an empty level ("a//b");
 * - a level "." or ".." (would alias other names in file-system backed tools and exports);
 * - control characters (C0, DEL, C1), which no client can display and some cannot send;
 * - "%" and "*", the LIST wildcards: such a name could never be listed on its own;
 * - a name not in Unicode Normalization Form C: RFC 9051 section 5.1 requires Net-Unicode (RFC 5198,
 *   which requires NFC) and makes servers refuse to create other 8-bit names; "A\u0308pfel" would
 *   otherwise be a second mailbox that looks exactly like "Äpfel";
 * - more than MAX_MAILBOX_NAME_OCTETS octets of UTF-8 or more than MAX_MAILBOX_DEPTH levels.
 * `name` must already be normalized (normalizeMailboxName) and decoded (UTF-8, not modified UTF-7).
 */
export function validateMailboxName(name: string): void {
  if (name.length === 0) throw invalid('the name is empty');
  if (name.startsWith(DELIMITER)) throw invalid(`it starts with "${DELIMITER}"`);
  if (name.endsWith(DELIMITER)) throw invalid(`it ends with "${DELIMITER}"`);
  if (Buffer.byteLength(name, 'utf8') > MAX_MAILBOX_NAME_OCTETS) {
    throw invalid(`it is longer than ${MAX_MAILBOX_NAME_OCTETS} octets`);
  }
  const levels = name.split(DELIMITER);
  if (levels.length > MAX_MAILBOX_DEPTH) throw invalid(`it has more than ${MAX_MAILBOX_DEPTH} levels`);
  for (const level of levels) {
    if (level.length === 0) throw invalid('it has an empty hierarchy level');
    if (level === '.' || level === '..') throw invalid(`it has a "${level}" level`);
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) throw invalid('it contains a control character');
    if (c === 0x25 || c === 0x2a) throw invalid(`it contains the wildcard "${name[i]}"`);
  }
  if (name.normalize('NFC') !== name) throw invalid('it is not in Unicode Normalization Form C');
}

function invalid(reason: string): StoreError {
  return new StoreError('CANNOT', `Invalid mailbox name: ${reason}`);
}

/** checkedMailboxName normalizes `name` (normalizeMailboxName) and validates it (validateMailboxName); throws StoreError CANNOT. */
export function checkedMailboxName(name: string): string {
  const normalized = normalizeMailboxName(name);
  validateMailboxName(normalized);
  return normalized;
}

/**
 * parentNames lists the superior names of `name`, outermost first: "a/b/c" -> ["a", "a/b"], "a" -> [].
 * These are the names CREATE makes when missing (RFC 9051 section 6.3.4).
 */
export function parentNames(name: string): string[] {
  const out: string[] = [];
  let i = name.indexOf(DELIMITER);
  while (i > 0) {
    out.push(name.slice(0, i));
    i = name.indexOf(DELIMITER, i + 1);
  }
  return out;
}

/** isDescendant tells whether `name` is strictly below `ancestor` in the hierarchy ("a/b" is below "a", "ab" is not). */
export function isDescendant(name: string, ancestor: string): boolean {
  return name.length > ancestor.length + 1 && name.startsWith(ancestor) && name[ancestor.length] === DELIMITER;
}

/**
 * compareMailboxNames orders names for LIST and LSUB: INBOX first, then by UTF-16 code units, the
 * store's order for names of the Basic Multilingual Plane (Store.listMailboxes sorts by name).
 */
export function compareMailboxNames(a: string, b: string): number {
  if (a === b) return 0;
  if (a === INBOX) return -1;
  if (b === INBOX) return 1;
  return a < b ? -1 : 1;
}

/** DEFAULT_MAILBOXES are created and subscribed with every account: [name, special-use]. */
export const DEFAULT_MAILBOXES: ReadonlyArray<readonly [string, SpecialUse | null]> = [
  ['INBOX', null],
  ['Sent', '\\Sent'],
  ['Drafts', '\\Drafts'],
  ['Trash', '\\Trash'],
  ['Junk', '\\Junk'],
  ['Archive', '\\Archive'],
];
