/** STLS (RFC 2595 section 4): the TLS handshake starts right after the +OK; only in the AUTHORIZATION state. */
import type { CommandSpec } from '../command.js';
import { refuse } from '../errors.js';
import { noArguments } from './args.js';

/** STLS: on a cleartext connection before login. The USER name given so far is forgotten (RFC 2595 section 4). */
export const stlsCommand: CommandSpec<void> = {
  name: 'STLS',
  parse: (args) => noArguments(args, 'STLS'),
  async authorization(s) {
    if (!s.canStartTls) throw refuse(s.secure ? 'TLS is already active.' : 'TLS is not available.');
    s.user = null;
    s.afterReply(() => s.upgradeToTls());
    return 'Begin TLS negotiation now.';
  },
};
