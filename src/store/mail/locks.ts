/**
 * Reading the rows that writes lock: a mailbox (UIDs and modseqs are allocated under its row's lock, so
 * writers on any node take turns) and an account (its counters, quota usage and bodies). The lock order of
 * every write is: mailbox rows in id order, then the account row. In SQLite the write transaction holds
 * the whole database and the lock suffixes are empty.
 */
import { StoreError, type StoreErrorKind } from '../types.js';
import type { Dialect } from './dialect.js';
import { one, type Rule } from './rule.js';
import { MAILBOX_COLUMNS, type MailboxRow } from './rows.js';

/**
 * mailboxById returns the mailbox `id` of the account, or undefined (also when it belongs to another
 * account); with `lock`, its row stays locked until the transaction ends.
 */
export function* mailboxById(sql: Dialect, accountId: number, id: number, lock = false): Rule<MailboxRow | undefined> {
  return yield* one<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? AND id = ?${lock ? sql.forUpdate : ''}`, accountId, id);
}

/** requireMailbox is mailboxById that throws StoreError `kind` (NONEXISTENT, or TRYCREATE for a target) when missing. */
export function* requireMailbox(sql: Dialect, accountId: number, id: number, kind: StoreErrorKind = 'NONEXISTENT', lock = false): Rule<MailboxRow> {
  const row = yield* mailboxById(sql, accountId, id, lock);
  if (!row) throw new StoreError(kind, kind === 'TRYCREATE' ? 'Target mailbox does not exist' : 'Mailbox does not exist');
  return row;
}

/** mailboxByName returns the mailbox with exactly this name, or undefined; `lock` as for mailboxById. */
export function* mailboxByName(sql: Dialect, accountId: number, name: string, lock = false): Rule<MailboxRow | undefined> {
  return yield* one<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? AND name = ?${lock ? sql.forUpdate : ''}`, accountId, name);
}

/** lockAccount takes the account row's lock for the rest of the transaction (its counters, its bodies). Throws NONEXISTENT. */
export function* lockAccount(sql: Dialect, accountId: number): Rule<void> {
  if (!(yield* one(`SELECT 1 FROM accounts WHERE id = ?${sql.forNoKeyUpdate}`, accountId))) {
    throw new StoreError('NONEXISTENT', 'Account does not exist');
  }
}

/**
 * lockPair locks the source and target mailbox rows in id order (two MOVEs in opposite directions must not
 * deadlock) and returns both, undefined where missing. Locking stops at a missing source, as it is an error.
 */
export function* lockPair(
  sql: Dialect,
  accountId: number,
  fromMailboxId: number,
  toMailboxId: number,
): Rule<{ src: MailboxRow | undefined; dst: MailboxRow | undefined }> {
  const out: { src: MailboxRow | undefined; dst: MailboxRow | undefined } = { src: undefined, dst: undefined };
  const ids = fromMailboxId === toMailboxId ? [fromMailboxId] : [Math.min(fromMailboxId, toMailboxId), Math.max(fromMailboxId, toMailboxId)];
  for (const id of ids) {
    const row = yield* mailboxById(sql, accountId, id, true);
    if (id === fromMailboxId) out.src = row;
    if (id === toMailboxId) out.dst = row;
    if (id === fromMailboxId && !row) break;
  }
  return out;
}

/** requirePair is lockPair that returns the target. Throws NONEXISTENT (source), TRYCREATE (target). */
export function* requirePair(sql: Dialect, accountId: number, fromMailboxId: number, toMailboxId: number): Rule<MailboxRow> {
  const { src, dst } = yield* lockPair(sql, accountId, fromMailboxId, toMailboxId);
  if (!src) throw new StoreError('NONEXISTENT', 'Mailbox does not exist');
  if (!dst) throw new StoreError('TRYCREATE', 'Target mailbox does not exist');
  return dst;
}
