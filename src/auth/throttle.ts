/**
 * AuthThrottle slows down and then refuses password guessing, per IP address and per user name, like
 * Dovecot's auth_failure_delay and anvil penalty: each failed login is answered after a delay that
 * doubles with every further failure, and after maxFailures every attempt is refused (NO [UNAVAILABLE])
 * until the penalty window has passed without a failure. User names are counted whether or not the
 * account exists, so the throttle does not reveal which accounts exist. State is in memory, per node.
 */
import { AUTH_FAILURE_DELAY_MS, AUTH_MAX_FAILURE_DELAY_MS, AUTH_MAX_FAILURES, AUTH_MAX_TRACKED, AUTH_PENALTY_WINDOW_MS } from '../protocol/limits.js';

/** ThrottleLimits: delays in milliseconds (defaults in src/protocol/limits.ts, AUTH_*). */
export interface ThrottleLimits {
  failureDelayMs: number;
  maxFailureDelayMs: number;
  maxFailures: number;
  penaltyWindowMs: number;
  maxTracked: number;
}

interface Penalty {
  failures: number;
  last: number;
}

/** AuthThrottle keeps failure counts for IP addresses and user names (lower-cased). */
export class AuthThrottle {
  private readonly byIp = new Map<string, Penalty>();
  private readonly byUser = new Map<string, Penalty>();

  /** @param now clock in milliseconds (tests may pass their own) */
  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** blocked tells whether a login by `user` from `ip` is refused outright (either is at maxFailures within the window). */
  blocked(ip: string, user: string): boolean {
    return this.count(this.byIp, ip) >= this.limits.maxFailures || this.count(this.byUser, userKey(user)) >= this.limits.maxFailures;
  }

  /**
   * failure records a failed login and returns the delay in milliseconds to wait before answering:
   * failureDelayMs x 2^(n-1) for the n-th failure of the IP or the user (whichever is higher), at most
   * maxFailureDelayMs. With `refused` (the attempt was blocked) only the IP's penalty is renewed, so an
   * attacker cannot keep someone else's account locked forever by hammering it from a blocked address.
   */
  failure(ip: string, user: string, refused = false): number {
    const n = Math.max(this.bump(this.byIp, ip), refused ? 0 : this.bump(this.byUser, userKey(user)));
    return Math.min(this.limits.maxFailureDelayMs, this.limits.failureDelayMs * 2 ** Math.min(n - 1, 30));
  }

  /** success forgets the penalties of the IP and the user after a correct password. */
  success(ip: string, user: string): void {
    this.byIp.delete(ip);
    this.byUser.delete(userKey(user));
  }

  private count(map: Map<string, Penalty>, key: string): number {
    const p = map.get(key);
    if (!p) return 0;
    if (this.now() - p.last > this.limits.penaltyWindowMs) {
      map.delete(key);
      return 0;
    }
    return p.failures;
  }

  private bump(map: Map<string, Penalty>, key: string): number {
    const failures = this.count(map, key) + 1;
    // Re-insert so the Map's order is least recently failed first, which is what eviction drops.
    map.delete(key);
    map.set(key, { failures, last: this.now() });
    while (map.size > this.limits.maxTracked) map.delete(map.keys().next().value!);
    return failures;
  }
}

/** userKey normalises a user name for counting; the length cap bounds memory (an e-mail address has at most 254 octets). */
function userKey(user: string): string {
  return user.trim().toLowerCase().slice(0, 320);
}

/**
 * newAuthThrottle returns a throttle with the AUTH_* limits of src/protocol/limits.ts, `given` overriding
 * some (tests shorten the delays). `letterbox serve` makes one and shares it between IMAP and POP3, so
 * switching protocol buys a guesser no extra attempts.
 */
export function newAuthThrottle(given: Partial<ThrottleLimits> = {}): AuthThrottle {
  return new AuthThrottle({
    failureDelayMs: AUTH_FAILURE_DELAY_MS,
    maxFailureDelayMs: AUTH_MAX_FAILURE_DELAY_MS,
    maxFailures: AUTH_MAX_FAILURES,
    penaltyWindowMs: AUTH_PENALTY_WINDOW_MS,
    maxTracked: AUTH_MAX_TRACKED,
    ...given,
  });
}
