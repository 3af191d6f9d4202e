/**
 * Per-account quotas (RFC 9208): limits and usage live in the account's row. Every write that adds or
 * removes messages calls chargeUsage inside its own transaction, so the check and the update are atomic
 * and concurrent appends (other sessions, other processes) can never together exceed a limit.
 */
import { StoreError, type Quota, type QuotaDefaults, type QuotaLimit } from '../types.js';
import { checkCharge, encodeLimit, QUOTA_COLUMNS, RECOUNT_USAGE_SQL, toQuota, type QuotaRow } from '../quota-rules.js';
import type { Db } from './db.js';

function readRow(db: Db, accountId: number): QuotaRow {
  const row = db.get<QuotaRow>(`SELECT ${QUOTA_COLUMNS} FROM accounts WHERE id = ?`, accountId);
  if (!row) throw new StoreError('NONEXISTENT', 'Account does not exist');
  return row;
}

/** getQuota returns the account's effective limits and usage. Throws NONEXISTENT. */
export function getQuota(db: Db, accountId: number, defaults: QuotaDefaults): Quota {
  return toQuota(readRow(db, accountId), defaults);
}

/** setQuota sets the account's own limits (keys left out keep their value). Throws NONEXISTENT, CANNOT for a negative limit. */
export function setQuota(db: Db, accountId: number, limits: { storage?: QuotaLimit; messages?: QuotaLimit }): void {
  db.write(() => {
    const row = readRow(db, accountId);
    const storage = limits.storage === undefined ? row.quota_storage : encodeLimit(limits.storage);
    const messages = limits.messages === undefined ? row.quota_messages : encodeLimit(limits.messages);
    db.run('UPDATE accounts SET quota_storage = ?, quota_messages = ? WHERE id = ?', storage, messages, accountId);
  });
}

/**
 * chargeUsage adds `octets` and `messages` (negative to release) to the account's usage, inside the caller's
 * write transaction. Throws OVERQUOTA, leaving the caller to roll back, when a resource that grows would end
 * above its limit; a change that does not grow a resource is never refused (RFC 9208 section 5: a MOVE or an
 * expunge must work even over quota).
 */
export function chargeUsage(db: Db, accountId: number, octets: number, messages: number, defaults: QuotaDefaults): void {
  if (octets === 0 && messages === 0) return;
  const q = getQuota(db, accountId, defaults);
  const storage = q.storageUsed + octets;
  const count = q.messagesUsed + messages;
  checkCharge({ ...q, storageUsed: storage, messagesUsed: count }, octets, messages);
  db.run('UPDATE accounts SET storage_used = ?, messages_used = ? WHERE id = ?', Math.max(0, storage), Math.max(0, count), accountId);
}

/** releaseUsage subtracts removed messages from the account's usage inside the caller's transaction; never refused. */
export function releaseUsage(db: Db, accountId: number, octets: number, messages: number): void {
  if (octets === 0 && messages === 0) return;
  db.run(
    'UPDATE accounts SET storage_used = MAX(0, storage_used - ?), messages_used = MAX(0, messages_used - ?) WHERE id = ?',
    octets,
    messages,
    accountId,
  );
}

/** recomputeQuota recounts the account's usage from its messages (repair after a crash-free bug or manual edits) and returns the quota. Throws NONEXISTENT. */
export function recomputeQuota(db: Db, accountId: number, defaults: QuotaDefaults): Quota {
  return db.write(() => {
    readRow(db, accountId);
    db.run(`${RECOUNT_USAGE_SQL} WHERE id = ?`, accountId);
    return getQuota(db, accountId, defaults);
  });
}
