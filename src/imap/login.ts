/**
 * checkCredentials is the one place where a user name and password become an Account, shared by
 * LOGIN and AUTHENTICATE PLAIN. A wrong password and an unknown user get the same answer and cost
 * the same time (the password check runs against a dummy hash for unknown users).
 */
import { verifyOrDummy } from '../auth/password.js';
import type { Account } from '../store/types.js';
import type { Session } from './command.js';
import { no } from './errors.js';

/** checkCredentials returns the account or throws NO [AUTHENTICATIONFAILED] (RFC 5530). Never logs the password. */
export async function checkCredentials(s: Session, user: string, password: string): Promise<Account> {
  const account = await s.store.getAccount(user.trim().toLowerCase());
  const ok = await verifyOrDummy(account ? account.passwordHash : null, password);
  if (!account || !ok) {
    s.log.info({ user }, 'authentication failed');
    throw no('Authentication failed.', 'AUTHENTICATIONFAILED');
  }
  s.log.info({ user: account.email }, 'logged in');
  return account;
}

/** requirePlaintextAllowed refuses LOGIN/AUTHENTICATE on cleartext when LOGINDISABLED is in force (RFC 9051 section 6.2.3). */
export function requirePlaintextAllowed(s: Session): void {
  if (!s.plaintextAuthAllowed) {
    throw no('Plaintext authentication disallowed on non-secure (SSL/TLS) connections. Use STARTTLS first.', 'PRIVACYREQUIRED');
  }
}
