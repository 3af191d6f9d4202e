/**
 * AUTHENTICATE (RFC 9051 section 6.2.2) with the PLAIN mechanism (RFC 4616) and the LOGIN mechanism
 * (draft-murchison-sasl-login: base64 "Username:" and "Password:" challenges), each with an optional
 * initial response (SASL-IR, RFC 4959); the responses are decoded by auth/sasl.ts. Both send the
 * password in the clear, so both follow the plaintext-auth rule. "*" from the client cancels (BAD).
 */
import { decodeSaslResponse, LOGIN_CHALLENGES, plainCredentials, SaslError } from '../../auth/sasl.js';
import type { CommandSpec } from '../command.js';
import type { Session } from '../session.js';
import type { Account } from '../../store/types.js';
import { bad, no } from '../errors.js';
import { checkCredentials, requirePlaintextAllowed } from '../login.js';

interface AuthArgs {
  mechanism: string;
  /** Initial response as sent (base64, or "=" for empty), or null when absent. */
  initial: string | null;
}

/** AUTHENTICATE PLAIN|LOGIN [initial-response]. */
export const authenticateCommand: CommandSpec<AuthArgs, 'not-authenticated'> = {
  name: 'AUTHENTICATE',
  states: ['not-authenticated'],
  parse(r) {
    r.space();
    const mechanism = r.atom().toUpperCase();
    let initial: string | null = null;
    if (!r.atEnd()) {
      r.space();
      initial = r.atom();
    }
    r.end();
    return { mechanism, initial };
  },
  async run({ session: s }, { mechanism, initial }) {
    let account: Account;
    if (mechanism === 'PLAIN') {
      requirePlaintextAllowed(s);
      account = await plain(s, initial);
    } else if (mechanism === 'LOGIN') {
      requirePlaintextAllowed(s);
      account = await login(s, initial);
    } else {
      throw no(`Unsupported authentication mechanism ${mechanism}`, 'CANNOT');
    }
    s.login(account);
    return `[CAPABILITY ${s.capabilities().join(' ')}] Logged in`;
  },
};

/** PLAIN (RFC 4616): one response, authzid NUL authcid NUL passwd (auth/sasl.ts). */
async function plain(s: Session, initial: string | null): Promise<Account> {
  const response = initial ?? (await askResponse(s, ''));
  const { user, password } = saslStep(() => plainCredentials(decodeSaslResponse(response)));
  return checkCredentials(s, user, password, 'PLAIN');
}

/** LOGIN: the user name (initial response or answer to "Username:"), then the password (answer to "Password:"). */
async function login(s: Session, initial: string | null): Promise<Account> {
  // An empty initial response ("=") carries no user name yet: ask for it as without one.
  const first = initial === null || initial === '=' ? await askResponse(s, LOGIN_CHALLENGES.user) : initial;
  const user = saslStep(() => decodeSaslResponse(first)).toString('utf8');
  const answer = await askResponse(s, LOGIN_CHALLENGES.password);
  const password = saslStep(() => decodeSaslResponse(answer)).toString('utf8');
  return checkCredentials(s, user, password, 'SASL LOGIN');
}

/** saslStep runs a decoding step of auth/sasl.ts, turning its SaslError into BAD (or NO [AUTHORIZATIONFAILED] for a foreign authzid). */
function saslStep<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (!(err instanceof SaslError)) throw err;
    throw err.kind === 'authzid' ? no(err.message, 'AUTHORIZATIONFAILED') : bad(err.message);
  }
}

async function askResponse(s: Session, challenge: string): Promise<string> {
  s.continuation(challenge);
  const line = await s.readLine();
  if (line === null) throw bad('Connection closed during authentication');
  const text = line.lines[0]!.toString('latin1').trim();
  if (line.literals.length > 0) throw bad('Literals are not allowed in an authentication response');
  if (text === '*') throw bad('Authentication cancelled');
  return text;
}
