/**
 * The login penalty's rows (auth/penalty.ts) in SQLite: table auth_penalty, one row per address and user
 * name tried. Dialect SQL only; what the rows mean is decided in auth/penalty.ts.
 */
import type { PenaltyEntry, PenaltyReservation } from '../types.js';
import type { Db } from './db.js';

/** PENALTY_SCHEMA (migration 8): remote is the address key, user_key the name tried; times are ms since epoch. IF NOT EXISTS: a database taken back to an older version (the migration tests) may still have it. */
export const PENALTY_SCHEMA = `
CREATE TABLE IF NOT EXISTS auth_penalty (
  remote TEXT NOT NULL,
  user_key TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  last_failure INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (remote, user_key)
) WITHOUT ROWID;
`;

/** reservePenalty implements Store.reservePenalty; call it inside a write transaction. */
export function reservePenalty(db: Db, remote: string, user: string, now: number, expireMs: number, plan: (s: PenaltyReservation) => number): PenaltyReservation {
  const since = now - expireMs;
  const failures = db.get<{ n: number }>('SELECT COALESCE(SUM(failures), 0) AS n FROM auth_penalty WHERE remote = ? AND last_failure >= ?', remote, since)!.n;
  const pair = db.get<{ failures: number; last_failure: number; attempts: number; next_at: number }>(
    'SELECT failures, last_failure, attempts, next_at FROM auth_penalty WHERE remote = ? AND user_key = ?',
    remote,
    user,
  );
  const state = {
    addressFailures: failures,
    pairFailures: pair && pair.last_failure >= since ? pair.failures : 0,
    pairAttempts: pair && pair.next_at >= since ? pair.attempts : 0,
    pairNextAt: pair?.next_at ?? 0,
  };
  db.run(
    `INSERT INTO auth_penalty (remote, user_key, attempts, next_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (remote, user_key) DO UPDATE SET attempts = excluded.attempts, next_at = excluded.next_at`,
    remote,
    user,
    state.pairAttempts + 1,
    plan(state),
  );
  return state;
}

/** recordPenaltyFailure implements Store.recordPenaltyFailure; call it inside a write transaction. */
export function recordPenaltyFailure(db: Db, remote: string, user: string, now: number, expireMs: number): void {
  db.run(
    `INSERT INTO auth_penalty (remote, user_key, failures, last_failure) VALUES (?, ?, 1, ?)
     ON CONFLICT (remote, user_key) DO UPDATE SET
       failures = CASE WHEN last_failure >= ? THEN failures + 1 ELSE 1 END, last_failure = excluded.last_failure`,
    remote,
    user,
    now,
    now - expireMs,
  );
}

/** listPenalties implements Store.listPenalties. */
export function listPenalties(db: Db, now: number, expireMs: number): PenaltyEntry[] {
  return db
    .all<{ remote: string; failures: number; last: number; names: number }>(
      `SELECT remote, SUM(failures) AS failures, MAX(last_failure) AS last, COUNT(*) AS names FROM auth_penalty
        WHERE last_failure >= ? AND failures > 0 GROUP BY remote ORDER BY failures DESC, remote`,
      now - expireMs,
    )
    .map((r) => ({ remote: r.remote, failures: r.failures, lastFailure: r.last, names: r.names }));
}
