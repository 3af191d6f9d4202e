/**
 * Accounts: creation with the default mailboxes (RFC 6154 special-use), lookup, password change, deletion
 * with all mail.
 */
import { StoreError, type Account } from '../types.js';
import { DEFAULT_MAILBOXES } from '../mailbox-names.js';
import type { BlobStore } from '../blobs.js';
import type { Db, Tx } from './db.js';
import { insertMailbox } from './mailboxes.js';
import { ACCOUNT_COLUMNS, type AccountRow } from './schema.js';

export { DEFAULT_MAILBOXES };

function toAccount(row: AccountRow): Account {
  return { id: row.id, email: row.email, passwordHash: row.password_hash, createdAt: row.created_at };
}

/** createAccount creates the account (email lower-cased) with DEFAULT_MAILBOXES, subscribed, in one transaction. Throws ALREADYEXISTS. */
export async function createAccount(db: Db, email: string, passwordHash: string): Promise<Account> {
  const normalized = email.toLowerCase();
  return db.write(async (tx) => {
    // ON CONFLICT: two nodes creating the same account at once must give ALREADYEXISTS, not a unique violation.
    const row = await tx.get<AccountRow>(
      `INSERT INTO accounts (email, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
      normalized,
      passwordHash,
      Date.now(),
    );
    if (!row) throw new StoreError('ALREADYEXISTS', 'Account already exists');
    for (const [name, specialUse] of DEFAULT_MAILBOXES) {
      await insertMailbox(tx, row.id, name, specialUse);
      await tx.run('INSERT INTO subscriptions (account_id, name) VALUES (?, ?)', row.id, name);
    }
    tx.notify(row.id, null);
    return toAccount(row);
  });
}

/** getAccount looks an account up by email, case-insensitively; null if none. */
export async function getAccount(db: Db, email: string): Promise<Account | null> {
  const row = await db.get<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE email = ?`, email.toLowerCase());
  return row ? toAccount(row) : null;
}

/** listAccounts returns every account, sorted by email. */
export async function listAccounts(db: Db): Promise<Account[]> {
  return (await db.all<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY email`)).map(toAccount);
}

/** setPasswordHash replaces the PHC password hash. Throws NONEXISTENT. */
export async function setPasswordHash(db: Db, accountId: number, passwordHash: string): Promise<void> {
  if ((await db.run('UPDATE accounts SET password_hash = ? WHERE id = ?', passwordHash, accountId)) === 0) {
    throw new StoreError('NONEXISTENT', 'Account does not exist');
  }
}

/** lockAccount takes the account row's lock for the rest of the transaction (its counters, its bodies). Throws NONEXISTENT. */
export async function lockAccount(tx: Tx, accountId: number): Promise<void> {
  if (!(await tx.get('SELECT 1 FROM accounts WHERE id = ? FOR NO KEY UPDATE', accountId))) {
    throw new StoreError('NONEXISTENT', 'Account does not exist');
  }
}

/** deleteAccount deletes the account and everything keyed by it, in one transaction. Throws NONEXISTENT. */
export async function deleteAccount(db: Db, blobs: BlobStore<Tx>, accountId: number): Promise<void> {
  await db.write(async (tx) => {
    if (!(await tx.get('SELECT 1 FROM accounts WHERE id = ? FOR UPDATE', accountId))) throw new StoreError('NONEXISTENT', 'Account does not exist');
    // Children before parents, so every foreign key holds at each step.
    for (const table of ['messages', 'expunged', 'search_index', 'search_text', 'envelopes', 'bodies', 'subscriptions', 'mailboxes']) {
      await tx.run(`DELETE FROM ${table} WHERE account_id = ?`, accountId);
    }
    await blobs.removeAccount(tx, accountId);
    await tx.run('DELETE FROM accounts WHERE id = ?', accountId);
    tx.notify(accountId, null);
  });
}
