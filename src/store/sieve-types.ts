/**
 * The store's part for Sieve (RFC 5228): the scripts as ManageSieve keeps them (RFC 5804), and the tracking
 * of their runs (vacation, RFC 5230; duplicate, RFC 7352). Store (types.ts) extends SieveStore; these are
 * its methods and their shapes. Imports nothing.
 */

/** SieveScriptInfo is one Sieve script as LISTSCRIPTS shows it (RFC 5804 section 2.7): its name, whether it is the active one, and its source's size in octets (UTF-8). */
export interface SieveScriptInfo {
  name: string;
  active: boolean;
  octets: number;
}

/** SieveScriptLimits: the most scripts one account may keep, and the largest script source in octets (UTF-8); config managesieve.max_scripts and max_script_size. */
export interface SieveScriptLimits {
  maxScripts: number;
  maxOctets: number;
}

/** SieveStore: the Sieve methods of Store. Errors: StoreError (types.ts) for refusals. */
export interface SieveStore {
  /** The account's scripts, by name (bytewise); none is an empty list (also for an unknown account). */
  listSieveScripts(accountId: number): Promise<SieveScriptInfo[]>;
  /** The source of the account's script `name` (exact match), or null when there is none. */
  getSieveScript(accountId: number, name: string): Promise<string | null>;
  /** The account's active script (the one delivery runs; at most one), or null when none is active. */
  getActiveSieveScript(accountId: number): Promise<{ name: string; source: string } | null>;
  /**
   * Stores `source` as the script `name`: replaces the source of an existing script (which stays active if
   * it was; RFC 5804 section 2.6) or adds an inactive one. The caller has compiled it; the store checks
   * the name (RFC 5804 section 1.6: non-empty UTF-8, no control characters, at most 1024 octets) and the
   * limits. Throws CANNOT (invalid name, a NUL in the source), OVERQUOTA (permanent: the source is larger
   * than `limits.maxOctets`), LIMIT (permanent: a new script beyond `limits.maxScripts`), NONEXISTENT (account).
   */
  putSieveScript(accountId: number, name: string, source: string, limits: SieveScriptLimits): Promise<void>;
  /** Makes `name` the account's one active script, or (null) deactivates every script (RFC 5804 section 2.8). Throws NONEXISTENT. */
  setActiveSieveScript(accountId: number, name: string | null): Promise<void>;
  /** Deletes the script. Throws NONEXISTENT, INUSE when it is the active script (ManageSieve answers NO (ACTIVE), RFC 5804 section 2.10). */
  deleteSieveScript(accountId: number, name: string): Promise<void>;
  /**
   * Renames a script; it keeps its source and stays active if it was (RFC 5804 section 2.11.1). Throws
   * NONEXISTENT (`from`), ALREADYEXISTS (`to`), CANNOT (`to` is not a valid name).
   */
  renameSieveScript(accountId: number, from: string, to: string): Promise<void>;
  /**
   * Whether the account has a tracking row `key` (vacation's response tracking, RFC 5230 section 4.2;
   * duplicate's tracked values, RFC 7352) whose expiry is after `now` (ms since epoch).
   */
  sieveSeen(accountId: number, key: string, now: number): Promise<boolean>;
  /**
   * Records `key` until `expiresAt` (ms since epoch; an existing row gets the new expiry), and deletes the
   * account's other rows whose expiry has passed by the wall clock. Throws nothing for an unknown account
   * beyond the backend's foreign-key error (callers record for accounts they deliver to).
   */
  sieveRecord(accountId: number, key: string, expiresAt: number): Promise<void>;
}
