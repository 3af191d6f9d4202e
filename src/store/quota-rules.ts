/**
 * The quota rules both backends share (RFC 9208): how an account's own limits are stored beside the server
 * defaults, which limit is in force, and when a change of usage is refused. The backends keep the row and
 * the transaction (mail/quota.ts runs them in both); this is what they compute from it.
 */
import { StoreError, type Quota, type QuotaDefaults, type QuotaLimit } from './types.js';

/**
 * NO_LIMIT is how an account's own "no limit" is stored in quota_storage / quota_messages; NULL there
 * means "the server default".
 */
const NO_LIMIT = -1;

/** QuotaRow: the quota columns of an account row (limits as stored, usage in octets and messages). */
export interface QuotaRow {
  quota_storage: number | null;
  quota_messages: number | null;
  storage_used: number;
  messages_used: number;
}

/** QUOTA_COLUMNS selects a QuotaRow. */
export const QUOTA_COLUMNS = 'quota_storage, quota_messages, storage_used, messages_used';

/** RECOUNT_USAGE_SQL recounts usage of the accounts matched by its WHERE clause from their messages (one range read per account); the same SQL in both dialects. */
export const RECOUNT_USAGE_SQL = `UPDATE accounts SET
  storage_used = (SELECT COALESCE(SUM(size), 0) FROM messages m WHERE m.account_id = accounts.id),
  messages_used = (SELECT COUNT(*) FROM messages m WHERE m.account_id = accounts.id)`;

function effective(own: number | null, fallback: number | null): number | null {
  if (own === null) return fallback;
  return own === NO_LIMIT ? null : own;
}

/** toQuota gives the limits in force (the account's own, else the server default; null: no limit) and the usage. */
export function toQuota(row: QuotaRow, defaults: QuotaDefaults): Quota {
  return {
    storageLimit: effective(row.quota_storage, defaults.storage),
    messageLimit: effective(row.quota_messages, defaults.messages),
    storageUsed: row.storage_used,
    messagesUsed: row.messages_used,
  };
}

/** encodeLimit gives the stored form of a limit ('default' is NULL, no limit NO_LIMIT). Throws CANNOT for a negative or fractional limit. */
export function encodeLimit(limit: QuotaLimit): number | null {
  if (limit === 'default') return null;
  if (limit === null) return NO_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new StoreError('CANNOT', 'A quota limit must be a whole number >= 0');
  return limit;
}

/**
 * checkCharge throws OVERQUOTA when a change of `octets` and `messages` that grows a resource leaves `after`
 * (the usage with the change) above its limit; permanent when the change alone exceeds the limit. A change
 * that does not grow a resource is never refused (RFC 9208 section 5: a MOVE or an expunge must work even
 * over quota).
 */
export function checkCharge(after: Quota, octets: number, messages: number): void {
  if (octets > 0 && after.storageLimit !== null && after.storageUsed > after.storageLimit) {
    throw new StoreError('OVERQUOTA', 'Quota exceeded (mailbox storage is full)', { permanent: octets > after.storageLimit });
  }
  if (messages > 0 && after.messageLimit !== null && after.messagesUsed > after.messageLimit) {
    throw new StoreError('OVERQUOTA', 'Quota exceeded (too many messages)', { permanent: messages > after.messageLimit });
  }
}
