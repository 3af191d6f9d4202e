/**
 * SUBSCRIBE (RFC 9051 section 6.3.7).
 */
import type { CommandSpec } from '../command.js';
import { parseMailboxArg, type MailboxArg } from './args.js';
import { no } from '../errors.js';


/**
 * subscribeCommand: `SUBSCRIBE mailbox` adds the name to the subscriptions. The RFC lets the server
 * check that the mailbox exists; like Dovecot, it does: unknown name -> NO [NONEXISTENT]. Subscribing
 * twice is not an error. A subscription outlives its mailbox (RFC 9051 section 6.3.7).
 */
export const subscribeCommand: CommandSpec<MailboxArg, 'authenticated' | 'selected'> = {
  name: 'SUBSCRIBE',
  states: ['authenticated', 'selected'],
  parse: parseMailboxArg,
  async run({ session: s, account }, { mailbox }) {
    const accountId = account.id;
    if (!(await s.store.getMailbox(accountId, mailbox))) throw no("Mailbox doesn't exist", 'NONEXISTENT');
    await s.store.setSubscribed(accountId, mailbox, true);
  },
};
