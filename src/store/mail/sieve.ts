/**
 * Sieve scripts (RFC 5228) as ManageSieve keeps them (RFC 5804): each account has any number of named
 * scripts, at most one of them active (the one delivery runs); and the tracking keys of the vacation
 * (RFC 5230 section 4.2) and duplicate (RFC 7352) extensions, each with an expiry. Tables sieve_scripts and
 * sieve_tracking, keyed by account first. Whether a script compiles is not the store's business (the
 * ManageSieve server and the CLI compile before they store); what a name may be and the per-account
 * limits are, so every way in keeps them.
 */
import { StoreError, type SieveScriptInfo, type SieveScriptLimits } from '../types.js';
import { scriptNameProblem } from '../sieve-names.js';
import type { Dialect } from './dialect.js';
import { exec, many, one, type Rule } from './rule.js';

function requireName(name: string): void {
  const problem = scriptNameProblem(name);
  if (problem) throw new StoreError('CANNOT', `Invalid script name: ${problem}.`);
}

/** lockAccount takes the account row's lock (the per-account counts and the one active script are checked under it). Throws NONEXISTENT. */
function* lockAccount(sql: Dialect, accountId: number): Rule<void> {
  if (!(yield* one(`SELECT 1 FROM accounts WHERE id = ?${sql.forNoKeyUpdate}`, accountId))) throw new StoreError('NONEXISTENT', 'Account does not exist');
}

/** listSieveScripts implements Store.listSieveScripts: by name (bytewise). */
export function* listSieveScripts(accountId: number): Rule<SieveScriptInfo[]> {
  const rows = yield* many<{ name: string; active: number | boolean; octets: number }>(
    'SELECT name, active, octets FROM sieve_scripts WHERE account_id = ? ORDER BY name',
    accountId,
  );
  return rows.map((r) => ({ name: r.name, active: Boolean(r.active), octets: Number(r.octets) }));
}

/** getSieveScript implements Store.getSieveScript. */
export function* getSieveScript(accountId: number, name: string): Rule<string | null> {
  const row = yield* one<{ source: string }>('SELECT source FROM sieve_scripts WHERE account_id = ? AND name = ?', accountId, name);
  return row?.source ?? null;
}

/** getActiveSieveScript implements Store.getActiveSieveScript. */
export function* getActiveSieveScript(accountId: number): Rule<{ name: string; source: string } | null> {
  const row = yield* one<{ name: string; source: string }>('SELECT name, source FROM sieve_scripts WHERE account_id = ? AND active', accountId);
  return row ? { name: row.name, source: row.source } : null;
}

/**
 * putSieveScript implements Store.putSieveScript: replaces the script's source (keeping whether it is
 * active) or adds a new inactive script. Throws CANNOT (name, NUL), OVERQUOTA (too large), LIMIT (too many), NONEXISTENT (account).
 */
export function* putSieveScript(sql: Dialect, accountId: number, name: string, source: string, limits: SieveScriptLimits, now: number): Rule<void> {
  requireName(name);
  // PostgreSQL text cannot hold NUL, and RFC 5228 section 2.1 scripts are text: refuse rather than change the bytes.
  if (source.includes('\0')) throw new StoreError('CANNOT', 'A script cannot contain a NUL character.');
  const octets = Buffer.byteLength(source);
  if (octets > limits.maxOctets) throw new StoreError('OVERQUOTA', `Script is larger than ${limits.maxOctets} octets.`, { permanent: true });
  yield* lockAccount(sql, accountId);
  const updated = yield* exec('UPDATE sieve_scripts SET source = ?, octets = ?, updated_at = ? WHERE account_id = ? AND name = ?', source, octets, now, accountId, name);
  if (updated > 0) return;
  const count = (yield* one<{ n: number }>('SELECT COUNT(*) AS n FROM sieve_scripts WHERE account_id = ?', accountId))!.n;
  if (Number(count) >= limits.maxScripts) throw new StoreError('LIMIT', `Too many scripts: at most ${limits.maxScripts}.`, { permanent: true });
  yield* exec('INSERT INTO sieve_scripts (account_id, name, source, octets, active, updated_at) VALUES (?, ?, ?, ?, FALSE, ?)', accountId, name, source, octets, now);
}

/** setActiveSieveScript implements Store.setActiveSieveScript. Throws NONEXISTENT (script or account). */
export function* setActiveSieveScript(sql: Dialect, accountId: number, name: string | null): Rule<void> {
  yield* lockAccount(sql, accountId);
  if (name !== null && !(yield* one('SELECT 1 FROM sieve_scripts WHERE account_id = ? AND name = ?', accountId, name))) {
    throw new StoreError('NONEXISTENT', 'There is no script by that name.');
  }
  // Two statements: the unique index on the active script is checked row by row in PostgreSQL.
  yield* exec('UPDATE sieve_scripts SET active = FALSE WHERE account_id = ? AND active', accountId);
  if (name !== null) yield* exec('UPDATE sieve_scripts SET active = TRUE WHERE account_id = ? AND name = ?', accountId, name);
}

/** deleteSieveScript implements Store.deleteSieveScript. Throws NONEXISTENT, INUSE for the active script (RFC 5804 section 2.10). */
export function* deleteSieveScript(sql: Dialect, accountId: number, name: string): Rule<void> {
  yield* lockAccount(sql, accountId);
  const row = yield* one<{ active: number | boolean }>('SELECT active FROM sieve_scripts WHERE account_id = ? AND name = ?', accountId, name);
  if (!row) throw new StoreError('NONEXISTENT', 'There is no script by that name.');
  if (row.active) throw new StoreError('INUSE', 'You may not delete the active script.');
  yield* exec('DELETE FROM sieve_scripts WHERE account_id = ? AND name = ?', accountId, name);
}

/** renameSieveScript implements Store.renameSieveScript: the script keeps its source and whether it is active (RFC 5804 section 2.11.1). */
export function* renameSieveScript(sql: Dialect, accountId: number, from: string, to: string): Rule<void> {
  requireName(to);
  yield* lockAccount(sql, accountId);
  if (!(yield* one('SELECT 1 FROM sieve_scripts WHERE account_id = ? AND name = ?', accountId, from))) {
    throw new StoreError('NONEXISTENT', 'There is no script by that name.');
  }
  if (yield* one('SELECT 1 FROM sieve_scripts WHERE account_id = ? AND name = ?', accountId, to)) {
    throw new StoreError('ALREADYEXISTS', 'A script with that name already exists.');
  }
  yield* exec('UPDATE sieve_scripts SET name = ? WHERE account_id = ? AND name = ?', to, accountId, from);
}

/** sieveSeen implements Store.sieveSeen: a row with `key` whose expiry is after `now` (ms since epoch). */
export function* sieveSeen(accountId: number, key: string, now: number): Rule<boolean> {
  return (yield* one('SELECT 1 FROM sieve_tracking WHERE account_id = ? AND key = ? AND expires_at > ?', accountId, key, now)) !== undefined;
}

/**
 * sieveRecord implements Store.sieveRecord: upserts `key` with `expiresAt`, then deletes the account's
 * other rows that expired by `now` (so the table holds only live keys, without a housekeeping job).
 */
export function* sieveRecord(accountId: number, key: string, expiresAt: number, now: number): Rule<void> {
  yield* exec(
    `INSERT INTO sieve_tracking (account_id, key, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (account_id, key) DO UPDATE SET expires_at = excluded.expires_at`,
    accountId,
    key,
    expiresAt,
  );
  yield* exec('DELETE FROM sieve_tracking WHERE account_id = ? AND expires_at <= ? AND key <> ?', accountId, now, key);
}
