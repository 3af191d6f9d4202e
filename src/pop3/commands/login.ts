/**
 * The POP3 face of the login rules of src/auth, shared by PASS and AUTH: the plaintext-auth rule before
 * TLS (RFC 2595 section 4) and the credential check with the failed-login penalty (answers delayed,
 * never refused), answered with the codes of RFC 3206 (AUTH-RESP-CODE): [AUTH] when the credentials are at fault.
 */
import { authenticate, LoginRefused } from '../../auth/login.js';
import type { Pop3Session } from '../command.js';
import { refuse } from '../errors.js';

/** requirePlaintextAllowed refuses USER, PASS and AUTH on a cleartext connection where the plaintext-auth rule forbids passwords. */
export function requirePlaintextAllowed(s: Pop3Session): void {
  if (!s.plaintextAuthAllowed) {
    throw refuse('Plaintext authentication disallowed on non-secure (SSL/TLS) connections. Use STLS first.', 'AUTH');
  }
}

/**
 * logIn checks `user` and `password` and enters the TRANSACTION state; returns the +OK text. Throws
 * Pop3Error [AUTH] (wrong user or password), or as Pop3Session.login. `mechanism` names the command for the log.
 */
export async function logIn(s: Pop3Session, user: string, password: string, mechanism = 'USER'): Promise<string> {
  let account;
  try {
    account = await authenticate(s, user, password, mechanism);
  } catch (err) {
    if (!(err instanceof LoginRefused)) throw err;
    throw refuse('Authentication failed.', 'AUTH');
  }
  await s.login(account);
  return 'Logged in.';
}
