/**
 * QUIT (RFC 1939 sections 4 and 6). In the AUTHORIZATION state it only ends the session. In the
 * TRANSACTION state it enters the UPDATE state: the messages marked with DELE are expunged in one
 * transaction (Store.expunge with deletedOnly false), so IMAP sessions with INBOX selected see
 * EXPUNGE/VANISHED, and a marked message that another session expunged first is simply gone already.
 * Only QUIT does this: a session that ends any other way deletes nothing.
 */
import type { CommandSpec } from '../command.js';
import { refuse } from '../errors.js';
import { noArguments } from './args.js';

/** QUIT: `+OK Logging out.` (with the number of messages deleted), then the connection closes. */
export const quitCommand: CommandSpec<void> = {
  name: 'QUIT',
  parse: (args) => noArguments(args, 'QUIT'),
  async authorization(s) {
    s.afterReply(() => s.close());
    return 'Logging out.';
  },
  async transaction(s, _args, t) {
    // Whatever happens below, the session ends (RFC 1939 section 6).
    s.afterReply(() => s.close());
    const marked = t.maildrop.markedUids();
    if (marked.length === 0) return 'Logging out.';
    try {
      await s.store.expunge(t.account.id, t.maildrop.mailboxId, marked, { deletedOnly: false });
    } catch (err) {
      s.log.error({ err }, 'QUIT could not remove the deleted messages');
      throw refuse('Some deleted messages were not removed; none was.', 'SYS/TEMP');
    }
    s.log.info({ expunged: marked.length }, 'POP3 QUIT expunged messages');
    return `Logging out; ${marked.length} message${marked.length === 1 ? '' : 's'} deleted.`;
  },
};
