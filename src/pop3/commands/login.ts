/**
 * The POP3 face of the login rules of src/auth, shared by PASS and AUTH: the plaintext-auth rule before
 * TLS (RFC 2595 section 4) and the credential check with its throttle, answered with the codes of RFC
 * 3206 (AUTH-RESP-CODE): [AUTH] when the credentials are at fault, [SYS/TEMP] when the server refuses
 * for now.
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
 * Pop3Error [AUTH] (wrong user or password), [SYS/TEMP] (too many failed logins), or as Pop3Session.login.
 */
export async function logIn(s: Pop3Session, user: string, password: string): Promise<string> {
  let account;
  try {
    account = await authenticate(s, user, password);
  } catch (err) {
    if (!(err instanceof LoginRefused)) throw err;
    throw err.reason === 'throttled' ? refuse('Too many failed logins; try again later.', 'SYS/TEMP') : refuse('Authentication failed.', 'AUTH');
  }
  await s.login(account);
  return 'Logged in.';
}
