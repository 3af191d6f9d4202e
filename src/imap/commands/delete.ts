/**
 * DELETE (RFC 9051 section 6.3.5).
 */
import type { CommandSpec } from '../command.js';
import { parseMailboxArg, type MailboxArg } from './args.js';
import { no } from '../errors.js';
import { INBOX, isDescendant } from '../../store/mailbox-names.js';

/**
 * deleteCommand: `DELETE mailbox` removes the mailbox and its messages, never its children
 * (RFC 9051 section 6.3.5: inferior names MUST NOT be removed).
 * - INBOX -> NO [CANNOT] (the RFC makes it an error).
 * - A mailbox with children is deleted, as RFC 9051 permits and Dovecot does: the name stays in the
 *   hierarchy, and LIST shows it as \Noselect (\NonExistent) \HasChildren until its children go.
 * - A name that is not a mailbox but has children (such a \Noselect name) -> NO [HASCHILDREN]: the RFC
 *   makes it an error and names that code. Any other unknown name -> NO [NONEXISTENT].
 * - Deleting the mailbox selected in this session ends the selection (state authenticated), as
 *   Dovecot closes it first; other sessions learn of it from the change feed.
 */
export const deleteCommand: CommandSpec<MailboxArg> = {
  name: 'DELETE',
  states: ['authenticated', 'selected'],
  parse: parseMailboxArg,
  async run(s, { mailbox }) {
    if (mailbox === INBOX) throw no('INBOX cannot be deleted', 'CANNOT');
    const accountId = s.account!.id;
    const box = await s.store.getMailbox(accountId, mailbox);
    if (!box) {
      const all = await s.store.listMailboxes(accountId);
      if (all.some((m) => isDescendant(m.name, mailbox))) {
        throw no('Not a mailbox, only a level of the hierarchy: delete its children first', 'HASCHILDREN');
      }
      throw no("Mailbox doesn't exist", 'NONEXISTENT');
    }
    await s.store.deleteMailbox(accountId, mailbox);
    if (s.selected && s.selected.mailbox.id === box.id) s.deselect();
  },
};
