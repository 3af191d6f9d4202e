/**
 * Flags as the client sees them (RFC 9051 sections 2.3.2, 7.1 and 7.3.5): the system flags, the check of a
 * flag a client asks to store, and the FLAGS and PERMANENTFLAGS responses that name every keyword before
 * any FETCH shows it.
 */
import { flagList } from '../protocol/encoder.js';
import { ParseError } from '../protocol/types.js';
import type { MessageMeta } from '../store/types.js';
import type { Session } from './session.js';
import type { SelectedMailbox } from './selected.js';

/** System flags every mailbox supports (RFC 9051 section 2.3.2), in the order FLAGS lists them. */
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

const CANONICAL = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));

/**
 * storableFlag checks a flag of STORE, APPEND or REPLACE: a keyword is returned as given, a system flag in
 * its canonical spelling; any other `\\name` (also \\Recent, which only the server sets, and \\*) throws
 * ParseError, so the command is answered BAD ("Invalid system flag", as Dovecot does).
 */
export function storableFlag(flag: string): string {
  if (!flag.startsWith('\\')) return flag;
  const known = CANONICAL.get(flag.toLowerCase());
  if (!known) throw new ParseError(`Invalid system flag ${flag}`);
  return known;
}

/** flagsLine is the text of the FLAGS response (RFC 9051 section 7.3.5): the system flags and every keyword announced to the view. */
export function flagsLine(view: SelectedMailbox): string {
  return `FLAGS ${flagList([...SYSTEM_FLAGS, ...view.keywords])}`;
}

/**
 * permanentFlagsLine is the text of the `OK [PERMANENTFLAGS ...]` response (RFC 9051 section 7.1): every flag
 * of FLAGS plus \* (any new keyword may be stored), or none for a read-only view.
 */
export function permanentFlagsLine(view: SelectedMailbox): string {
  if (view.readOnly) return 'OK [PERMANENTFLAGS ()] Read-only mailbox.';
  return `OK [PERMANENTFLAGS ${flagList([...SYSTEM_FLAGS, ...view.keywords, '\\*'])}] Flags permitted.`;
}

/**
 * announceKeywords writes `* FLAGS (...)` and `* OK [PERMANENTFLAGS (...)]` when a flag list of `metas` holds a
 * keyword the client has not been told of in `view`: RFC 9051 section 7.3.5 (RFC 3501 section 7.2.6) requires FLAGS to
 * name every flag a FETCH may show. Call it before writing the FETCH responses of `metas`.
 */
export function announceKeywords(s: Session, view: SelectedMailbox, metas: Iterable<MessageMeta>): void {
  let added = false;
  let last: readonly string[] | null = null;
  for (const m of metas) {
    // Messages mostly share flag lists (the store hands out one per combination): look at each list once.
    if (m.flags === last) continue;
    last = m.flags;
    if (view.announce(m.flags).length > 0) added = true;
  }
  if (!added) return;
  s.out.untagged(flagsLine(view));
  s.out.untagged(permanentFlagsLine(view));
}
