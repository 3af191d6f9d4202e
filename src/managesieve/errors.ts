/**
 * ManageSieveError is how a command handler refuses: the dispatcher turns it into `NO (code) "text"`, or
 * `BYE` for one that ends the session (RFC 5804 section 1.2). Storage refusals map to response codes in one
 * place, fromStoreError. Only the dispatcher writes replies for errors.
 */
import { StoreError } from '../store/types.js';
import type { ResponseCode } from './wire.js';

/** ManageSieveError: the text of the NO reply, its response code, and whether it counts as a bad command (syntax, state: MAX_BAD_COMMANDS in a row end the session). */
export class ManageSieveError extends Error {
  constructor(
    text: string,
    readonly code: ResponseCode | null = null,
    readonly badCommand = false,
  ) {
    super(text);
    this.name = 'ManageSieveError';
  }
}

/** refuse is a NO for a request that is well formed but cannot be granted. */
export function refuse(text: string, code: ResponseCode | null = null): ManageSieveError {
  return new ManageSieveError(text, code);
}

/** bad is a NO for a command that is malformed or not valid in this state; it counts towards MAX_BAD_COMMANDS. */
export function bad(text: string): ManageSieveError {
  return new ManageSieveError(text, null, true);
}

/**
 * fromStoreError maps a storage refusal to a NO with its RFC 5804 section 1.3 response code: NONEXISTENT,
 * ALREADYEXISTS, INUSE -> ACTIVE (deleting the active script), OVERQUOTA -> QUOTA/MAXSIZE, LIMIT ->
 * QUOTA/MAXSCRIPTS; others without a code. The store's message is safe to show. Null for anything that is
 * not a StoreError (a server fault).
 */
export function fromStoreError(err: unknown): ManageSieveError | null {
  if (!(err instanceof StoreError)) return null;
  const codes: Partial<Record<StoreError['kind'], ResponseCode>> = {
    NONEXISTENT: 'NONEXISTENT',
    ALREADYEXISTS: 'ALREADYEXISTS',
    INUSE: 'ACTIVE',
    OVERQUOTA: 'QUOTA/MAXSIZE',
    LIMIT: 'QUOTA/MAXSCRIPTS',
  };
  return new ManageSieveError(err.message, codes[err.kind] ?? null);
}
