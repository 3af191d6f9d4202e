/**
 * ImapError is how a command handler refuses: the connection turns it into a tagged NO or BAD,
 * or an untagged BYE that closes the session (RFC 9051 section 7.1). Only the connection writes replies
 * for errors; handlers just throw.
 */
import { StorageUnavailableError, StoreError } from '../store/types.js';

/** ImapError: `status` of the tagged reply, optional response `code` (without brackets, e.g. "TRYCREATE"), and the human text. */
export class ImapError extends Error {
  constructor(
    readonly status: 'NO' | 'BAD' | 'BYE',
    readonly code: string | null,
    text: string,
  ) {
    super(text);
    this.name = 'ImapError';
  }
}

/** no is shorthand for a tagged NO with an optional response code. */
export function no(text: string, code: string | null = null): ImapError {
  return new ImapError('NO', code, text);
}

/** bad is shorthand for a tagged BAD with an optional response code. */
export function bad(text: string, code: string | null = null): ImapError {
  return new ImapError('BAD', code, text);
}

/**
 * fromStoreError maps storage refusals to IMAP response codes in one place (RFC 5530 response codes), and a
 * store that is unavailable for now (StorageUnavailableError: busy, or its database unreachable) to
 * NO [UNAVAILABLE], without the details (the server logs them). Returns null for anything else (a server fault).
 */
export function fromStoreError(err: unknown): ImapError | null {
  if (err instanceof StorageUnavailableError) return no('The mail store is unavailable right now; try again later.', 'UNAVAILABLE');
  if (!(err instanceof StoreError)) return null;
  switch (err.kind) {
    case 'NONEXISTENT':
      return no(err.message, 'NONEXISTENT');
    case 'TRYCREATE':
      return no(err.message, 'TRYCREATE');
    case 'ALREADYEXISTS':
      return no(err.message, 'ALREADYEXISTS');
    case 'CANNOT':
      return no(err.message, 'CANNOT');
    case 'OVERQUOTA':
      return no(err.message, 'OVERQUOTA');
    case 'INUSE':
      return no(err.message, 'INUSE');
    case 'LIMIT':
      return no(err.message, 'LIMIT');
    case 'HASCHILDREN':
      return no(err.message, 'HASCHILDREN');
    case 'USEATTR':
      return no(err.message, 'USEATTR');
  }
}
