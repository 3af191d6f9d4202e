/**
 * The IMAP face of the login rules of src/auth: checkCredentials turns auth/login.ts's LoginRefused into
 * the IMAP replies (RFC 5530 response codes), requirePlaintextAllowed applies LOGINDISABLED. Shared by
 * LOGIN and AUTHENTICATE.
 */
import { authenticate, LoginRefused } from '../auth/login.js';
import type { Account } from '../store/types.js';
import type { Session } from './session.js';
import { no } from './errors.js';

/**
 * checkCredentials returns the account, or throws NO [AUTHENTICATIONFAILED] (wrong user or password),
 * after the failed-login penalty's delay. `mechanism` names the command for the log. Never logs the password.
 */
export async function checkCredentials(s: Session, user: string, password: string, mechanism: string): Promise<Account> {
  try {
    return await authenticate(s, user, password, mechanism);
  } catch (err) {
    if (!(err instanceof LoginRefused)) throw err;
    throw no('Authentication failed.', 'AUTHENTICATIONFAILED');
  }
}

/** requirePlaintextAllowed refuses LOGIN/AUTHENTICATE on cleartext when LOGINDISABLED is in force (RFC 9051 section 6.2.3). */
export function requirePlaintextAllowed(s: Session): void {
  if (!s.plaintextAuthAllowed) {
    throw no('Plaintext authentication disallowed on non-secure (SSL/TLS) connections. Use STARTTLS first.', 'PRIVACYREQUIRED');
  }
}
