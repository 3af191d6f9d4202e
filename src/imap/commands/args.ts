/** Argument parsers shared by several commands. */
import type { ArgReader } from '../../protocol/types.js';
import type { Session } from '../session.js';
import { normalizeMailboxName } from '../../store/mailbox-names.js';

/** MailboxArg: the single argument of SELECT, EXAMINE, DELETE, SUBSCRIBE, UNSUBSCRIBE. */
export interface MailboxArg {
  mailbox: string;
}

/** parseMailboxArg reads `SP mailbox` and the end of the command; the name is decoded and normalized (RFC 9051 section 5.1). Throws ParseError. */
export function parseMailboxArg(r: ArgReader, s: Session): MailboxArg {
  r.space();
  const mailbox = normalizeMailboxName(r.mailbox(s.utf8));
  r.end();
  return { mailbox };
}
