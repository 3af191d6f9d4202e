/**
 * UNSUBSCRIBE (RFC 9051 section 6.3.8).
 */
import type { CommandSpec } from '../command.js';
import { parseMailboxArg, type MailboxArg } from './args.js';
import { DELIMITER } from '../../store/mailbox-names.js';

/**
 * unsubscribeCommand: `UNSUBSCRIBE mailbox` removes the name from the subscriptions. The name need not
 * exist as a mailbox (subscriptions are names, RFC 9051 section 6.3.7). A name that is not subscribed
 * is answered OK, as Dovecot does (it treats "already in the requested state" as success), so a client
 * cleaning up stale subscriptions never fails. With a trailing "/" both "name/" and "name" are removed,
 * also as Dovecot does, for clients that subscribed a hierarchy level that way.
 */
export const unsubscribeCommand: CommandSpec<MailboxArg, 'authenticated' | 'selected'> = {
  name: 'UNSUBSCRIBE',
  states: ['authenticated', 'selected'],
  parse: parseMailboxArg,
  async run({ session: s, account }, { mailbox }) {
    const accountId = account.id;
    await s.store.setSubscribed(accountId, mailbox, false);
    if (mailbox.length > 1 && mailbox.endsWith(DELIMITER)) {
      await s.store.setSubscribed(accountId, mailbox.slice(0, -1), false);
    }
  },
};
