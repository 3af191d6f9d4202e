/**
 * RENAME (RFC 9051 section 6.3.6).
 */
import type { CommandSpec, Session } from '../command.js';
import { no } from '../errors.js';
import { INBOX, isDescendant, normalizeMailboxName, validateMailboxName } from '../../store/mailbox-names.js';
import { createParents } from './create.js';

/** RenameArgs: existing and new name of RENAME (RFC 9051 section 6.3.6), normalized. */
export interface RenameArgs {
  from: string;
  to: string;
}

/**
 * renameCommand: `RENAME existing new`. Children move with the mailbox ("a/x" -> "b/x") and keep their
 * UIDVALIDITY; renaming INBOX moves its messages to a new mailbox and leaves INBOX empty (done by the
 * store; INBOX's children stay). Missing superior names of the new name are created, as CREATE does.
 * - unknown source -> NO [NONEXISTENT]; a name that is only a level of the hierarchy (its children
 *   exist, it does not) is renamed by moving its children;
 * - new name INBOX, an existing new name, or a child that would land on an existing name -> NO [ALREADYEXISTS];
 * - new name inside the source ("a" -> "a/b") -> NO [CANNOT]; an invalid new name -> NO [CANNOT].
 * Subscriptions of the moved names follow them, so a client's folder list does not lose them. A session
 * that has INBOX selected while renaming it gets the EXPUNGE responses for the moved messages at once.
 */
export const renameCommand: CommandSpec<RenameArgs> = {
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
  async run(s, { from, to }) {
    if (to === INBOX) throw no('INBOX already exists', 'ALREADYEXISTS');
    validateMailboxName(to);

    const accountId = s.account!.id;
    const all = await s.store.listMailboxes(accountId);
    const existing = new Set(all.map((m) => m.name));
    // What moves: INBOX alone (its messages), else the name and everything below it.
    const moved = from === INBOX ? [INBOX] : all.map((m) => m.name).filter((n) => n === from || isDescendant(n, from));
    // A missing source is reported as such, even when the new name is the same ("RENAME nope nope").
    if (moved.length === 0) throw no("Mailbox doesn't exist", 'NONEXISTENT');
    if (from === to) throw no('Mailbox already has that name', 'ALREADYEXISTS');
    if (from !== INBOX && isDescendant(to, from)) throw no('Cannot move a mailbox into itself', 'CANNOT');
    for (const old of moved) {
      const renamed = to + old.slice(from.length);
      if (existing.has(renamed)) throw no('Target mailbox already exists', 'ALREADYEXISTS');
      validateMailboxName(renamed);
    }

    await createParents(s, to);
    if (existing.has(from)) {
      await s.store.renameMailbox(accountId, from, to);
    } else {
      // Only a level of the hierarchy: rename its outermost existing descendants (each takes its
      // children); the levels between stay levels, as they were.
      const roots: string[] = [];
      for (const n of moved) if (!roots.some((r) => isDescendant(n, r))) roots.push(n);
      for (const n of roots) await s.store.renameMailbox(accountId, n, to + n.slice(from.length));
    }
    if (from !== INBOX) {
      followSelection(s, from, to);
      await moveSubscriptions(s, from, to);
    } else if (s.selected?.mailbox.name === INBOX) {
      // INBOX's messages left it: this session's own change, reported as EXPUNGE before the tagged OK.
      s.markChanged();
    }
  },
};

/** The selected mailbox keeps its UIDVALIDITY and messages across a rename; only its name changes. */
function followSelection(s: Session, from: string, to: string): void {
  const view = s.selected;
  if (!view) return;
  const name = view.mailbox.name;
  if (name === from || isDescendant(name, from)) view.mailbox = { ...view.mailbox, name: to + name.slice(from.length) };
}

async function moveSubscriptions(s: Session, from: string, to: string): Promise<void> {
  const accountId = s.account!.id;
  for (const name of await s.store.listSubscriptions(accountId)) {
    if (name !== from && !isDescendant(name, from)) continue;
    await s.store.setSubscribed(accountId, name, false);
    await s.store.setSubscribed(accountId, to + name.slice(from.length), true);
  }
}
