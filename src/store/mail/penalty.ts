/**
 * The login penalty's rows (auth/penalty.ts decides what they mean): table auth_penalty, one row per
 * address and user name tried, shared by every node of a PostgreSQL database.
 */
import type { PenaltyEntry, PenaltyReservation } from '../types.js';
import { exec, many, one, type Rule } from './rule.js';

/**
 * reservePenalty implements Store.reservePenalty: one upsert creates the pair's row if missing and locks it
 * either way, so attempts of one pair through several nodes at once are reserved one after the other (and
 * a success deleting the row meanwhile cannot leave this transaction without one).
 */
export function* reservePenalty(remote: string, user: string, now: number, expireMs: number, plan: (s: PenaltyReservation) => number): Rule<PenaltyReservation> {
  const since = now - expireMs;
  const pair = (yield* one<{ failures: number; last_failure: number; attempts: number; next_at: number }>(
    `INSERT INTO auth_penalty (remote, user_key) VALUES (?, ?)
     ON CONFLICT (remote, user_key) DO UPDATE SET remote = excluded.remote
     RETURNING failures, last_failure, attempts, next_at`,
    remote,
    user,
  ))!;
  const failures = (yield* one<{ n: number }>('SELECT COALESCE(SUM(failures), 0) AS n FROM auth_penalty WHERE remote = ? AND last_failure >= ?', remote, since))!.n;
  const state = {
    addressFailures: failures,
    pairFailures: pair.last_failure >= since ? pair.failures : 0,
    pairAttempts: pair.next_at >= since ? pair.attempts : 0,
    pairNextAt: pair.next_at,
  };
  yield* exec('UPDATE auth_penalty SET attempts = ?, next_at = ? WHERE remote = ? AND user_key = ?', state.pairAttempts + 1, plan(state), remote, user);
  return state;
}

/** recordPenaltyFailure implements Store.recordPenaltyFailure. */
export function* recordPenaltyFailure(remote: string, user: string, now: number, expireMs: number): Rule<void> {
  yield* exec(
    `INSERT INTO auth_penalty AS p (remote, user_key, failures, last_failure) VALUES (?, ?, 1, ?)
     ON CONFLICT (remote, user_key) DO UPDATE SET
       failures = CASE WHEN p.last_failure >= ? THEN p.failures + 1 ELSE 1 END, last_failure = excluded.last_failure`,
    remote,
    user,
    now,
    now - expireMs,
  );
}

/** listPenalties implements Store.listPenalties. */
export function* listPenalties(now: number, expireMs: number): Rule<PenaltyEntry[]> {
  const rows = yield* many<{ remote: string; failures: number; last: number; names: number }>(
    `SELECT remote, SUM(failures) AS failures, MAX(last_failure) AS last, COUNT(*) AS names FROM auth_penalty
      WHERE last_failure >= ? AND failures > 0 GROUP BY remote ORDER BY failures DESC, remote`,
    now - expireMs,
  );
  return rows.map((r) => ({ remote: r.remote, failures: r.failures, lastFailure: r.last, names: r.names }));
}

/** clearPenalties implements Store.clearPenalties: the number of addresses cleared. */
export function* clearPenalties(remote: string | null): Rule<number> {
  const rows = remote === null
    ? yield* many<{ remote: string }>('DELETE FROM auth_penalty RETURNING remote')
    : yield* many<{ remote: string }>('DELETE FROM auth_penalty WHERE remote = ? RETURNING remote', remote);
  return new Set(rows.map((r) => r.remote)).size;
}

/** hasPenaltyPair tells whether the address and user name have a row (most successful logins have none). */
export function* hasPenaltyPair(remote: string, user: string): Rule<boolean> {
  return (yield* one('SELECT 1 FROM auth_penalty WHERE remote = ? AND user_key = ?', remote, user)) !== undefined;
}

/** clearPenaltyPair implements Store.clearPenaltyPair: the pair's row is deleted after a successful login. */
export function* clearPenaltyPair(remote: string, user: string): Rule<void> {
  yield* exec('DELETE FROM auth_penalty WHERE remote = ? AND user_key = ?', remote, user);
}

/** purgePenalties implements Store.purgePenalties: rows whose failures and reservations both ended before `before` (ms since epoch). */
export function* purgePenalties(before: number): Rule<void> {
  yield* exec('DELETE FROM auth_penalty WHERE last_failure < ? AND next_at < ?', before, before);
}
