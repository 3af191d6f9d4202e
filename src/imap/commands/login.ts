/** LOGIN (RFC 9051 section 6.2.3). */
import type { CommandSpec } from '../command.js';
import { checkCredentials, requirePlaintextAllowed } from '../login.js';

/** LOGIN user password: astrings; refused on cleartext under LOGINDISABLED; tagged OK carries the new CAPABILITY list. */
export const loginCommand: CommandSpec<{ user: string; password: string }, 'not-authenticated'> = {
  name: 'LOGIN',
  states: ['not-authenticated'],
  parse(r) {
    r.space();
    const user = r.astring();
    r.space();
    const password = r.astring();
    r.end();
    return { user, password };
  },
  async run({ session: s }, { user, password }) {
    requirePlaintextAllowed(s);
    const account = await checkCredentials(s, user, password, 'LOGIN');
    s.login(account);
    return `[CAPABILITY ${s.capabilities().join(' ')}] Logged in`;
  },
};
