/**
 * Every limit Letterbox enforces on what a client or a message can make it do, in one place, each with
 * the reason for it. Sizes are octets, durations milliseconds.
 *
 * Imports: nothing. It sits below every folder (protocol/, mime/, store/, imap/, pop3/, lmtp/, net/,
 * config/, import/, cli/ read it), so any of them may import it without an arrow pointing back.
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

/**
 * Compressed input is fed to the inflater this many octets at a time once COMPRESS DEFLATE is on
 * (RFC 4978). A small compressed stream can inflate to gigabytes (a zip bomb). Inflated output goes to the
 * command reader, whose own caps bound what one command can occupy (MAX_LINE_OCTETS per line,
 * MAX_LITERAL_OCTETS per literal, MAX_COMMAND_OCTETS per command); while commands are queued, inflation
 * pauses with the socket and holds at most INFLATE_CHUNK_OCTETS of output. Feeding small slices keeps
 * what one write can expand to (DEFLATE's maximum ratio is about 1032:1, so about 1 MiB) bounded even
 * if the inflater did not stop for backpressure inside one write.
 */
export const INFLATE_SLICE_OCTETS = 1024;

/** Inflated output is handed to the command reader in pieces of at most this many octets (also what a paused inflater holds). */
export const INFLATE_CHUNK_OCTETS = 16 * 1024;

/** DEFLATE window bits for COMPRESS (RFC 4978 section 4 allows a smaller window; zlib's maximum, 15, compresses best). */
export const DEFLATE_WINDOW_BITS = 15;

/** Largest message accepted by LMTP (advertised as SIZE, RFC 1870) and by `letterbox deliver`: the same as APPENDLIMIT, so mail that arrives can also be moved with APPEND. Held in memory while it is stored. */
export const MAX_MESSAGE_OCTETS = MAX_LITERAL_OCTETS;

/** Recipients in one LMTP transaction: each gets its own copy and reply; Postfix sends at most 50 (lmtp_destination_recipient_limit). */
export const MAX_LMTP_RECIPIENTS = 1000;

/** Simultaneous LMTP connections: each may hold a message of MAX_MESSAGE_OCTETS in memory. Postfix opens at most 20 per destination by default. */
export const MAX_LMTP_CONNECTIONS = 50;

/** Idle time before an LMTP connection is closed: Postfix's lmtp_*_timeout defaults are 300 s, so a slow MTA is not cut off first. */
export const LMTP_IDLE_TIMEOUT_MS = 5 * 60 * 1000;

/** On shutdown, LMTP connections still open after this are closed with 421 (an unfinished transaction has had no 250, so the MTA retries it). */
export const LMTP_CLOSE_TIMEOUT_MS = 2000;

/**
 * LISTING_CACHE_MAILBOXES is how many mailboxes' message listings (uid, modseq, flags) a store (either backend) keeps in
 * memory for the next SELECT, which then shares the listing instead of reading every row. About 5 MiB per
 * 100,000 messages, so at most some 40 MiB for eight very large mailboxes.
 */
export const LISTING_CACHE_MAILBOXES = 8;

/** LISTING_CACHE_MIN_MESSAGES: the fewest messages a mailbox needs for its listing to be kept; smaller ones are read in a few ms. */
export const LISTING_CACHE_MIN_MESSAGES = 5000;

/**
 * BODY_CACHE_OCTETS: how many octets of message bodies a store (either backend) keeps in memory, most
 * recently read first, so that a message fetched again (its header, then its text; by another session)
 * is not read from the database again. Per process: a server of several workers keeps this much in each.
 */
export const BODY_CACHE_OCTETS = 16 * 1024 * 1024;

/** BODY_CACHE_MAX_BODY_OCTETS: bodies larger than this (octets) are not kept, so that one large attachment does not push out hundreds of messages. */
export const BODY_CACHE_MAX_BODY_OCTETS = 1024 * 1024;

/**
 * STRUCTURE_CACHE_OCTETS: how many octets of stored body structures (their JSON text) a store keeps in
 * memory parsed, most recently read first (store/structure-cache.ts). A FETCH of BODYSTRUCTURE,
 * BODY or a section then reads no bodies row and parses nothing for a message read before; an entry is
 * some 400 octets for most mail, and about three times that once parsed. Per process, as the bodies.
 */
export const STRUCTURE_CACHE_OCTETS = 8 * 1024 * 1024;

/** Message records SORT and THREAD load per store call: large enough to keep round trips few on 100,000 messages, small enough to bound memory (records hold envelopes). */
export const SORT_LOAD_BATCH = 1000;

