/**
 * AUTHENTICATE (RFC 9051 section 6.2.2) with the PLAIN mechanism (RFC 4616) and the LOGIN mechanism
 * (draft-murchison-sasl-login: base64 "Username:" and "Password:" challenges), each with an optional
 * initial response (SASL-IR, RFC 4959). Both send the password in the clear, so both follow the
 * plaintext-auth rule. "*" from the client cancels (BAD).
 */
import type { CommandSpec, Session } from '../command.js';
import type { Account } from '../../store/types.js';
import { bad, no } from '../errors.js';
import { checkCredentials, requirePlaintextAllowed } from '../login.js';

/** SASL_MECHANISMS: the SASL mechanisms offered (AUTH=<name> in CAPABILITY when plaintext authentication is allowed). */
export const SASL_MECHANISMS = ['PLAIN', 'LOGIN'] as const;

interface AuthArgs {
  mechanism: string;
  /** Initial response as sent (base64, or "=" for empty), or null when absent. */
  initial: string | null;
}

/** AUTHENTICATE PLAIN|LOGIN [initial-response]. */
export const authenticateCommand: CommandSpec<AuthArgs> = {
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
  async run(s, { mechanism, initial }) {
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

/** PLAIN (RFC 4616): one response, authzid NUL authcid NUL passwd. */
async function plain(s: Session, initial: string | null): Promise<Account> {
  const response = initial ?? (await askResponse(s, ''));
  const parts = decodeResponse(response).toString('utf8').split('\0');
  if (parts.length !== 3) throw bad('Malformed PLAIN response');
  const [authzid, authcid, password] = parts as [string, string, string];
  if (authzid !== '' && authzid.toLowerCase() !== authcid.toLowerCase()) {
    throw no('Authorization identity must be empty or equal the user name.', 'AUTHORIZATIONFAILED');
  }
  return checkCredentials(s, authcid, password, 'PLAIN');
}

/** LOGIN: the user name (initial response or answer to "Username:"), then the password (answer to "Password:"). */
async function login(s: Session, initial: string | null): Promise<Account> {
  // An empty initial response ("=") carries no user name yet: ask for it as without one.
  const first = initial === null || initial === '=' ? await askResponse(s, b64('Username:')) : initial;
  const user = decodeResponse(first).toString('utf8');
  const password = decodeResponse(await askResponse(s, b64('Password:'))).toString('utf8');
  return checkCredentials(s, user, password, 'SASL LOGIN');
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
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

/** decodeResponse decodes a base64 response; "=" is the empty initial response of RFC 4959. */
function decodeResponse(text: string): Buffer {
  if (text === '=') return Buffer.alloc(0);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw bad('Invalid base64 in authentication response');
  return Buffer.from(text, 'base64');
}
