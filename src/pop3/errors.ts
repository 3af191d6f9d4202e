/**
 * Pop3Error is how a POP3 command handler refuses: the dispatcher turns it into `-ERR [code] text`
 * (RFC 1939 section 3), with an extended response code of RFC 2449 section 8 (RESP-CODES) or RFC 3206
 * (AUTH, SYS/TEMP, SYS/PERM) where one applies. Only the dispatcher writes replies for errors.
 */
import { StoreError } from '../store/types.js';

/**
 * ResponseCode: IN-USE (RFC 2449 section 8.1.1), LOGIN-DELAY (section 8.1.2), SYS/TEMP and SYS/PERM (RFC
 * 3206 section 4: a temporary or permanent problem on the server's side), AUTH (RFC 3206 section 5: the
 * credentials, or how they were sent, are at fault).
 */
export type ResponseCode = 'IN-USE' | 'LOGIN-DELAY' | 'SYS/TEMP' | 'SYS/PERM' | 'AUTH';

/** Pop3Error: the text of the -ERR reply, its response code, and whether it counts as a bad command (syntax, state: MAX_BAD_COMMANDS in a row end the session). */
export class Pop3Error extends Error {
  constructor(
    text: string,
    readonly code: ResponseCode | null = null,
    readonly badCommand = false,
  ) {
    super(text);
    this.name = 'Pop3Error';
  }
}

/** refuse is a -ERR for a request that is well formed but cannot be granted (no such message, wrong password). */
export function refuse(text: string, code: ResponseCode | null = null): Pop3Error {
  return new Pop3Error(text, code);
}

/** bad is a -ERR for a command that is malformed or not valid now; it counts towards MAX_BAD_COMMANDS. */
export function bad(text: string): Pop3Error {
  return new Pop3Error(text, null, true);
}

/**
 * fromStoreError maps a storage refusal to a reply in one place: the store's message (safe to show) with
 * SYS/PERM, since nothing a POP3 client can retry changes it. Returns null for anything that is not a
 * StoreError (a server fault, answered SYS/TEMP by the dispatcher).
 */
export function fromStoreError(err: unknown): Pop3Error | null {
  if (!(err instanceof StoreError)) return null;
  return new Pop3Error(err.message, 'SYS/PERM');
}
