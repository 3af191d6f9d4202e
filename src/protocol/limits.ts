/**
 * Every limit Letterbox enforces on what a client or a message can make it do, in one place, each with
 * the reason for it. Sizes are octets, durations milliseconds.
 */

/** Longest command line (excluding literals). RFC 7162 section 4 asks clients to keep lines under 8192 octets; servers should accept more, since UID sets can be long. */
export const MAX_LINE_OCTETS = 64 * 1024;

/** Largest literal, and so largest message accepted by APPEND (advertised as APPENDLIMIT, RFC 7889). Literals are held in memory up to this size. */
export const MAX_LITERAL_OCTETS = 64 * 1024 * 1024;

/** Largest non-synchronizing literal under LITERAL- (RFC 7888 section 4: 4096). */
export const MAX_NONSYNC_LITERAL_MINUS = 4096;

/** Total octets of literals in one command (MULTIAPPEND can carry several). */
export const MAX_COMMAND_OCTETS = 2 * MAX_LITERAL_OCTETS;

/** Literals per command: bounds MULTIAPPEND and pathological literal-per-token commands. */
export const MAX_LITERALS_PER_COMMAND = 1000;

/** Nesting depth of parenthesised lists (SEARCH criteria, fetch items): bounds recursion in the parser. */
export const MAX_NESTING_DEPTH = 64;

/** Bad commands in a row before the server says BYE: a client that only sends garbage is disconnected. */
export const MAX_BAD_COMMANDS = 20;

/** Idle time before a not-yet-authenticated session is closed (RFC 9051 section 5.4 requires at least 30 minutes only after login). */
export const UNAUTHENTICATED_TIMEOUT_MS = 60 * 1000;

/** Idle time before an authenticated session is closed: RFC 9051 section 5.4's 30 minutes. */
export const AUTHENTICATED_TIMEOUT_MS = 30 * 60 * 1000;

/** IDLE may last this long before the server ends it; clients re-issue IDLE at least every 29 minutes (RFC 2177). */
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;

/** Longest mailbox name in octets (UTF-8): keeps names sane for every client and storage engine. */
export const MAX_MAILBOX_NAME_OCTETS = 1024;

/** Deepest mailbox hierarchy: bounds recursion in LIST and RENAME. */
export const MAX_MAILBOX_DEPTH = 32;

/** MIME nesting depth parsed into the body structure; deeper parts are treated as opaque leaves (attack on recursive parsers). */
export const MAX_MIME_DEPTH = 50;

/** Most MIME parts in one message; beyond it further parts are folded into their parent's body. */
export const MAX_MIME_PARTS = 10000;

/** Decoded text kept per message for body SEARCH: very large attachments are not indexed beyond this. */
export const MAX_SEARCH_TEXT_OCTETS = 1024 * 1024;

/** Decoded header text kept per message for header SEARCH. */
export const MAX_SEARCH_HEADER_OCTETS = 256 * 1024;

/** Keywords (custom flags) per message, and length of one keyword. */
export const MAX_KEYWORDS_PER_MESSAGE = 100;
export const MAX_KEYWORD_OCTETS = 128;

/** Message records SORT and THREAD load per store call: large enough to keep round trips few on 100,000 messages, small enough to bound memory (records hold envelopes). */
export const SORT_LOAD_BATCH = 1000;

/** The same for THREAD=REFERENCES, whose records are read with the header text (up to MAX_SEARCH_HEADER_OCTETS each) to find References. */
export const REFERENCES_LOAD_BATCH = 100;
