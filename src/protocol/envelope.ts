/**
 * The ENVELOPE structure (RFC 9051 section 7.5.2, grammar in section 9 `envelope`): its type, Envelope,
 * which src/mime builds from a message's header at delivery, and its encoding as ENVELOPE data. The
 * store keeps each body's ENVELOPE text as encodeEnvelope(env, false) gives it (storedEnvelopeText), so
 * FETCH ENVELOPE copies a string instead of parsing and encoding one per message.
 */
import { nstring as nstr } from './encoder.js';
import { hasRawOctets } from './octets.js';

/** EnvelopeAddress is an address as in RFC 9051 section 7.5.2 ENVELOPE: raw strings as found (RFC 2047 words NOT decoded), null for NIL. */
export interface EnvelopeAddress {
  name: string | null;
  /** Source route (obsolete), normally null. */
  adl: string | null;
  /** Local part; for a group start: the group name; null for a group end marker. */
  mailbox: string | null;
  /** Domain; null for group start/end markers. */
  host: string | null;
}

/** Envelope is ENVELOPE (RFC 9051 section 7.5.2): header values as raw unfolded strings, null for NIL. */
export interface Envelope {
  date: string | null;
  subject: string | null;
  from: EnvelopeAddress[] | null;
  sender: EnvelopeAddress[] | null;
  replyTo: EnvelopeAddress[] | null;
  to: EnvelopeAddress[] | null;
  cc: EnvelopeAddress[] | null;
  bcc: EnvelopeAddress[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

function addressList(list: EnvelopeAddress[] | null, utf8: boolean): string {
  if (!list || list.length === 0) return 'NIL';
  let out = '(';
  for (const a of list) {
    out += `(${nstr(a.name, utf8)} ${nstr(a.adl, utf8)} ${nstr(a.mailbox, utf8)} ${nstr(a.host, utf8)})`;
  }
  return out + ')';
}

/**
 * encodeEnvelope renders ENVELOPE data (RFC 9051 section 7.5.2 / section 9 `envelope`):
 * `(date subject from sender reply-to to cc bcc in-reply-to message-id)`. Absent or empty Sender and
 * Reply-To are sent as the From list, as the RFC requires of the server. Strings become quoted strings,
 * or literals when they hold CR/LF or 8-bit text and `utf8` (IMAP4rev2 / UTF8=ACCEPT) is false.
 */
export function encodeEnvelope(env: Envelope, utf8 = false): string {
  const from = env.from && env.from.length > 0 ? env.from : null;
  const sender = env.sender && env.sender.length > 0 ? env.sender : from;
  const replyTo = env.replyTo && env.replyTo.length > 0 ? env.replyTo : from;
  return (
    '(' +
    [
      nstr(env.date, utf8),
      nstr(env.subject, utf8),
      addressList(from, utf8),
      addressList(sender, utf8),
      addressList(replyTo, utf8),
      addressList(env.to, utf8),
      addressList(env.cc, utf8),
      addressList(env.bcc, utf8),
      nstr(env.inReplyTo, utf8),
      nstr(env.messageId, utf8),
    ].join(' ') +
    ')'
  );
}


/**
 * storedEnvelopeText is the ENVELOPE text a store keeps for a body: encodeEnvelope(env, false), or null when
 * it would hold a NUL character (in a literal), which a PostgreSQL text column cannot hold, or raw octets
 * (octets.ts), which no text column keeps; the reader then encodes the stored Envelope instead.
 */
export function storedEnvelopeText(env: Envelope): string | null {
  const text = encodeEnvelope(env, false);
  return text.includes('\0') || hasRawOctets(text) ? null : text;
}

/**
 * envelopeText returns ENVELOPE data for a session: the stored text when it can serve as it is (it has no
 * 8-bit text, or the session is not `utf8`, which is the form it was stored in), else encodeEnvelope of the
 * envelope `parsed` gives. `stored` null means no text was stored.
 */
export function envelopeText(stored: string | null, utf8: boolean, parsed: () => Envelope): string {
  if (stored !== null && (!utf8 || isAscii(stored))) return stored;
  return encodeEnvelope(parsed(), utf8);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}
