/**
 * prepareMessage turns message bytes into what the store keeps: the bytes, the body structure with
 * byte offsets, the envelope and the search text, computed once (parse once, serve slices forever).
 * Every path that adds mail (APPEND, import, LMTP delivery) goes through here.
 */
import { parseMessage } from '../mime/parse.js';
import type { ParsedMessage } from '../mime/types.js';
import type { NewMessage } from '../store/types.js';

/**
 * prepareMessage parses `raw` (stored exactly as given: callers convert bare LF to CRLF first where the
 * source needs it) and returns the NewMessage for Store.appendMessages.
 * @param flags system flags and keywords to set
 * @param internalDate ms since epoch (RFC 9051 section 2.3.3)
 * @param parsed parseMessage(raw) when the caller has it already (made on another thread)
 */
export function prepareMessage(raw: Buffer, flags: string[], internalDate: number, parsed: ParsedMessage = parseMessage(raw)): NewMessage {
  return {
    raw,
    flags,
    internalDate,
    structure: parsed.structure,
    envelope: parsed.envelope,
    sentDate: parsed.sentDate,
    searchText: parsed.searchText,
  };
}
