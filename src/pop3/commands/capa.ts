/** CAPA (RFC 2449 section 5): the capabilities of the server in the current state, one per line. */
import { SASL_MECHANISMS } from '../../auth/sasl.js';
import type { CommandSpec, Pop3Session } from '../command.js';
import { noArguments } from './args.js';

/** IMPLEMENTATION is the server's name in CAPA (RFC 2449 section 6.9). */
export const IMPLEMENTATION = 'Letterbox';

/**
 * capabilities lists what works now: TOP, UIDL, RESP-CODES (RFC 2449 section 6.4), AUTH-RESP-CODE (RFC
 * 3206 section 6), PIPELINING; in the AUTHORIZATION state USER and SASL where a password may be sent
 * (RFC 5034 section 3) and STLS on a cleartext connection (RFC 2595 section 4); and IMPLEMENTATION.
 */
export function capabilities(s: Pick<Pop3Session, 'transaction' | 'plaintextAuthAllowed' | 'canStartTls'>): string[] {
  const caps = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
  if (s.transaction === null) {
    if (s.plaintextAuthAllowed) caps.push('USER', `SASL ${SASL_MECHANISMS.join(' ')}`);
    if (s.canStartTls) caps.push('STLS');
  }
  caps.push(`IMPLEMENTATION ${IMPLEMENTATION}`);
  return caps;
}

const run = async (s: Pop3Session): Promise<void> => s.out.listing('Capability list follows', capabilities(s));

/** CAPA, in both states. */
export const capaCommand: CommandSpec<void> = {
  name: 'CAPA',
  parse: (args) => noArguments(args, 'CAPA'),
  authorization: run,
  transaction: run,
};
