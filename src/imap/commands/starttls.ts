/** STARTTLS (RFC 9051 section 6.2.1): the TLS handshake starts right after the tagged OK. */
import type { CommandSpec } from '../command.js';
import { bad } from '../errors.js';

/** STARTTLS: only on a cleartext connection before login. */
export const starttlsCommand: CommandSpec<void, 'not-authenticated'> = {
  name: 'STARTTLS',
  states: ['not-authenticated'],
  parse: (r) => r.end(),
  async run({ session: s }) {
    if (!s.canStartTls) throw bad(s.secure ? 'TLS is already active' : 'TLS is not available');
    s.afterTagged(() => s.upgradeToTls());
    return 'Begin TLS negotiation now';
  },
};
