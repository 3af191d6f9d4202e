/**
 * Migration of stored header text to raw octets (protocol/octets.ts), for both backends. Before it, 8-bit
 * header bytes that are not UTF-8 were stored as the ISO-8859-1 characters of those bytes, so FETCH
 * ENVELOPE and BODYSTRUCTURE sent them re-encoded as UTF-8. A body whose stored envelope or body structure
 * holds any non-ASCII character is parsed again from its bytes, which gives the same JSON for a header
 * that was UTF-8 and the raw octets for one that was not.
 */
import { parseMessage } from '../mime/parse.js';
import { storedEnvelopeText } from '../protocol/envelope.js';

/** mayHoldOctets tells whether a body's stored envelope or structure JSON may hold 8-bit header text (any non-ASCII). */
export function mayHoldOctets(envelopeJson: string, structureJson: string): boolean {
  // eslint-disable-next-line no-control-regex
  const nonAscii = /[^\x00-\x7f]/;
  return nonAscii.test(envelopeJson) || nonAscii.test(structureJson);
}

/** Reparsed is a body's envelope and structure as stored now (JSON) and its ENVELOPE text (null: none is stored). */
export interface Reparsed {
  envelope: string;
  structure: string;
  envelopeText: string | null;
}

/** reparse parses the message bytes `raw` again and returns what the store keeps of its header text. Never throws. */
export function reparse(raw: Buffer): Reparsed {
  const m = parseMessage(raw);
  return { envelope: JSON.stringify(m.envelope), structure: JSON.stringify(m.structure), envelopeText: storedEnvelopeText(m.envelope) };
}
