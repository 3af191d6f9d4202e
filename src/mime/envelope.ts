/**
 * ENVELOPE (RFC 9051 section 7.5.2) from a message's header fields.
 */
import type { Envelope, EnvelopeAddress } from './types.js';
import type { HeaderField } from './header.js';
import { bytesText } from './bytes.js';
import { parseAddressList } from './address.js';

/**
 * buildEnvelope returns the ENVELOPE of a message from its parsed header fields. Strings are the raw
 * unfolded values, not RFC 2047 decoded; 8-bit bytes are read as UTF-8 when valid, else kept as raw
 * octets (protocol/octets.ts), so FETCH ENVELOPE sends the very bytes stored. Absent fields are null; a present empty field is "". Sender and Reply-To default to
 * From when absent or holding no address, as section 7.5.2 asks.
 *
 * RFC 5322 section 3.6 allows each of these fields at most once, so a message that repeats one is
 * malformed and no RFC says which occurrence counts. Letterbox reads such messages as Dovecot does, so
 * clients see the same ENVELOPE from both: the last Subject and Date, the first Message-ID and
 * In-Reply-To, and the addresses of every occurrence of an address field, in order.
 */
export function buildEnvelope(fields: HeaderField[]): Envelope {
  const values = (key: string): string[] => fields.filter((f) => f.key === key).map((f) => bytesText(f.value, 'raw'));
  const first = (key: string): string | null => values(key)[0] ?? null;
  const last = (key: string): string | null => values(key).at(-1) ?? null;
  const addresses = (key: string): EnvelopeAddress[] | null => {
    let out: EnvelopeAddress[] | null = null;
    for (const v of values(key)) {
      const list = parseAddressList(v);
      if (list !== null) out = out === null ? list : [...out, ...list];
    }
    return out;
  };
  const from = addresses('from');
  return {
    date: last('date'),
    subject: last('subject'),
    from,
    sender: addresses('sender') ?? from,
    replyTo: addresses('reply-to') ?? from,
    to: addresses('to'),
    cc: addresses('cc'),
    bcc: addresses('bcc'),
    inReplyTo: first('in-reply-to'),
    messageId: first('message-id'),
  };
}

/** messageIdOf is the Message-ID of ENVELOPE (buildEnvelope's messageId: the first field's raw unfolded value), or null without one. */
export function messageIdOf(fields: HeaderField[]): string | null {
  const f = fields.find((x) => x.key === 'message-id');
  return f ? bytesText(f.value, 'raw') : null;
}
