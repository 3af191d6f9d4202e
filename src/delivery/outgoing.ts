/**
 * Outgoing mail for Sieve (redirect, vacation, reject's MDN): one SMTP relay, config outgoing.smtp
 * (smtp:// or smtps:// URL). nodemailer is loaded with a dynamic import at the first send, so a
 * delivery that sends nothing (most of them, and every `letterbox deliver` without such a script) never
 * pays for it. The envelope is ours (RFC 5321 section 3.3): the null sender `<>` is sent as MAIL FROM:<>.
 */
import type { Transporter } from 'nodemailer';
import { OUTGOING_CONNECT_TIMEOUT_MS, OUTGOING_SOCKET_TIMEOUT_MS } from '../limits.js';

/** OutgoingEnvelope is the SMTP envelope of one outgoing message: `from` '' is the null sender <>. */
export interface OutgoingEnvelope {
  from: string;
  to: string;
}

/** Outgoing sends complete messages (CRLF, header and body as given) through the relay. */
export interface Outgoing {
  /** The relay's URL, for log lines (without any password). */
  readonly relay: string;
  /** send hands `raw` to the relay with `envelope`; rejects when the relay cannot be reached or refuses (the caller logs it). */
  send(envelope: OutgoingEnvelope, raw: Buffer): Promise<void>;
}

const transports = new Map<string, Promise<Transporter>>();

/** redact drops a password from a relay URL (smtp://user:secret@host -> smtp://user:***@host). */
function redact(url: string): string {
  return url.replace(/^(smtps?:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

function transportFor(url: string): Promise<Transporter> {
  let t = transports.get(url);
  if (!t) {
    t = import('nodemailer').then((m) =>
      m.default.createTransport({
        url,
        connectionTimeout: OUTGOING_CONNECT_TIMEOUT_MS,
        greetingTimeout: OUTGOING_CONNECT_TIMEOUT_MS,
        socketTimeout: OUTGOING_SOCKET_TIMEOUT_MS,
      } as Parameters<typeof m.default.createTransport>[0]),
    );
    // A failed load is not cached: the next send tries again.
    t.catch(() => transports.delete(url));
    transports.set(url, t);
  }
  return t;
}

/**
 * outgoingFor returns the Outgoing of relay URL `smtp` (config outgoing.smtp), or null when it is null
 * (the server sends no mail). Cheap: nothing is loaded or connected before the first send.
 */
export function outgoingFor(smtp: string | null): Outgoing | null {
  if (smtp === null) return null;
  return {
    relay: redact(smtp),
    async send(envelope, raw) {
      const transport = await transportFor(smtp);
      // An explicit envelope: nodemailer sends MAIL FROM:<> for '' and never reads addresses from the header.
      await transport.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw });
    },
  };
}
