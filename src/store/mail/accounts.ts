/**
 * Accounts: creation with the default mailboxes (RFC 6154 special-use), lookup, password change, deletion
 * with all mail.
 */
import { StoreError, type Account } from '../types.js';
import { DEFAULT_MAILBOXES } from '../mailbox-names.js';
import type { Dialect } from './dialect.js';
import { insertMailbox } from './mailboxes.js';
import { changed, exec, many, one, type Rule } from './rule.js';
import { ACCOUNT_COLUMNS, type AccountRow } from './rows.js';

function toAccount(row: AccountRow): Account {
  return { id: row.id, email: row.email, passwordHash: row.password_hash, createdAt: row.created_at };
}

/** createAccount creates the account (email lower-cased) with DEFAULT_MAILBOXES, subscribed. Throws ALREADYEXISTS. */
export function* createAccount(sql: Dialect, email: string, passwordHash: string): Rule<Account> {
  // ON CONFLICT: two nodes creating the same account at once must give ALREADYEXISTS, not a unique violation.
  const row = yield* one<AccountRow>(
    `INSERT INTO accounts (email, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
    email.toLowerCase(),
    passwordHash,
    Date.now(),
  );
  if (!row) throw new StoreError('ALREADYEXISTS', 'Account already exists');
  for (const [name, specialUse] of DEFAULT_MAILBOXES) {
    yield* insertMailbox(sql, row.id, name, specialUse);
    yield* exec('INSERT INTO subscriptions (account_id, name) VALUES (?, ?)', row.id, name);
  }
  yield* changed(row.id, null);
  return toAccount(row);
}

/** getAccount looks an account up by email, case-insensitively; null if none. */
export function* getAccount(email: string): Rule<Account | null> {
  const row = yield* one<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE email = ?`, email.toLowerCase());
  return row ? toAccount(row) : null;
}

/** listAccounts returns every account, sorted by email. */
export function* listAccounts(): Rule<Account[]> {
  return (yield* many<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY email`)).map(toAccount);
}

/** setPasswordHash replaces the PHC password hash. Throws NONEXISTENT. */
export function* setPasswordHash(accountId: number, passwordHash: string): Rule<void> {
  if ((yield* exec('UPDATE accounts SET password_hash = ? WHERE id = ?', passwordHash, accountId)) === 0) {
    throw new StoreError('NONEXISTENT', 'Account does not exist');
  }
}

/** deleteAccount deletes the account and everything keyed by it. Throws NONEXISTENT. */
export function* deleteAccount(sql: Dialect, accountId: number): Rule<void> {
  if (!(yield* one(`SELECT 1 FROM accounts WHERE id = ?${sql.forUpdate}`, accountId))) throw new StoreError('NONEXISTENT', 'Account does not exist');
  yield* exec('DELETE FROM messages WHERE account_id = ?', accountId);
  yield* exec('DELETE FROM expunged WHERE account_id = ?', accountId);
  yield* sql.deleteAccountData(accountId);
  // Children before parents, so every foreign key holds at each step.
  for (const table of ['body_purge', 'search_text', 'envelopes', 'bodies', 'subscriptions', 'mailboxes', 'sieve_scripts', 'sieve_tracking']) {
    yield* exec(`DELETE FROM ${table} WHERE account_id = ?`, accountId);
  }
  yield* exec('DELETE FROM accounts WHERE id = ?', accountId);
  yield* changed(accountId, null);
}
