/**
 * AUTH (RFC 5034) with the SASL mechanisms PLAIN (RFC 4616) and LOGIN, decoded by auth/sasl.ts, each
 * with an optional initial response ("=" for an empty one). A challenge is `+ base64`; the client answers
 * with one base64 line, or "*" to cancel. Both mechanisms send the password in the clear, so both follow
 * the plaintext-auth rule. AUTH without arguments lists the mechanisms, as Dovecot does for old clients.
 */
import { decodeSaslResponse, LOGIN_CHALLENGES, plainCredentials, SASL_MECHANISMS, SaslError } from '../../auth/sasl.js';
import type { CommandSpec, Pop3Session } from '../command.js';
import { Pop3Error, refuse } from '../errors.js';
import { words } from './args.js';
import { logIn, requirePlaintextAllowed } from './login.js';

interface AuthArgs {
  /** Upper-cased mechanism name, or null for the listing form. */
  mechanism: string | null;
  /** The initial response as sent, or null when absent. */
  initial: string | null;
}

/** AUTH [mechanism [initial-response]]. */
export const authCommand: CommandSpec<AuthArgs> = {
  name: 'AUTH',
  parse(args) {
    const [mechanism, initial] = words(args, 'AUTH', 0, 2);
    return { mechanism: mechanism?.toUpperCase() ?? null, initial: initial ?? null };
  },
  async authorization(s, { mechanism, initial }) {
    if (mechanism === null) {
      await s.out.listing('Supported SASL mechanisms follow', s.plaintextAuthAllowed ? [...SASL_MECHANISMS] : []);
      return;
    }
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) throw refuse('Unsupported authentication mechanism.');
    requirePlaintextAllowed(s);
    s.user = null;
    if (mechanism === 'PLAIN') {
      const response = initial ?? (await ask(s, ''));
      const { user, password } = saslStep(() => plainCredentials(decodeSaslResponse(response)));
      return logIn(s, user, password, 'PLAIN');
    }
    // LOGIN: an empty initial response carries no user name yet, so ask for it as without one.
    const first = initial === null || initial === '=' ? await ask(s, LOGIN_CHALLENGES.user) : initial;
    const user = saslStep(() => decodeSaslResponse(first)).toString('utf8');
    const answer = await ask(s, LOGIN_CHALLENGES.password);
    const password = saslStep(() => decodeSaslResponse(answer)).toString('utf8');
    return logIn(s, user, password, 'SASL LOGIN');
  },
};

/** ask sends a challenge and returns the client's response line. Throws Pop3Error when the client cancels with "*" or goes away. */
async function ask(s: Pop3Session, challenge: string): Promise<string> {
  s.out.line(`+ ${challenge}`);
  const line = await s.readLine();
  if (line === null) throw refuse('Connection closed during authentication.');
  const text = line.trim();
  if (text === '*') throw refuse('Authentication cancelled.');
  return text;
}

/** saslStep runs a decoding step, turning its SaslError into -ERR ([AUTH] for a foreign authorization identity). */
function saslStep<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (!(err instanceof SaslError)) throw err;
    throw new Pop3Error(err.message, err.kind === 'authzid' ? 'AUTH' : null);
  }
}
