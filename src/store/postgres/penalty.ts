/**
 * The login penalty's rows (auth/penalty.ts) in PostgreSQL, shared by every node: table auth_penalty, one
 * row per address and user name tried, as in SQLite (sqlite/penalty.ts). Dialect SQL only.
 */
import type { PenaltyEntry, PenaltyReservation } from '../types.js';
import type { Db } from './db.js';

/** PENALTY_SCHEMA (migration 7): as SQLite's migration 8; times are ms since epoch. */
export const PENALTY_SCHEMA = `
CREATE TABLE IF NOT EXISTS auth_penalty (
  remote TEXT NOT NULL,
  user_key TEXT NOT NULL,
  failures BIGINT NOT NULL DEFAULT 0,
  last_failure BIGINT NOT NULL DEFAULT 0,
  attempts BIGINT NOT NULL DEFAULT 0,
  next_at BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (remote, user_key)
);
`;

/**
 * reservePenalty implements Store.reservePenalty: one upsert creates the pair's row if missing and locks it
 * either way, so attempts of one pair through several nodes at once are reserved one after the other (and
 * a success deleting the row meanwhile cannot leave this transaction without one).
 */
export async function reservePenalty(db: Db, remote: string, user: string, now: number, expireMs: number, plan: (s: PenaltyReservation) => number): Promise<PenaltyReservation> {
  const since = now - expireMs;
  return db.write(async (tx) => {
    const pair = (await tx.get<{ failures: number; last_failure: number; attempts: number; next_at: number }>(
      `INSERT INTO auth_penalty (remote, user_key) VALUES (?, ?)
       ON CONFLICT (remote, user_key) DO UPDATE SET remote = excluded.remote
       RETURNING failures, last_failure, attempts, next_at`,
      remote,
      user,
    ))!;
    const failures = (await tx.get<{ n: number }>('SELECT COALESCE(SUM(failures), 0) AS n FROM auth_penalty WHERE remote = ? AND last_failure >= ?', remote, since))!.n;
    const state = {
      addressFailures: failures,
      pairFailures: pair.last_failure >= since ? pair.failures : 0,
      pairAttempts: pair.next_at >= since ? pair.attempts : 0,
      pairNextAt: pair.next_at,
    };
    await tx.run('UPDATE auth_penalty SET attempts = ?, next_at = ? WHERE remote = ? AND user_key = ?', state.pairAttempts + 1, plan(state), remote, user);
    return state;
  });
}

/** recordPenaltyFailure implements Store.recordPenaltyFailure. */
export async function recordPenaltyFailure(db: Db, remote: string, user: string, now: number, expireMs: number): Promise<void> {
  await db.run(
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
export async function listPenalties(db: Db, now: number, expireMs: number): Promise<PenaltyEntry[]> {
  const rows = await db.all<{ remote: string; failures: number; last: number; names: number }>(
    `SELECT remote, SUM(failures) AS failures, MAX(last_failure) AS last, COUNT(*) AS names FROM auth_penalty
      WHERE last_failure >= ? AND failures > 0 GROUP BY remote ORDER BY failures DESC, remote`,
    now - expireMs,
  );
  return rows.map((r) => ({ remote: r.remote, failures: r.failures, lastFailure: r.last, names: r.names }));
}

/** clearPenalties implements Store.clearPenalties. */
export async function clearPenalties(db: Db, remote: string | null): Promise<number> {
  const rows = remote === null
    ? await db.all<{ remote: string }>('DELETE FROM auth_penalty RETURNING remote')
    : await db.all<{ remote: string }>('DELETE FROM auth_penalty WHERE remote = ? RETURNING remote', remote);
  return new Set(rows.map((r) => r.remote)).size;
}
