/**
 * DELETE (RFC 9051 section 6.3.5).
 */
import type { CommandSpec } from '../command.js';
import { parseMailboxArg, type MailboxArg } from './args.js';
import { deleteMailbox } from '../../mailboxes/operations.js';

/**
 * deleteCommand: `DELETE mailbox` removes the mailbox and its messages, never its children. The rules are
 * mailboxes/operations.ts deleteMailbox's: INBOX -> NO [CANNOT]; a mailbox with children is deleted and its
 * name stays as \Noselect (\NonExistent) \HasChildren until its children go; a name that is only such a
 * level -> NO [HASCHILDREN]; any other unknown name -> NO [NONEXISTENT].
 * Deleting the mailbox selected in this session ends the selection (state authenticated), as Dovecot
 * closes it first; other sessions learn of it from the change feed.
 */
export const deleteCommand: CommandSpec<MailboxArg, 'authenticated' | 'selected'> = {
  name: 'DELETE',
  states: ['authenticated', 'selected'],
  parse: parseMailboxArg,
  async run({ session: s, account, view }, { mailbox }) {
    const box = await deleteMailbox(s.store, account.id, mailbox);
    if (view?.mailbox.id === box.id) s.deselect();
  },
};
