/**
 * Message flags as stored: the same encoding as the SQLite backend (system flags as a bit mask, keywords as
 * a space-separated string), which has no SQL in it; re-exported so the two backends keep one definition.
 */
export { SEEN, DELETED, SYSTEM_FLAGS, parseFlags, decodeFlags, encodeKeywords, applyFlags, sameFlags, type FlagSet } from '../sqlite/flags.js';
