/**
 * STAT, LIST and UIDL (RFC 1939 sections 5 and 7): what the maildrop holds, leaving out the messages
 * marked deleted. Sizes are octets of the message as RETR sends it before byte-stuffing (RFC822.SIZE).
 */
import type { CommandSpec } from '../command.js';
import { noArguments, optionalMessage } from './args.js';

/** STAT: `+OK count octets`. */
export const statCommand: CommandSpec<void> = {
  name: 'STAT',
  parse: (args) => noArguments(args, 'STAT'),
  async transaction(_s, _args, t) {
    const { count, octets } = t.maildrop.stat();
    return `${count} ${octets}`;
  },
};

/** LIST [msg]: every message's number and size, or one message's as `+OK n size`. */
export const listCommand: CommandSpec<{ n: number | null }> = {
  name: 'LIST',
  parse: (args) => ({ n: optionalMessage(args, 'LIST') }),
  async transaction(s, { n }, t) {
    if (n !== null) {
      const m = t.maildrop.get(n);
      return `${m.n} ${m.size}`;
    }
    const { count, octets } = t.maildrop.stat();
    const lines = t.maildrop.messages().map((m) => `${m.n} ${m.size}`);
    await s.out.listing(`${count} message${count === 1 ? '' : 's'} (${octets} octets)`, lines);
  },
};

/** UIDL [msg]: every message's number and unique-id (maildrop.ts uniqueId), or one message's as `+OK n id`. */
export const uidlCommand: CommandSpec<{ n: number | null }> = {
  name: 'UIDL',
  parse: (args) => ({ n: optionalMessage(args, 'UIDL') }),
  async transaction(s, { n }, t) {
    if (n !== null) {
      const m = t.maildrop.get(n);
      return `${m.n} ${t.maildrop.uniqueId(m)}`;
    }
    const lines = t.maildrop.messages().map((m) => `${m.n} ${t.maildrop.uniqueId(m)}`);
    await s.out.listing('Unique-ID listing follows', lines);
  },
};
