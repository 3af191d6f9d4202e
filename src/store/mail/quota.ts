/**
 * Per-account quotas (RFC 9208): limits and usage live in the account's row. Every write that adds or
 * removes messages calls chargeUsage or releaseUsage inside its own transaction. Both update the account
 * row, which takes its row lock until commit (in SQLite the write transaction holds the database), so the
 * check and the update are atomic and concurrent appends from any session or node can never together
 * exceed a limit. Callers take that lock after the mailbox rows they lock (locks.ts).
 */
import { StoreError, type Quota, type QuotaDefaults, type QuotaLimit } from '../types.js';
import { checkCharge, encodeLimit, QUOTA_COLUMNS, RECOUNT_USAGE_SQL, toQuota, type QuotaRow } from '../quota-rules.js';
import type { Dialect } from './dialect.js';
import { exec, one, type Rule } from './rule.js';

function* readRow(sql: Dialect, accountId: number, lock = false): Rule<QuotaRow> {
  const row = yield* one<QuotaRow>(`SELECT ${QUOTA_COLUMNS} FROM accounts WHERE id = ?${lock ? sql.forNoKeyUpdate : ''}`, accountId);
  if (!row) throw new StoreError('NONEXISTENT', 'Account does not exist');
  return row;
}

/** getQuota returns the account's effective limits and usage. Throws NONEXISTENT. */
export function* getQuota(sql: Dialect, accountId: number, defaults: QuotaDefaults): Rule<Quota> {
  return toQuota(yield* readRow(sql, accountId), defaults);
}

/** setQuota sets the account's own limits (keys left out keep their value). Throws NONEXISTENT, CANNOT for a negative limit. */
export function* setQuota(sql: Dialect, accountId: number, limits: { storage?: QuotaLimit; messages?: QuotaLimit }): Rule<void> {
  const storage = limits.storage === undefined ? undefined : encodeLimit(limits.storage);
  const messages = limits.messages === undefined ? undefined : encodeLimit(limits.messages);
  const row = yield* readRow(sql, accountId, true);
  yield* exec(
    'UPDATE accounts SET quota_storage = ?, quota_messages = ? WHERE id = ?',
    storage === undefined ? row.quota_storage : storage,
    messages === undefined ? row.quota_messages : messages,
    accountId,
  );
}

/**
 * chargeUsage adds `octets` and `messages` to the account's usage, inside the caller's write transaction,
 * in one UPDATE ... RETURNING. Throws OVERQUOTA (permanent when the change alone exceeds the limit),
 * leaving the caller to roll the update back, when a resource that grows ends above its limit; a change
 * that does not grow a resource is never refused (RFC 9208 section 5: a MOVE or an expunge must work even
 * over quota). Throws NONEXISTENT.
 */
export function* chargeUsage(sql: Dialect, accountId: number, octets: number, messages: number, defaults: QuotaDefaults): Rule<void> {
  if (octets === 0 && messages === 0) return;
  const row = yield* one<QuotaRow>(
    `UPDATE accounts SET storage_used = ${sql.greatest}(0, storage_used + ?), messages_used = ${sql.greatest}(0, messages_used + ?)
      WHERE id = ? RETURNING ${QUOTA_COLUMNS}`,
    octets,
    messages,
    accountId,
  );
  if (!row) throw new StoreError('NONEXISTENT', 'Account does not exist');
  checkCharge(toQuota(row, defaults), octets, messages);
}

/** releaseUsage subtracts removed messages from the account's usage inside the caller's transaction; never refused. */
export function* releaseUsage(sql: Dialect, accountId: number, octets: number, messages: number): Rule<void> {
  if (octets === 0 && messages === 0) return;
  yield* exec(
    `UPDATE accounts SET storage_used = ${sql.greatest}(0, storage_used - ?), messages_used = ${sql.greatest}(0, messages_used - ?) WHERE id = ?`,
    octets,
    messages,
    accountId,
  );
}

/** recomputeQuota recounts the account's usage from its messages (repair after a bug or manual edits) and returns the quota. Throws NONEXISTENT. */
export function* recomputeQuota(sql: Dialect, accountId: number, defaults: QuotaDefaults): Rule<Quota> {
  // Lock first, count in the next statement: at READ COMMITTED that statement's snapshot then includes every
  // write that charged or released before us (they hold this lock until they commit), and later ones wait.
  yield* readRow(sql, accountId, true);
  yield* exec(`${RECOUNT_USAGE_SQL} WHERE id = ?`, accountId);
  return yield* getQuota(sql, accountId, defaults);
}
