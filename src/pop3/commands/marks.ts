/** DELE, RSET and NOOP (RFC 1939 section 5): DELE marks a message, RSET unmarks all; nothing is removed before QUIT. */
import type { CommandSpec } from '../command.js';
import { messageNumber, noArguments, words } from './args.js';

/** DELE msg: marks the message deleted for this session; later commands may not refer to it. */
export const deleCommand: CommandSpec<{ n: number }> = {
  name: 'DELE',
  parse(args) {
    const [n] = words(args, 'DELE', 1, 1);
    return { n: messageNumber(n!) };
  },
  async transaction(_s, { n }, t) {
    t.maildrop.mark(n);
    return `Message ${n} deleted.`;
  },
};

/** RSET: unmarks every message. */
export const rsetCommand: CommandSpec<void> = {
  name: 'RSET',
  parse: (args) => noArguments(args, 'RSET'),
  async transaction(_s, _args, t) {
    t.maildrop.reset();
    const { count, octets } = t.maildrop.stat();
    return `Maildrop has ${count} message${count === 1 ? '' : 's'} (${octets} octets).`;
  },
};

/** NOOP: `+OK` (it resets the autologout timer, as every command does). */
export const noopCommand: CommandSpec<void> = {
  name: 'NOOP',
  parse: (args) => noArguments(args, 'NOOP'),
  async transaction() {
    return '';
  },
};
