/**
 * checkCredentials is the one place where a user name and password become an Account, shared by
 * LOGIN and AUTHENTICATE PLAIN and LOGIN. A wrong password and an unknown user get the same answer and
 * cost the same time (the password check runs against a dummy hash for unknown users), and both count
 * towards the failed-login penalty of the client's address (auth/penalty.ts): answers to an address
 * that failed are delayed, never refused.
 */
import { createHash } from 'node:crypto';
import { normalizeEmail } from '../auth/email.js';
import { verifyOrDummy } from '../auth/password.js';
import type { Account } from '../store/types.js';
import type { Session } from './command.js';
import { no } from './errors.js';

/**
 * checkCredentials returns the account or throws NO [AUTHENTICATIONFAILED] (RFC 5530), after the delay the
 * penalty asks for. `mechanism` ("LOGIN", "PLAIN", "SASL LOGIN") is for the log line. Never logs the password.
 */
export async function checkCredentials(s: Session, user: string, password: string, mechanism: string): Promise<Account> {
  const attempt = s.penalty?.enabled ? await s.penalty.begin(s.remoteAddress, user) : null;
  const account = await s.store.getAccount(user.trim().toLowerCase());
  const ok = await verifyOrDummy(account ? account.passwordHash : null, password);
  if (!account || !ok) {
    await attempt?.failed();
    s.log.info({ user: logName(account, user), mechanism, addressFailures: (attempt?.addressFailures ?? 0) + 1 }, 'login failed');
    s.metrics?.login('failure');
    throw no('Authentication failed.', 'AUTHENTICATIONFAILED');
  }
  await attempt?.succeeded();
  s.metrics?.login('success');
  s.log.info({ user: account.email, mechanism }, 'logged in');
  return account;
}

/**
 * logName is what the log says about the user of a failed login: the name tried when it is an e-mail
 * address (as Dovecot logs it), else only a hash prefix (to tell repeated attempts apart), because people
 * type their password into the user field and a log must never show a password.
 */
function logName(account: Account | null, user: string): string {
  if (account) return account.email;
  try {
    return normalizeEmail(user);
  } catch {
    return `unknown user #${createHash('sha256').update(user).digest('hex').slice(0, 12)}`;
  }
}

/** requirePlaintextAllowed refuses LOGIN/AUTHENTICATE on cleartext when LOGINDISABLED is in force (RFC 9051 section 6.2.3). */
export function requirePlaintextAllowed(s: Session): void {
  if (!s.plaintextAuthAllowed) {
    throw no('Plaintext authentication disallowed on non-secure (SSL/TLS) connections. Use STARTTLS first.', 'PRIVACYREQUIRED');
  }
}
