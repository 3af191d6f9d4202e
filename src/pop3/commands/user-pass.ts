/** USER and PASS (RFC 1939 section 7): the user name, then the password, in the AUTHORIZATION state. */
import type { CommandSpec } from '../command.js';
import { bad } from '../errors.js';
import { logIn, requirePlaintextAllowed } from './login.js';

/** USER name: remembers the name for PASS. Says nothing about whether the user exists. */
export const userCommand: CommandSpec<{ name: string }> = {
  name: 'USER',
  parse(args) {
    const name = args.trim();
    if (name === '') throw bad('USER needs a user name.');
    return { name };
  },
  async authorization(s, { name }) {
    requirePlaintextAllowed(s);
    s.user = name;
    return 'Send the password.';
  },
};

/**
 * PASS password: the rest of the line is the password, spaces included (RFC 1939 section 7 allows it).
 * Valid right after USER; a failure forgets the name, so the client starts again with USER.
 */
export const passCommand: CommandSpec<{ password: string }> = {
  name: 'PASS',
  parse(args) {
    return { password: args };
  },
  async authorization(s, { password }) {
    requirePlaintextAllowed(s);
    const user = s.user;
    if (user === null) throw bad('Send USER first.');
    s.user = null;
    return logIn(s, user, password);
  },
};
