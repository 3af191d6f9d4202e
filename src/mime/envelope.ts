/**
 * ENVELOPE (RFC 9051 section 7.5.2) from a message's header fields.
 */
import type { Envelope } from './types.js';
import type { HeaderField } from './header.js';
import { firstField } from './header.js';
import { bytesText } from './bytes.js';
import { parseAddressList } from './address.js';

/**
 * buildEnvelope returns the ENVELOPE of a message from its parsed header fields (first occurrence of
 * each field wins). Strings are the raw unfolded values, not RFC 2047 decoded; 8-bit bytes are read as
 * UTF-8 when valid, else latin1 (so no byte is lost). Absent fields are null; a present empty field is
 * "". Sender and Reply-To default to From when absent or holding no address, as section 7.5.2 asks.
 */
export function buildEnvelope(fields: HeaderField[]): Envelope {
  const text = (key: string): string | null => {
    const v = firstField(fields, key);
    return v === null ? null : bytesText(v, 'latin1');
  };
  const from = parseAddressList(text('from'));
  return {
    date: text('date'),
    subject: text('subject'),
    from,
    sender: parseAddressList(text('sender')) ?? from,
    replyTo: parseAddressList(text('reply-to')) ?? from,
    to: parseAddressList(text('to')),
    cc: parseAddressList(text('cc')),
    bcc: parseAddressList(text('bcc')),
    inReplyTo: text('in-reply-to'),
    messageId: text('message-id'),
  };
}
