/**
 * authenticate is the one place where a user name and password become an Account, for every protocol
 * (IMAP LOGIN and AUTHENTICATE, POP3 USER/PASS and AUTH). A wrong password and an unknown user get the
 * same answer and cost the same time (the password check runs against a dummy hash for unknown users),
 * and both count towards the AuthThrottle: failures are answered late, and refused once too many. Each
 * protocol turns a LoginRefused into its own reply.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Account, Store } from '../store/types.js';
import { verifyOrDummy } from './password.js';
import type { AuthThrottle } from './throttle.js';

/** LoginContext is what a login needs of its session. */
export interface LoginContext {
  readonly store: Store;
  /** The client's IP address (throttled per address). */
  readonly remoteAddress: string;
  readonly log: Logger;
  /** The server's failed-login throttle (absent in unit-test sessions). */
  readonly authThrottle?: AuthThrottle;
}

/**
 * LoginRefused: `reason` 'failed' (unknown user or wrong password: the same for both) or 'throttled'
 * (too many failures from this address or for this user; refused whatever the password).
 */
export class LoginRefused extends Error {
  constructor(readonly reason: 'failed' | 'throttled') {
    super(reason === 'failed' ? 'Authentication failed.' : 'Too many failed logins; try again later.');
    this.name = 'LoginRefused';
  }
}

/**
 * authenticate returns the account whose address is `user` (case-insensitive, trimmed) when `password`
 * is its password; else waits the throttle's delay and throws LoginRefused. Logs the outcome, never the
 * password. Store errors propagate.
 */
export async function authenticate(ctx: LoginContext, user: string, password: string): Promise<Account> {
  const throttle = ctx.authThrottle;
  const ip = ctx.remoteAddress;
  const account = await ctx.store.getAccount(user.trim().toLowerCase());
  if (throttle?.blocked(ip, user)) {
    // The same answer whether or not the password is right: a throttled guesser learns nothing.
    await sleep(throttle.failure(ip, user, true));
    ctx.log.warn({ user: logName(account, user) }, 'authentication refused: too many failed logins');
    throw new LoginRefused('throttled');
  }
  const ok = await verifyOrDummy(account ? account.passwordHash : null, password);
  if (!account || !ok) {
    if (throttle) await sleep(throttle.failure(ip, user));
    ctx.log.info({ user: logName(account, user) }, 'authentication failed');
    throw new LoginRefused('failed');
  }
  throttle?.success(ip, user);
  ctx.log.info({ user: account.email }, 'logged in');
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
