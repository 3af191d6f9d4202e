/**
 * Metrics as the layers report them: a small interface with a no-op implementation, so that the IMAP and
 * LMTP servers and the store count without knowing Prometheus, and a server without an admin port loads no
 * metrics library at all. prometheus.ts implements it with prom-client for GET /metrics.
 * Imports (src/metrics): nothing from src/ (eslint.config.js holds it).
 */

/** LoginResult is how a LOGIN or AUTHENTICATE ended. */
export type LoginResult = 'success' | 'failure';

/** LmtpResult is what became of one LMTP recipient: delivered, refused at RCPT (unknown user), or refused after DATA. */
export type LmtpResult = 'delivered' | 'unknown_user' | 'over_quota' | 'too_large' | 'rejected' | 'failed';

/** Metrics receives the events the server counts; every method is cheap and never throws. */
export interface Metrics {
  /** A LOGIN or AUTHENTICATE answered. */
  login(result: LoginResult): void;
  /** An IMAP command answered after `seconds` (its name as in the dispatch table, "UID " dropped). */
  command(name: string, seconds: number): void;
  /** One LMTP recipient's outcome. */
  lmtp(result: LmtpResult): void;
  /** A store commit took `seconds` and made `writes` writes durable with one fsync (SQLite's group commit). */
  commit(seconds: number, writes: number): void;
}

/** NO_METRICS counts nothing. */
export const NO_METRICS: Metrics = {
  login() {},
  command() {},
  lmtp() {},
  commit() {},
};