/** The same for THREAD=REFERENCES, whose records are read with the header text (up to MAX_SEARCH_HEADER_OCTETS each) to find References. */
export const REFERENCES_LOAD_BATCH = 100;
/** Commands read ahead of the one running (pipelining, RFC 9051 section 5.5) before the server stops reading the socket: a client cannot queue unbounded work. */
export const MAX_QUEUED_COMMANDS = 64;

/** A command line (or literal) that has started must be complete within this time, or the session ends: a client sending one byte a second (slowloris) cannot hold a session forever. */
export const COMMAND_COMPLETION_TIMEOUT_MS = 60 * 1000;

/** A reply the client does not read for this long ends the session: a client that never reads cannot pin the server's output buffer. */
export const OUTPUT_STALL_TIMEOUT_MS = 5 * 60 * 1000;

/** Open client connections to one server (config imap.max_connections overrides it): beyond it new connections get `* BYE [UNAVAILABLE]` instead of exhausting file descriptors and memory. */
export const MAX_CONNECTIONS = 5000;

/** Open connections from one IP address: one host cannot take every slot of MAX_CONNECTIONS. Generous, since NAT puts many users behind one address. */
export const MAX_CONNECTIONS_PER_IP = 1000;

/** Logged-in sessions of one user from one IP address, like Dovecot's mail_max_userip_connections=10: a leaking client cannot exhaust the server. */
export const MAX_CONNECTIONS_PER_USER_IP = 10;

/** On shutdown (SIGTERM), how long sessions may take to finish their running command and flush their replies before they are cut. */
export const SHUTDOWN_GRACE_MS = 10 * 1000;

/** Search keys in one SEARCH (including those under NOT, OR and parentheses): each key is evaluated per message, so the cost is keys x messages. */
export const MAX_SEARCH_KEYS = 1000;

// The failed-login penalty (2 s doubling to 15 s per address, forgotten 15 min after the last failure) is
// configurable: auth.penalty_* in the config file, defaults in src/config/defaults.ts, rules in src/auth/penalty.ts.

/**
 * Longest POP3 line a client may send (src/pop3). RFC 2449 section 4 caps a command line at 255 octets,
 * but a SASL response line may be longer (RFC 5034 section 4): 8 KiB holds a PLAIN response for the
 * longest address and a long passphrase. A longer line is read to its end, dropped and answered -ERR.
 */
export const POP3_MAX_LINE_OCTETS = 8 * 1024;

/** Idle time before a logged-in POP3 session is closed: RFC 1939 section 3 wants an autologout timer of at least 10 minutes. Before login UNAUTHENTICATED_TIMEOUT_MS applies, as for IMAP (and Dovecot's login processes). */
export const POP3_AUTHENTICATED_TIMEOUT_MS = 10 * 60 * 1000;

/** RETR and TOP send a message in pieces of this size and wait for the socket to drain between them, so a client that reads slowly holds at most one piece (plus the socket's buffer) besides the message itself. */
export const POP3_OUTPUT_CHUNK_OCTETS = 64 * 1024;

/**
 * Longest ManageSieve command line a client may send, literals not counted (src/managesieve). A quoted
 * string holds at most 1024 octets (RFC 5804 section 4) and a command has at most two of them; 8 KiB also
 * holds a SASL PLAIN response for a long address and passphrase. A longer line ends the session with BYE:
 * its literal markers cannot be trusted, so nothing after it can be framed.
 */
export const MANAGESIEVE_MAX_LINE_OCTETS = 8 * 1024;

/**
 * Literals larger than the script size limit (managesieve.max_script_size) but at most this many octets are
 * read to their end without being kept and answered NO (QUOTA/MAXSIZE), so a client that uploads one script
 * too large can go on; a literal announced larger than this ends the session with BYE instead of making the
 * server read it.
 */
export const MANAGESIEVE_MAX_SKIPPED_LITERAL_OCTETS = 16 * 1024 * 1024;

/** Literals in one ManageSieve command: no command takes more than two strings (RENAMESCRIPT, PUTSCRIPT, HAVESPACE). */
export const MANAGESIEVE_MAX_LITERALS_PER_COMMAND = 4;

/**
 * Time to connect to the outgoing relay (outgoing.smtp) and to get its greeting, for Sieve's redirect,
 * vacation and reject MDN. Sending happens before the LMTP reply, so a relay that is down must cost
 * seconds, not nodemailer's default of two minutes (Postfix's lmtp_data_done_timeout is 600 s).
 */
export const OUTGOING_CONNECT_TIMEOUT_MS = 10_000;

/** Idle time on a connection to the outgoing relay before the send is given up (logged; the delivery goes on). */
export const OUTGOING_SOCKET_TIMEOUT_MS = 30_000;

/** Compiled Sieve scripts kept for delivery (by account, name and source hash), so a delivery does not parse the script again. */
export const SIEVE_COMPILED_CACHE_ENTRIES = 256;
