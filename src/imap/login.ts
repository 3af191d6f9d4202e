/**
 * checkCredentials is the one place where a user name and password become an Account, shared by
 * LOGIN and AUTHENTICATE PLAIN. A wrong password and an unknown user get the same answer and cost
 * the same time (the password check runs against a dummy hash for unknown users), and both count
 * towards the session's AuthThrottle: failures are answered late, and refused once too many.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyOrDummy } from '../auth/password.js';
import type { Account } from '../store/types.js';
import type { Session } from './command.js';
import { no } from './errors.js';

/** checkCredentials returns the account or throws NO [AUTHENTICATIONFAILED] (RFC 5530). Never logs the password. */
export async function checkCredentials(s: Session, user: string, password: string): Promise<Account> {
  const throttle = s.authThrottle;
  const ip = s.remoteAddress;
  const account = await s.store.getAccount(user.trim().toLowerCase());
  if (throttle?.blocked(ip, user)) {
    // The same answer whether or not the password is right: a throttled guesser learns nothing.
    await sleep(throttle.failure(ip, user, true));
    s.log.warn({ user: logName(account, user) }, 'authentication refused: too many failed logins');
    throw no('Too many failed logins; try again later.', 'UNAVAILABLE');
  }
  const ok = await verifyOrDummy(account ? account.passwordHash : null, password);
  if (!account || !ok) {
    if (throttle) await sleep(throttle.failure(ip, user));
    s.log.info({ user: logName(account, user) }, 'authentication failed');
    throw no('Authentication failed.', 'AUTHENTICATIONFAILED');
  }
  throttle?.success(ip, user);
  s.log.info({ user: account.email }, 'logged in');
  return account;
}

/**
 * logName is what the log says about the user of a failed login: the account's address when it exists,
 * else only a hash prefix (to tell repeated attempts apart), because people type their password into the
 * user field and a log must never show a password.
 */
function logName(account: Account | null, user: string): string {
  if (account) return account.email;
  return `unknown user #${createHash('sha256').update(user).digest('hex').slice(0, 12)}`;
}

/** requirePlaintextAllowed refuses LOGIN/AUTHENTICATE on cleartext when LOGINDISABLED is in force (RFC 9051 section 6.2.3). */
export function requirePlaintextAllowed(s: Session): void {
  if (!s.plaintextAuthAllowed) {
    throw no('Plaintext authentication disallowed on non-secure (SSL/TLS) connections. Use STARTTLS first.', 'PRIVACYREQUIRED');
  }
}
