/**
 * LMTP replies (RFC 2033 section 4.2) for what the delivery path reports, in one place. smtp-server
 * writes an Error's `responseCode` and adds the enhanced status code (RFC 3463) for it: 550 -> 5.1.1,
 * 452 -> 4.2.2, 552 -> 5.2.2, 451 -> 4.3.0; 552 5.3.4 for an oversized message comes from smtp-server
 * itself (rejectOversized).
 */
import { StoreError } from '../store/types.js';

/**
 * LmtpReply is an Error smtp-server sends as one reply line: `${responseCode} ${enhanced code} ${message}`.
 * With `enhancedCode` (RFC 3463, e.g. "5.7.1") the message starts with that code, and the listener
 * (server.ts, ownEnhancedCode) sends it instead of the one smtp-server derives from the reply code.
 */
export class LmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
    enhancedCode?: string,
  ) {
    super(enhancedCode === undefined ? message : `${enhancedCode} ${message}`);
    this.name = 'LmtpReply';
  }
}

/** ENHANCED_CODE matches a reply text that starts with its own enhanced status code (RFC 3463 section 2: class.subject.detail). */
export const ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3} /;

/**
 * sieveRejected is the reply for a recipient whose Sieve script rejected the message (reject or ereject,
 * RFC 5429 section 2.1.1): 550 5.7.1 ("delivery not authorized, message refused") with the script's
 * reason, line breaks made spaces.
 */
export function sieveRejected(reason: string): LmtpReply {
  const text = reason.replace(/\s+/g, ' ').trim();
  return new LmtpReply(550, text === '' ? 'rejected by the recipient\'s Sieve script' : text, '5.7.1');
}

/** unknownUser is the reply to RCPT TO for an address without an account: 550 5.1.1 (RFC 3463 "bad destination mailbox address"). */
export function unknownUser(address: string): LmtpReply {
  return new LmtpReply(550, `<${address}> no such user here`);
}

/** temporaryFailure is 451 4.3.0: something failed on our side (database busy, a bug); the MTA keeps the message and retries. */
export function temporaryFailure(address: string): LmtpReply {
  return new LmtpReply(451, `<${address}> temporary failure, try again later`);
}

/**
 * deliveryFailure maps an error from deliverLocal to the reply for that recipient:
 * - StoreError OVERQUOTA: 552 5.2.2 when the store says the message alone is larger than the quota
 *   (`permanent` on the error: retrying cannot help), else 452 4.2.2 (the mailbox may be emptied, retry);
 * - StoreError NONEXISTENT (the account was deleted after RCPT TO): 550 5.1.1;
 * - anything else: 451 4.3.0. `unexpected` tells the caller to log the error with its stack.
 */
export function deliveryFailure(err: unknown, address: string): { reply: LmtpReply; unexpected: boolean } {
  if (err instanceof StoreError && err.kind === 'OVERQUOTA') {
    const permanent = err.permanent;
    return { reply: new LmtpReply(permanent ? 552 : 452, `<${address}> mailbox is over quota`), unexpected: false };
  }
  if (err instanceof StoreError && err.kind === 'NONEXISTENT') return { reply: unknownUser(address), unexpected: false };
  return { reply: temporaryFailure(address), unexpected: !(err instanceof StoreError) };
}
