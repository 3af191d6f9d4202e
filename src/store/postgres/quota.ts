/**
 * Per-account quotas (RFC 9208): limits and usage live in the account's row, as in SQLite. Every write that
 * adds or removes messages calls chargeUsage or releaseUsage inside its own transaction. Both update the
 * account row, which takes its row lock (the same lock as lockAccount) until COMMIT, so the check and the
 * update are atomic and concurrent appends from any number of nodes can never together exceed a limit.
 * Callers take that lock after the mailbox rows they lock (the backend's lock order: mailbox, then account).
 */
import { StoreError, type Quota, type QuotaDefaults, type QuotaLimit } from '../types.js';
import { checkCharge, encodeLimit, QUOTA_COLUMNS, RECOUNT_USAGE_SQL, toQuota, type QuotaRow } from '../quota-rules.js';
import type { Db, Q, Tx } from './db.js';

async function readRow(q: Q, accountId: number, lock = false): Promise<QuotaRow> {
  const row = await q.get<QuotaRow>(`SELECT ${QUOTA_COLUMNS} FROM accounts WHERE id = ?${lock ? ' FOR NO KEY UPDATE' : ''}`, accountId);
  if (!row) throw new StoreError('NONEXISTENT', 'Account does not exist');
  return row;
}

/** getQuota returns the account's effective limits and usage. Throws NONEXISTENT. */
export async function getQuota(q: Q, accountId: number, defaults: QuotaDefaults): Promise<Quota> {
  return toQuota(await readRow(q, accountId), defaults);
}

/** setQuota sets the account's own limits (keys left out keep their value). Throws NONEXISTENT, CANNOT for a negative limit. */
export async function setQuota(db: Db, accountId: number, limits: { storage?: QuotaLimit; messages?: QuotaLimit }): Promise<void> {
  const storage = limits.storage === undefined ? undefined : encodeLimit(limits.storage);
  const messages = limits.messages === undefined ? undefined : encodeLimit(limits.messages);
  await db.write(async (tx) => {
    const row = await readRow(tx, accountId, true);
    await tx.run(
      'UPDATE accounts SET quota_storage = ?, quota_messages = ? WHERE id = ?',
      storage === undefined ? row.quota_storage : storage,
      messages === undefined ? row.quota_messages : messages,
      accountId,
    );
  });
}

/**
 * chargeUsage adds `octets` and `messages` (negative to release) to the account's usage, inside the caller's
 * write transaction, in one UPDATE ... RETURNING: the row lock it takes is held until the transaction ends,
 * so no other transaction can charge in between. Throws OVERQUOTA (permanent when the change alone exceeds
 * the limit), leaving the caller to roll the update back, when a resource that grows ends above its limit;
 * a change that does not grow a resource is never refused (RFC 9208 section 5: a MOVE or an expunge must
 * work even over quota). Throws NONEXISTENT.
 */
export async function chargeUsage(tx: Tx, accountId: number, octets: number, messages: number, defaults: QuotaDefaults): Promise<void> {
  if (octets === 0 && messages === 0) return;
  const row = await tx.get<QuotaRow>(
    `UPDATE accounts SET storage_used = GREATEST(0, storage_used + ?), messages_used = GREATEST(0, messages_used + ?)
      WHERE id = ? RETURNING ${QUOTA_COLUMNS}`,
    octets,
    messages,
    accountId,
  );
  if (!row) throw new StoreError('NONEXISTENT', 'Account does not exist');
  checkCharge(toQuota(row, defaults), octets, messages);
}

/** releaseUsage subtracts removed messages from the account's usage inside the caller's transaction; never refused. */
export async function releaseUsage(tx: Tx, accountId: number, octets: number, messages: number): Promise<void> {
  if (octets === 0 && messages === 0) return;
  await tx.run(
    'UPDATE accounts SET storage_used = GREATEST(0, storage_used - ?), messages_used = GREATEST(0, messages_used - ?) WHERE id = ?',
    octets,
    messages,
    accountId,
  );
}

/**
 * recomputeQuota recounts the account's usage from its messages (repair after a bug or manual edits) and
 * returns the quota. Throws NONEXISTENT.
 */
export async function recomputeQuota(db: Db, accountId: number, defaults: QuotaDefaults): Promise<Quota> {
  return db.write(async (tx) => {
    // Lock first, count in the next statement: at READ COMMITTED that statement's snapshot then includes every
    // write that charged or released before us (they hold this lock until they commit), and later ones wait.
    await readRow(tx, accountId, true);
    await tx.run(`${RECOUNT_USAGE_SQL} WHERE id = ?`, accountId);
    return getQuota(tx, accountId, defaults);
  });
}
