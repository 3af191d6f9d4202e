/**
 * The LMTP transaction (RFC 2033): RCPT TO resolves each recipient to an account at once (550 5.1.1
 * for an unknown user), DATA reads the message with a cap, and each accepted recipient gets its own copy
 * (with its own Return-Path and Delivered-To), filed as that recipient's active Sieve script says
 * (delivery/sieve.ts; without one, into INBOX or +folder), and its own reply: 550 5.7.1 when the script
 * rejects it (reject and ereject, RFC 5429 section 2.1.1).
 */
import type { Logger } from 'pino';
import type { SMTPServerAddress, SMTPServerDataStream, SMTPServerSession, SMTPServerDataResult } from 'smtp-server';
import { resolveRecipient, type Recipient } from '../delivery/recipient.js';
import { deliverWithSieve, type SieveDelivery } from '../delivery/sieve.js';
import type { Metrics } from '../metrics/metrics.js';
import { NO_METRICS } from '../metrics/metrics.js';
import { toCrlf } from '../mime/crlf.js';
import { StoreError, type Store } from '../store/types.js';
import { deliveryFailure, sieveRejected, temporaryFailure, unknownUser } from './replies.js';

/** Recipients accepted in the current transaction, keyed by the address as given (smtp-server keeps one entry per address, case-insensitively). */
type Accepted = Map<string, Recipient>;

const accepted = new WeakMap<SMTPServerSession, Accepted>();

function acceptedOf(session: SMTPServerSession): Accepted {
  let map = accepted.get(session);
  if (!map) accepted.set(session, (map = new Map()));
  return map;
}

/** LmtpHandlers are the smtp-server callbacks of the LMTP listeners. */
export interface LmtpHandlers {
  onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void): void;
  onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void): void;
  onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string | SMTPServerDataResult[]) => void): void;
}

/**
 * lmtpHandlers builds the callbacks for `store`. `maxOctets` is the size limit also given to smtp-server
 * (which answers 552 5.3.4 per recipient past it): past it the data is read and dropped, never buffered.
 * `sieve` gives the relay Sieve sends through (null: none) and the script size limit.
 */
export function lmtpHandlers(
  store: Store,
  baseLog: Logger,
  maxOctets: number,
  metrics: Metrics = NO_METRICS,
  sieve: Pick<SieveDelivery, 'outgoing' | 'maxScriptOctets'> = { outgoing: null },
): LmtpHandlers {
  // Every line of one LMTP connection carries its session id and the client's address.
  const logOf = (session: SMTPServerSession): Logger => baseLog.child({ session: session.id, remote: session.remoteAddress || 'local socket' });
  return {
    onMailFrom(_address, session, callback) {
      // A new transaction: forget the recipients of the last one (smtp-server resets its envelope, not our map).
      accepted.delete(session);
      callback();
    },

    onRcptTo(address, session, callback) {
      const log = logOf(session);
      void (async () => {
        try {
          const recipient = await resolveRecipient(store, address.address);
          if (!recipient) {
            log.info({ rcpt: address.address }, 'LMTP: unknown recipient');
            metrics.lmtp('unknown_user');
            return callback(unknownUser(address.address));
          }
          acceptedOf(session).set(address.address.toLowerCase(), recipient);
          callback();
        } catch (err) {
          log.error({ err, rcpt: address.address }, 'LMTP: recipient lookup failed');
          callback(temporaryFailure(address.address));
        }
      })();
    },

    onData(stream, session, callback) {
      const log = logOf(session);
      void (async () => {
        const chunks: Buffer[] = [];
        let octets = 0;
        try {
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            octets += chunk.length;
            if (octets <= maxOctets) chunks.push(chunk);
            else chunks.length = 0;
          }
        } catch (err) {
          // Usually the client went away in the middle of DATA: one line saying whose mail it was, no stack.
          const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
          log.warn({ from, rcpt: session.envelope.rcptTo.map((r) => r.address), octets, reason: (err as Error).message }, 'LMTP: client disconnected during DATA; nothing delivered');
          return callback(new Error('error reading the message'));
        }
        // smtp-server answers 552 5.3.4 for every recipient itself (rejectOversized).
        if (stream.sizeExceeded || octets > maxOctets) {
          for (let i = 0; i < session.envelope.rcptTo.length; i++) metrics.lmtp('too_large');
          return callback(null, 'not delivered');
        }
        const body = toCrlf(Buffer.concat(chunks, octets));
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        const map = acceptedOf(session);
        const results: SMTPServerDataResult[] = [];
        for (const rcpt of session.envelope.rcptTo) {
          const recipient = map.get(rcpt.address.toLowerCase());
          if (!recipient) {
            results.push(unknownUser(rcpt.address));
            continue;
          }
          try {
            const ctx = { ...sieve, store, log };
            const trace = { returnPath: from, deliveredTo: rcpt.address };
            const outcome = await deliverWithSieve(ctx, recipient, { from, to: rcpt.address }, body, trace, { canRefuseReject: true });
            const fields = { from, rcpt: rcpt.address, account: recipient.account.email, octets: body.length, ...(outcome.script !== null && { script: outcome.script }) };
            if (outcome.kind === 'refused') {
              log.info({ ...fields, reason: outcome.reason }, 'LMTP: rejected by Sieve');
              metrics.lmtp('rejected');
              results.push(sieveRejected(outcome.reason));
              continue;
            }
            const [first] = outcome.copies;
            const stored = outcome.copies.length === 1 ? { mailbox: first!.mailbox, uid: first!.uid } : { mailboxes: outcome.copies.map((c) => c.mailbox) };
            log.info({ ...fields, ...stored, ...(outcome.script !== null && { disposition: outcome.disposition }) }, 'LMTP: delivered');
            metrics.lmtp('delivered');
            results.push(`<${rcpt.address}> ${outcome.disposition}`);
          } catch (err) {
            const { reply, unexpected } = deliveryFailure(err, rcpt.address);
            if (unexpected) log.error({ err, rcpt: rcpt.address }, 'LMTP: delivery failed');
            else log.info({ rcpt: rcpt.address, reply: reply.message, code: reply.responseCode }, 'LMTP: not delivered');
            metrics.lmtp(err instanceof StoreError && err.kind === 'OVERQUOTA' ? 'over_quota' : 'failed');
            results.push(reply);
          }
        }
        accepted.delete(session);
        callback(null, results);
      })();
    },
  };
}
