/**
 * authenticate is the one place where a user name and password become an Account, for every protocol
 * (IMAP LOGIN and AUTHENTICATE, POP3 USER/PASS and AUTH). A wrong password and an unknown user get the
 * same answer and cost the same time (the password check runs against a dummy hash for unknown users),
 * and both count towards the failed-login penalty of the client's address (penalty.ts): answers to an
 * address that failed are delayed, never refused. Each protocol turns a LoginRefused into its own reply.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.js';
import type { Account, Store } from '../store/types.js';
import { normalizeEmail } from './email.js';
import { verifyOrDummy } from './password.js';
import type { LoginPenalty } from './penalty.js';

/** LoginContext is what a login needs of its session. */
export interface LoginContext {
  readonly store: Store;
  /** The client's IP address (the penalty is per address). */
  readonly remoteAddress: string;
  readonly log: Logger;
  /** The server's failed-login penalty, shared by IMAP and POP3 (absent in unit-test sessions). */
  readonly penalty?: LoginPenalty;
  /** Where logins are counted (absent in unit-test sessions). */
  readonly metrics?: Metrics;
}

/** LoginRefused: an unknown user or a wrong password (the same for both, after the penalty's delay). */
export class LoginRefused extends Error {
  readonly reason = 'failed';

  constructor() {
    super('Authentication failed.');
    this.name = 'LoginRefused';
  }
}

/**
 * authenticate returns the account whose address is `user` (case-insensitive, trimmed) when `password`
 * is its password, after the delay the penalty asks for; else waits the penalty's delay and throws
 * LoginRefused. `mechanism` ("LOGIN", "PLAIN", "USER", ...) is for the log line, which never shows the
 * password. Store errors propagate.
 */
export async function authenticate(ctx: LoginContext, user: string, password: string, mechanism = 'password'): Promise<Account> {
  const attempt = ctx.penalty?.enabled ? await ctx.penalty.begin(ctx.remoteAddress, user) : null;
  const account = await ctx.store.getAccount(user.trim().toLowerCase());
  const ok = await verifyOrDummy(account ? account.passwordHash : null, password);
  if (!account || !ok) {
    await attempt?.failed();
    ctx.log.info({ user: logName(account, user), mechanism, addressFailures: (attempt?.addressFailures ?? 0) + 1 }, 'login failed');
    ctx.metrics?.login('failure');
    throw new LoginRefused();
  }
  await attempt?.succeeded();
  ctx.metrics?.login('success');
  ctx.log.info({ user: account.email, mechanism }, 'logged in');
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
