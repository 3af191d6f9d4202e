/**
 * The errors of the storage interface (types.ts, which exports them too): StoreError for a refused
 * operation, whose kind the IMAP layer maps to a response code; StorageUnavailableError and StoreOpenError
 * for a database that cannot be reached or used.
 *
 * Imports: nothing.
 */

/** StoreErrorKind names a refusal; the IMAP layer maps each to a response code in one place. */
export type StoreErrorKind =
  | 'NONEXISTENT' // mailbox or account does not exist
  | 'ALREADYEXISTS' // mailbox or account already exists
  | 'TRYCREATE' // target mailbox of APPEND/COPY/MOVE does not exist
  | 'CANNOT' // operation not allowed (delete INBOX, rename to a child of itself, ...)
  | 'OVERQUOTA'
  | 'INUSE'
  | 'LIMIT'
  | 'HASCHILDREN' // DELETE of a name that is only a level of the hierarchy (RFC 9051 section 6.3.5)
  | 'USEATTR'; // a special-use attribute a mailbox cannot have (RFC 6154 section 3)

/** StoreError is a refused storage operation; `message` is safe to show to the client. */
export class StoreError extends Error {
  /**
   * permanent is true when retrying cannot help (OVERQUOTA because the message alone is larger than the
   * limit), so delivery answers 552 5.2.2 instead of 452 4.2.2 (RFC 2033, RFC 3463 section 3.3).
   */
  readonly permanent: boolean;

  constructor(readonly kind: StoreErrorKind, message: string, opts: { permanent?: boolean } = {}) {
    super(message);
    this.name = 'StoreError';
    this.permanent = opts.permanent ?? false;
  }
}

/** StorageUnavailableError is a database that cannot be reached or logged into; its message names it (without the password). */
export class StorageUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageUnavailableError';
  }
}

/**
 * StoreOpenError is a database file that cannot be used: `damaged` (not a SQLite database, or corrupt:
 * restore a backup) or `access` (the process may not read or write it, or its directory). The message names the file.
 */
export class StoreOpenError extends Error {
  constructor(
    readonly reason: 'damaged' | 'access',
    message: string,
  ) {
    super(message);
    this.name = 'StoreOpenError';
  }
}
