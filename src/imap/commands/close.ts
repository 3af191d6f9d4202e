/** CLOSE (RFC 9051 section 6.4.1) and UNSELECT (RFC 3691; RFC 9051 section 6.4.2). */
import type { CommandSpec } from '../command.js';

/** CLOSE: silently expunges \Deleted messages when the mailbox is read-write, then deselects. */
export const closeCommand: CommandSpec<void, 'selected'> = {
  name: 'CLOSE',
  states: ['selected'],
  parse: (r) => r.end(),
  async run({ session: s, view, account }) {
    if (!view.readOnly) await s.store.expunge(account.id, view.mailbox.id);
    s.deselect();
  },
};

/** UNSELECT: deselects without expunging. */
export const unselectCommand: CommandSpec<void, 'selected'> = {
  name: 'UNSELECT',
  states: ['selected'],
  parse: (r) => r.end(),
  async run({ session: s }) {
    s.deselect();
  },
};
