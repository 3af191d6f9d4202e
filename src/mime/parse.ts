/**
 * parseMessage: the one MIME entry point, run once per message when it is stored (APPEND, LMTP,
 * import), so that FETCH and SEARCH never re-parse (RFC 9051 sections 6.4.4, 6.4.5, 7.5.2).
 *
 * Imports (src/mime): packages for charsets and RFC 2047 (libs.ts), src/protocol (raw octets, the Envelope
 * type) and src/limits.ts only; never imap/, pop3/, lmtp/, store/ or delivery/ (eslint.config.js holds it).
 */
import type { Envelope, MimePart, ParsedMessage } from './types.js';
import type { HeaderField } from './header.js';
import { parseStructure } from './structure.js';
import { buildEnvelope } from './envelope.js';
import { buildSearchText } from './search-text.js';
import { parseSentDate } from './sent-date.js';
import { countLines, findBlankLine } from './bytes.js';

const EMPTY_ENVELOPE: Envelope = {
  date: null, subject: null, from: null, sender: null, replyTo: null,
  to: null, cc: null, bcc: null, inReplyTo: null, messageId: null,
};

/** fallbackStructure is a single text/plain leaf, used only if the structure parser has a bug. */
function fallbackStructure(raw: Buffer): MimePart {
  let headerEnd = raw.length;
  try {
    const blank = findBlankLine(raw, 0, raw.length);
    if (blank !== -1) headerEnd = blank;
  } catch {
    // keep the whole message as header
  }
  return {
    headerStart: 0, headerEnd, bodyStart: headerEnd, bodyEnd: raw.length,
    bodyLines: countLines(raw, headerEnd, raw.length), type: 'text', subtype: 'plain', params: [],
    id: null, description: null, encoding: null, md5: null, disposition: null, language: null,
    location: null, parts: [], message: null, envelope: null,
  };
}

/**
 * parseMessage parses a whole message (RFC 5322 + MIME) into its body structure with exact byte
 * offsets into `raw`, its ENVELOPE, its Date in ms since the epoch (null when absent or unparseable)
 * and its search text. `raw` should already be CRLF (see toCrlf), but bare LF and mixed line ends
 * are handled: offsets then still slice `raw` exactly. Never throws, on any input: each stage that
 * fails falls back (single text/plain leaf, all-NIL envelope, empty search text).
 */
export function parseMessage(raw: Buffer): ParsedMessage {
  let structure: MimePart;
  let fields = new Map<MimePart, HeaderField[]>();
  try {
    const parsed = parseStructure(raw);
    structure = parsed.root;
    fields = parsed.partFields;
  } catch {
    structure = fallbackStructure(raw);
  }
  let envelope = EMPTY_ENVELOPE;
  try {
    envelope = buildEnvelope(fields.get(structure) ?? []);
  } catch {
    envelope = { ...EMPTY_ENVELOPE };
  }
  let searchText = { headers: '', body: '' };
  try {
    searchText = buildSearchText(raw, structure, fields);
  } catch {
    // search text is best effort; the message is still stored and fetchable
  }
  return { structure, envelope: { ...envelope }, sentDate: parseSentDate(envelope.date), searchText };
}
