/**
 * RENAME (RFC 9051 section 6.3.6).
 */
import type { CommandSpec } from '../command.js';
import type { SelectedMailbox } from '../selected.js';
import { renameMailbox } from '../../mailboxes/operations.js';
import { INBOX, isDescendant, normalizeMailboxName } from '../../store/mailbox-names.js';

/** RenameArgs: existing and new name of RENAME (RFC 9051 section 6.3.6), normalized. */
export interface RenameArgs {
  from: string;
  to: string;
}

/**
 * renameCommand: `RENAME existing new`. The rules are mailboxes/operations.ts renameMailbox's: children
 * move with the mailbox and keep their UIDVALIDITY; renaming INBOX moves its messages to a new mailbox and
 * leaves INBOX empty; missing superior names of the new name are created; subscriptions follow.
 * - unknown source -> NO [NONEXISTENT]; a name that is only a level of the hierarchy is renamed by moving its children;
 * - new name INBOX, an existing new name, or a child that would land on an existing name -> NO [ALREADYEXISTS];
 * - new name inside the source ("a" -> "a/b") -> NO [CANNOT]; an invalid new name -> NO [CANNOT].
 * The selected mailbox keeps its view under its new name. A session that has INBOX selected while renaming
 * it gets the EXPUNGE responses for the moved messages at once.
 */
export const renameCommand: CommandSpec<RenameArgs, 'authenticated' | 'selected'> = {
  name: 'RENAME',
  states: ['authenticated', 'selected'],
  parse(r, s) {
    r.space();
    const from = normalizeMailboxName(r.mailbox(s.utf8));
    r.space();
    const to = normalizeMailboxName(r.mailbox(s.utf8));
    r.end();
    return { from, to };
  },
  async run({ session: s, view, account }, { from, to }) {
    await renameMailbox(s.store, account.id, from, to);
    if (from !== INBOX) {
      if (view) followSelection(view, from, to);
    } else if (view?.mailbox.name === INBOX) {
      // INBOX's messages left it: this session's own change, reported as EXPUNGE before the tagged OK.
      s.markChanged();
    }
  },
};

/** The selected mailbox keeps its UIDVALIDITY and messages across a rename; only its name changes. */
function followSelection(view: SelectedMailbox, from: string, to: string): void {
  const name = view.mailbox.name;
  if (name === from || isDescendant(name, from)) view.mailbox = { ...view.mailbox, name: to + name.slice(from.length) };
}
