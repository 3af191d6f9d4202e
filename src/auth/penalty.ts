/**
 * The failed-login penalty, as Dovecot's auth penalty: failures slow an address down instead of locking
 * anyone out. Each failed LOGIN or AUTHENTICATE from an address within `expireMs` of its last failure makes
 * the answers to that address wait longer: the n-th failure adds `delayMs` x 2^(n-1), at most `maxDelayMs`
 * (2, 4, 8, 15, 15, ... seconds by default). So:
 * - a right password from another address is answered at once (the penalty belongs to the address);
 * - a right password from the guessing address is answered after at most the address's penalty;
 * - a client's parallel logins (a mail client opens several connections at once) are not delayed while
 *   neither the address nor that user name from it has failed and they are at most `parallel`;
 * - beyond that, attempts for one user name from one address are answered one after the other, each at
 *   least the penalty after the one before, also when they come in parallel over many connections or
 *   nodes (at most 13 guesses in the first minute, then 4 a minute, per address and user name, by
 *   default: 10 at once, then one every 15 s);
 * - a right password forgets that user name's failures from that address (the user's own typos), not
 *   the failures for other names.
 * The state lives in the store (Store.reservePenalty and the rest), so every node of a PostgreSQL
 * installation shares it and `letterbox penalty` shows and clears it. IPv6 addresses are counted by their
 * /64 network (one host usually holds a whole /64). This module decides; the store only keeps rows.
 */
import type { Config } from '../config/types.js';
import type { PenaltyReservation, Store } from '../store/types.js';

/**
 * PenaltyLimits: milliseconds (config auth.penalty_*); delayMs 0 turns the penalty off. `parallel` is how
 * many attempts of one user name from one address may be under way together without being spaced, while
 * neither has failed (the server uses imap.max_connections_per_user_ip: more sessions could not log in anyway).
 */
export interface PenaltyLimits {
  delayMs: number;
  maxDelayMs: number;
  expireMs: number;
  parallel: number;
}

/** PURGE_INTERVAL_MS: how often a node deletes expired penalty rows (ms). */
const PURGE_INTERVAL_MS = 60_000;

/** penaltyDelay is the delay in ms that `failures` failures give: 0 for none, else delayMs x 2^(failures-1), at most maxDelayMs. */
export function penaltyDelay(failures: number, limits: PenaltyLimits): number {
  if (failures <= 0 || limits.delayMs <= 0) return 0;
  return Math.min(limits.maxDelayMs, limits.delayMs * 2 ** Math.min(failures - 1, 30));
}

/**
 * penaltyAddress is the key an address is counted under: an IPv4 address as is (also when IPv4-mapped,
 * "::ffff:192.0.2.1"), an IPv6 address as its /64 network ("2001:db8:0:1::/64"). Anything else (a unix
 * socket, "unknown") is returned lower-cased, at most 64 characters.
 */
export function penaltyAddress(ip: string): string {
  let a = ip.trim().toLowerCase();
  if (a.startsWith('::ffff:') && a.includes('.')) a = a.slice(7);
  if (a.endsWith('/64')) a = a.slice(0, -3);
  if (!a.includes(':')) return a.slice(0, 64);
  const groups = expandIpv6(a);
  if (!groups) return a.slice(0, 64);
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

function expandIpv6(a: string): string[] | null {
  const zone = a.indexOf('%');
  const s = zone >= 0 ? a.slice(0, zone) : a;
  const [head, tail, more] = s.split('::');
  if (more !== undefined) return null;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  if (tail === undefined && h.length !== 8) return null;
  const fill = 8 - h.length - t.length;
  if (fill < 0 || !/^[0-9a-f:.]*$/.test(s)) return null;
  return [...h, ...Array<string>(tail === undefined ? 0 : fill).fill('0'), ...t];
}

/** penaltyUser is the key a user name is counted under: trimmed, lower-cased, at most 320 characters (the longest address). */
export function penaltyUser(user: string): string {
  return user.trim().toLowerCase().slice(0, 320);
}

/** PenaltyAttempt is one login attempt under way: tell it how the password check went; each call waits until the answer may be sent. */
export interface PenaltyAttempt {
  /** The address's failures within the expiry when the attempt began (for logs). */
  readonly addressFailures: number;
  /** Records the failure and resolves when the failure may be answered. */
  failed(): Promise<void>;
  /** Forgets this user name's failures from this address and resolves when the success may be answered. */
  succeeded(): Promise<void>;
}

/** LoginPenalty applies the penalty for one server; `now` and `sleep` are the clock (tests pass a virtual one). */
export class LoginPenalty {
  private lastPurge = 0;

  constructor(
    private readonly store: Store,
    readonly limits: PenaltyLimits,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** enabled is false when auth.penalty_delay is 0. */
  get enabled(): boolean {
    return this.limits.delayMs > 0;
  }

  /**
   * begin reserves the attempt of `user` from `ip` before the password is checked. While the pair has not
   * failed and has fewer than `parallel` attempts under way, its answer is due after the address's
   * penalty (success) or one more failure's (failure). Otherwise it queues behind the pair's last reserved
   * attempt: success is due when that one is and the address's penalty has passed; failure the penalty of
   * one more failure (counting the queued attempts as failures) after the later of now and that.
   */
  async begin(ip: string, user: string): Promise<PenaltyAttempt> {
    const remote = penaltyAddress(ip);
    const name = penaltyUser(user);
    const start = this.now();
    const { limits } = this;
    let failureAt = start;
    let successAt = start;
    const state: PenaltyReservation = await this.store.reservePenalty(remote, name, start, limits.expireMs, (s) => {
      if (s.pairFailures === 0 && s.pairAttempts < limits.parallel) {
        successAt = start + penaltyDelay(s.addressFailures, limits);
        failureAt = start + penaltyDelay(s.addressFailures + 1, limits);
        return Math.max(s.pairNextAt, failureAt);
      }
      successAt = Math.max(start + penaltyDelay(s.addressFailures, limits), s.pairNextAt);
      failureAt = Math.max(start, s.pairNextAt) + penaltyDelay(Math.max(s.addressFailures, s.pairFailures, s.pairAttempts) + 1, limits);
      return failureAt;
    });
    this.maybePurge(start);
    const wait = async (at: number) => {
      const ms = at - this.now();
      if (ms > 0) await this.sleep(ms);
    };
    return {
      addressFailures: state.addressFailures,
      failed: async () => {
        await this.store.recordPenaltyFailure(remote, name, this.now(), this.limits.expireMs);
        await wait(failureAt);
      },
      succeeded: async () => {
        await this.store.clearPenaltyPair(remote, name);
        await wait(successAt);
      },
    };
  }

  private maybePurge(now: number): void {
    if (now - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now;
    // Housekeeping: a failure to purge costs some rows, never a login.
    this.store.purgePenalties(now - this.limits.expireMs).catch(() => {});
  }
}

/** penaltyLimits reads the penalty's limits from the config (auth.penalty_*; `parallel` is imap.max_connections_per_user_ip). */
export function penaltyLimits(config: Config): PenaltyLimits {
  return { delayMs: config.auth.penaltyDelayMs, maxDelayMs: config.auth.penaltyMaxDelayMs, expireMs: config.auth.penaltyExpireMs, parallel: config.imap.maxConnectionsPerUserIp };
}
