/**
 * The session commands of RFC 5804: CAPABILITY (section 2.4), STARTTLS (2.2), AUTHENTICATE with SASL PLAIN
 * (2.1; RFC 4616, decoded by auth/sasl.ts), UNAUTHENTICATE (2.14), LOGOUT (2.3) and NOOP (2.13).
 */
import { authenticate, LoginRefused } from '../../auth/login.js';
import { decodeSaslResponse, plainCredentials, SaslError } from '../../auth/sasl.js';
import { capabilityLines } from '../capabilities.js';
import type { CommandSpec, ManageSieveSession } from '../command.js';
import { refuse } from '../errors.js';
import { noArguments, strings } from './args.js';

/** CAPABILITY: the capability list, then OK. */
export const capabilityCommand: CommandSpec<void> = {
  name: 'CAPABILITY',
  states: ['unauthenticated', 'authenticated'],
  parse: (args) => noArguments(args, 'CAPABILITY'),
  async run({ session }) {
    session.write(capabilityLines(session));
    return 'Capability completed.';
  },
};

/** STARTTLS: on a cleartext connection before login; the capabilities follow the handshake (RFC 5804 section 2.2). */
export const starttlsCommand: CommandSpec<void, 'unauthenticated'> = {
  name: 'STARTTLS',
  states: ['unauthenticated'],
  parse: (args) => noArguments(args, 'STARTTLS'),
  async run({ session }) {
    if (!session.canStartTls) throw refuse('TLS is already active.');
    session.afterReply(() => session.upgradeToTls());
    return 'Begin TLS negotiation now.';
  },
};

interface AuthenticateArgs {
  mechanism: string;
  initial: string | null;
}

/**
 * AUTHENTICATE "PLAIN" [initial-response]: without an initial response the server sends an empty
 * challenge `""` and the client answers with a string (quoted or literal) holding the base64 response, or
 * `"*"` to cancel. PLAIN sends the password in the clear, so it follows managesieve.plaintext_auth: refused
 * with NO (ENCRYPT-NEEDED) before STARTTLS where the rule forbids it. ANONYMOUS is refused (AUTH-TOO-WEAK):
 * every session acts for an account. The login check and its failed-login penalty are auth/login.ts's.
 */
export const authenticateCommand: CommandSpec<AuthenticateArgs, 'unauthenticated'> = {
  name: 'AUTHENTICATE',
  states: ['unauthenticated'],
  parse(args) {
    const [mechanism, initial] = strings(args, 'AUTHENTICATE', 1, 2);
    return { mechanism: mechanism!.toUpperCase(), initial: initial ?? null };
  },
  async run({ session }, { mechanism, initial }) {
    if (mechanism === 'ANONYMOUS') throw refuse('Anonymous login is not allowed.', 'AUTH-TOO-WEAK');
    if (mechanism !== 'PLAIN') throw refuse(`Unsupported SASL mechanism: ${mechanism.slice(0, 20)}.`);
    if (!session.plaintextAuthAllowed) throw refuse('Plaintext authentication disallowed on non-secure connections. Use STARTTLS first.', 'ENCRYPT-NEEDED');
    const response = initial ?? (await ask(session));
    let credentials;
    try {
      credentials = plainCredentials(decodeSaslResponse(response));
    } catch (err) {
      if (err instanceof SaslError) throw refuse(err.message);
      throw err;
    }
    let account;
    try {
      account = await authenticate(session, credentials.user, credentials.password, 'PLAIN');
    } catch (err) {
      if (err instanceof LoginRefused) throw refuse('Authentication failed.');
      throw err;
    }
    session.login(account);
    return 'Logged in.';
  },
};

/** ask sends the empty challenge and returns the client's response string. Throws ManageSieveError when the client cancels with "*", sends no single string, or goes away. */
async function ask(session: ManageSieveSession): Promise<string> {
  session.write('""\r\n');
  const line = await session.readLine();
  if (line === null) throw refuse('Connection closed during authentication.');
  if (line === 'invalid' || line.length !== 1 || line[0]!.kind !== 'string') throw refuse('Expected a SASL response string.');
  const text = line[0].value.trim();
  if (text === '*') throw refuse('Authentication cancelled.');
  return text;
}

/** UNAUTHENTICATE: back to the non-authenticated state, on the same connection (RFC 5804 section 2.14). */
export const unauthenticateCommand: CommandSpec<void, 'authenticated'> = {
  name: 'UNAUTHENTICATE',
  states: ['authenticated'],
  parse: (args) => noArguments(args, 'UNAUTHENTICATE'),
  async run({ session }) {
    session.logout();
    return 'Unauthenticate completed.';
  },
};

/** LOGOUT: OK, then the server closes the connection (RFC 5804 section 2.3). */
export const logoutCommand: CommandSpec<void> = {
  name: 'LOGOUT',
  states: ['unauthenticated', 'authenticated'],
  parse: (args) => noArguments(args, 'LOGOUT'),
  async run({ session }) {
    session.afterReply(() => session.close());
    return 'Logout completed.';
  },
};

/** NOOP [tag]: OK, echoing the tag as the TAG response code (RFC 5804 section 2.13). */
export const noopCommand: CommandSpec<string | null> = {
  name: 'NOOP',
  states: ['unauthenticated', 'authenticated'],
  parse(args) {
    const [tag] = strings(args, 'NOOP', 0, 1);
    return tag ?? null;
  },
  async run(_ctx, tag) {
    return tag === null ? 'NOOP completed.' : { code: { tag }, text: 'Done' };
  },
};
