/**
 * The storage interface every backend implements (SQLite embedded; PostgreSQL for scale-out).
 *
 * All methods are async: PostgreSQL is a network away even where SQLite answers at once.
 * Every table and every call is keyed by account first, so a distributed engine can shard by account;
 * no method touches two accounts.
 *
 * Units: sizes are octets; internal dates and save dates are milliseconds since the Unix epoch (UTC);
 * UIDs, UIDVALIDITY, UIDNEXT are 32-bit unsigned (RFC 9051 section 2.3.1.1); modseqs are positive
 * integers below 2^53 (RFC 7162 allows 63 bits; JavaScript numbers are exact to 2^53).
 * Mailbox names are UTF-8 strings with "/" as the hierarchy delimiter; "INBOX" is always spelled so.
 *
 * Imports (src/store and its backends): config/, mime/ (types, header parsing), protocol/ (ENVELOPE text,
 * mailbox-name syntax), src/limits.ts, src/threads.ts (starting a worker thread) and the database drivers; never imap/, pop3/, lmtp/, cli/, server/,
 * net/, tls/, sessions/ or the mail logic over the store (auth/, delivery/, mailboxes/, import/, export/,
 * admin/). Inside it, mail/ (the mail rules and the one Store facade) imports only the shared files here;
 * sqlite/ and postgres/ import mail/ and the shared files, never each other. Of the shared files, only
 * open.ts and migrate-storage.ts (which choose or bridge backends) import them. eslint.config.js holds it.
 */
import type { Envelope, MimePart } from '../mime/types.js';
import type { SortDates } from './sort-dates.js';
import type { CommitObserver, ControlListener, ControlMessage, PenaltyEntry, PenaltyReservation, ServerNode, ServerNodeState } from './node-types.js';
import type { SieveStore } from './sieve-types.js';
export type { SieveScriptInfo, SieveScriptLimits } from './sieve-types.js';
export { StorageUnavailableError, StoreError, StoreOpenError, type StoreErrorKind } from './errors.js';

/** Account is one user. `email` is stored lower-cased. */
export interface Account {
  id: number;
  email: string;
  /** PHC string from argon2id. */
  passwordHash: string;
  createdAt: number;
}

/** RFC 6154 special-use attribute of a mailbox, e.g. "\\Sent". */
export type SpecialUse = '\\All' | '\\Archive' | '\\Drafts' | '\\Flagged' | '\\Junk' | '\\Sent' | '\\Trash';

/** Mailbox is one folder of an account. */
export interface Mailbox {
  /** Per-account id: kept by RENAME and never handed out again after DELETE (IMAP shows it as MAILBOXID, RFC 8474). */
  id: number;
  accountId: number;
  /** Full name, UTF-8, "/" delimited, e.g. "Archive/2024". */
  name: string;
  uidValidity: number;
  /** Next UID to assign; only grows (RFC 9051 section 2.3.1.1). */
  uidNext: number;
  /** Highest modseq of any change in this mailbox (RFC 7162 section 3.1.1). */
  highestModseq: number;
  specialUse: SpecialUse | null;
  /**
   * The lowest UID not yet claimed as \Recent by a session (RFC 3501 section 2.3.2): messages with this UID
   * or above are recent to the next session that selects the mailbox read-write (claimRecent).
   */
  firstRecentUid: number;
}

/** MailboxCounts is what STATUS and SELECT report. */
export interface MailboxCounts {
  messages: number;
  unseen: number;
  deleted: number;
  /** Sum of RFC822.SIZE of all messages, octets (RFC 8438 STATUS=SIZE). */
  size: number;
  /** Sum of RFC822.SIZE of the messages flagged \Deleted, octets (RFC 9208 section 4.2 DELETED-STORAGE). */
  deletedSize: number;
  /** Messages no session has claimed as \Recent yet (UID >= Mailbox.firstRecentUid): STATUS RECENT (RFC 3501 section 6.3.10). */
  recent: number;
}

/**
 * Quota is an account's limits and usage (RFC 9208; one quota root per account). Usage counts every
 * message of every mailbox of the account: a copy counts again, though its body is stored once.
 */
export interface Quota {
  /** Most octets the account may hold (sum of RFC822.SIZE), or null for no limit. */
  storageLimit: number | null;
  /** Most messages the account may hold, or null for no limit. */
  messageLimit: number | null;
  /** Octets held now. */
  storageUsed: number;
  /** Messages held now. */
  messagesUsed: number;
}

/** QuotaLimit is one limit to set: a number (octets or messages, >= 0), null for no limit, or 'default' for the server's configured default. */
export type QuotaLimit = number | null | 'default';

/** QuotaDefaults are the limits of accounts that have none of their own (config `quota`); null means no limit. */
export interface QuotaDefaults {
  storage: number | null;
  messages: number | null;
}

/** MessageMeta is the per-message state a selected mailbox keeps: enough for flags and sequence numbers. */
export interface MessageMeta {
  uid: number;
  modseq: number;
  /** System flags ("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft") and keywords, as stored (case kept), no duplicates (case-insensitive). */
  flags: string[];
}

/** MessageRecord is a message with everything FETCH needs except the body bytes. */
export interface MessageRecord extends MessageMeta {
  /** Internal date, ms since epoch. */
  internalDate: number;
  /** RFC822.SIZE in octets (the stored CRLF bytes). */
  size: number;
  /** Save date, ms since epoch (RFC 8514). */
  saveDate: number;
  /** Stable id of the stored body (per account); identical for copies and moves, never reused (IMAP shows it as EMAILID, RFC 8474). */
  bodyId: number;
  structure: MimePart;
  envelope: Envelope;
  /**
   * ENVELOPE data as stored at delivery (protocol/envelope.ts storedEnvelopeText: the form for a session
   * without UTF8=ACCEPT), or null when none is stored or it was not read.
   */
  envelopeText: string | null;
  /** The sent date SORT orders by (RFC 5256 section 2.2, mime/sent-date.ts) in ms since epoch, or null when the Date header is missing or cannot be parsed. */
  sentDate: number | null;
}

/**
 * RecordParts: which parts of a record getMessages reads: the body structure, the envelope, the ENVELOPE
 * text (envelopeText; the envelope is then read too for a body that has no stored text), and the modseq and
 * flags (`meta`, default true; FETCH takes them from the session's view instead). Dates, size and body id
 * are always read.
 */
export interface RecordParts {
  structure: boolean;
  envelope: boolean;
  envelopeText?: boolean;
  meta?: boolean;
}

/** ALL_PARTS reads the whole record. */
export const ALL_PARTS: RecordParts = { structure: true, envelope: true, envelopeText: true, meta: true };

/** SortRecord is what SORT and THREAD (RFC 5256) read of a message: a MessageRecord without body structure, flags or modseq. */
export interface SortRecord {
  uid: number;
  /** Internal date, ms since epoch. */
  internalDate: number;
  /** RFC822.SIZE in octets. */
  size: number;
  /** The sent date (RFC 5256 section 2.2) in ms since epoch as stored at delivery (mime/sent-date.ts), or null when the Date header is missing or cannot be parsed. */
  sentDate: number | null;
  /** The envelope when asked for, else null. */
  envelope: Envelope | null;
  /** The References field (RFC 5322 section 3.6.4) as kept in the search text, when asked for and present, else null. */
  references: string | null;
}

/** SearchTextRecord: a message's decoded header block and body text (null when not read), as getSearchText gives them. */
export interface SearchTextRecord {
  headers: string;
  body: string | null;
}

/** SortFields: what getSortRecords reads beyond dates and size. */
export interface SortFields {
  envelope: boolean;
  references: boolean;
}

/** NewMessage is a message to add to a mailbox. */
export interface NewMessage {
  /** The message bytes, CRLF line endings, exactly as they will be served by BODY[]. */
  raw: Buffer;
  /** Flags to set; the store keeps each once (case-insensitive, first spelling) and drops \Recent. */
  flags: string[];
  /** ms since epoch. */
  internalDate: number;
  structure: MimePart;
  envelope: Envelope;
  /** ParsedMessage.sentDate: the sent date SORT orders by, ms since epoch, or null. */
  sentDate: number | null;
  searchText: { headers: string; body: string };
}

/**
 * SearchTextPart names the text a SEARCH string is looked for in (RFC 9051 section 6.4.4): 'headers' the
 * decoded header block (NewMessage.searchText.headers), 'body' the decoded body text (searchText.body),
 * 'text' either of those or the MIME header fields of the body parts (mime/part-headers.ts partHeaderText).
 */
export type SearchTextPart = 'headers' | 'body' | 'text';

/** ExpungeOptions: `deletedOnly` (default true) limits Store.expunge to messages flagged \Deleted. */
export interface ExpungeOptions {
  deletedOnly?: boolean;
}

/** FlagOperation is how STORE changes flags (RFC 9051 section 6.4.6). */
export type FlagOperation = 'set' | 'add' | 'remove';

/** Changes is the change feed of one mailbox since a modseq (used for untagged updates and, in #4, QRESYNC). */
export interface Changes {
  /** Messages whose modseq is > since (new or with changed flags), ascending UID. */
  changed: MessageMeta[];
  /** UIDs expunged with modseq > since, ascending. */
  expunged: number[];
  highestModseq: number;
  uidNext: number;
  /** The mailbox's first_recent_uid as read with the changes (Mailbox.firstRecentUid), for claimRecent. */
  firstRecentUid: number;
}

/** BackgroundOptions: what Store.startBackground starts; `index` false leaves the full-text index to the server (SQLite then only checkpoints). */
export interface BackgroundOptions {
  index?: boolean;
}

/** ChangeListener is called after a committed change in a mailbox (mailboxId null: some mailbox of the account; accountId null: unknown, e.g. a write by another process: every listener must check). */
export type ChangeListener = (accountId: number | null, mailboxId: number | null) => void;

// What the store keeps for the servers rather than for the mail (node-types.ts).
export type {
  ChangePeers,
  CommitObserver,
  ControlListener,
  ControlMessage,
  PenaltyEntry,
  PenaltyReservation,
  ServerNode,
  ServerNodeState,
} from './node-types.js';

/**
 * Store is the storage backend. Errors: StoreError for refusals; anything else is a server fault. Its Sieve
 * scripts and their tracking are in SieveStore (sieve-types.ts).
 */
export interface Store extends SieveStore {
  /** Backend name for logs, e.g. "sqlite". */
  readonly kind: string;

  // --- accounts ---
  /** Creates an account with INBOX, Sent, Drafts, Trash, Junk, Archive (the last five with RFC 6154 special-use). Throws ALREADYEXISTS. */
  createAccount(email: string, passwordHash: string): Promise<Account>;
  /** Case-insensitive lookup. */
  getAccount(email: string): Promise<Account | null>;
  listAccounts(): Promise<Account[]>;
  /** Throws NONEXISTENT. */
  setPasswordHash(accountId: number, passwordHash: string): Promise<void>;
  /** Deletes the account and all its mail. Throws NONEXISTENT. */
  deleteAccount(accountId: number): Promise<void>;
  /** The account's effective limits (its own, else the store's defaults) and its usage. Throws NONEXISTENT. */
  getQuota(accountId: number): Promise<Quota>;
  /** Sets the account's own limits; a key left out keeps its current value. Throws NONEXISTENT. */
  setQuota(accountId: number, limits: { storage?: QuotaLimit; messages?: QuotaLimit }): Promise<void>;
  /** Recounts the account's usage from its messages (repair; the store keeps it up to date itself) and returns the quota. Throws NONEXISTENT. */
  recomputeQuota(accountId: number): Promise<Quota>;

  // --- mailboxes ---
  /** All mailboxes of the account, sorted by name. */
  listMailboxes(accountId: number): Promise<Mailbox[]>;
  /** Exact name lookup ("INBOX" matched case-insensitively by the caller normalising it). */
  getMailbox(accountId: number, name: string): Promise<Mailbox | null>;
  /** Creates the mailbox (not its parents; the caller creates those). Throws ALREADYEXISTS. UIDVALIDITY is new and unique per name. */
  createMailbox(accountId: number, name: string, specialUse?: SpecialUse | null): Promise<Mailbox>;
  /**
   * claimRecent makes this caller the one session to which the mailbox's messages with UIDs from its
   * first_recent_uid up to `upTo` - 1 are \Recent (RFC 3501 sections 2.3.2 and 6.3.1: a message is recent
   * in exactly one session): it moves first_recent_uid to `upTo` (never back) and returns the value it had,
   * so the caller's recent UIDs are [returned, upTo); nothing when the returned value is >= upTo. Announces
   * no change (\Recent is no state of the message, and no modseq changes). `seen` is first_recent_uid as a
   * read made just before found it (Changes.firstRecentUid), which spares the claim its own read: first_recent_uid
   * never goes back, so when `seen` is >= upTo it is returned as it is. Throws NONEXISTENT.
   */
  claimRecent(accountId: number, mailboxId: number, upTo: number, seen?: number): Promise<number>;
  /** Deletes the mailbox and its messages. Throws NONEXISTENT, CANNOT for INBOX. */
  deleteMailbox(accountId: number, name: string): Promise<void>;
  /**
   * Renames a mailbox and all its children ("a" -> "b" moves "a/x" to "b/x"), keeping UIDVALIDITY.
   * Renaming INBOX moves all its messages to a new mailbox `to` and leaves INBOX empty (RFC 9051 section 6.3.6).
   * Throws NONEXISTENT, ALREADYEXISTS.
   */
  renameMailbox(accountId: number, from: string, to: string): Promise<void>;
  /** Subscriptions are names, not mailboxes: a name may be subscribed without existing (RFC 9051 section 6.3.7). */
  setSubscribed(accountId: number, name: string, subscribed: boolean): Promise<void>;
  listSubscriptions(accountId: number): Promise<string[]>;
  /** Throws NONEXISTENT. */
  mailboxCounts(accountId: number, mailboxId: number): Promise<MailboxCounts>;

  // --- messages ---
  /** Every message of the mailbox, ascending UID (what SELECT loads). The array and its objects may be shared between calls: callers must not change them. */
  listMessages(accountId: number, mailboxId: number): Promise<MessageMeta[]>;
  /**
   * Records for the given UIDs (missing UIDs are left out), ascending UID. `parts` says whether the body
   * structure and the envelope are read (both by default); reading a part that was not loaded throws Error.
   */
  getMessages(accountId: number, mailboxId: number, uids: number[], parts?: RecordParts): Promise<MessageRecord[]>;
  /**
   * Sort records for the given UIDs (missing UIDs are left out), ascending UID; the envelope and the
   * References field only when `fields` asks (SORT by date or size needs neither, THREAD=REFERENCES both).
   * Cheaper than getMessages and getSearchText: no body structure and no body text is read.
   * Throws NONEXISTENT.
   */
  getSortRecords(accountId: number, mailboxId: number, uids: number[], fields: SortFields): Promise<SortRecord[]>;
  /**
   * What SORT by ARRIVAL, DATE and SIZE reads (RFC 5256 section 3): the internal date, sent date and size of
   * every message in the mailbox now, ascending UID, as columns (sort-dates.ts). Answered from memory for
   * large mailboxes, brought up to date on each call; while the mailbox gains and loses no message the
   * answer is the same object, which must not be changed. Throws NONEXISTENT.
   */
  getSortDates(accountId: number, mailboxId: number): Promise<SortDates>;
  /** The stored bytes of a body, shared with other callers (the store keeps recently read bodies in memory): must not be changed. Throws NONEXISTENT. */
  readBody(accountId: number, bodyId: number): Promise<Buffer>;
  /**
   * readBodies is readBody for many bodies of the account: it yields the bytes of each, in the order of
   * `bodyIds`, or null for one no longer stored (its messages were expunged). The bodies kept in memory are
   * checked in one read at the start; the others are read one at a time as the caller asks for them, so at
   * most one body not kept is held besides what the caller keeps. Stop early with `return()` (for await's
   * break does).
   */
  readBodies(accountId: number, bodyIds: readonly number[]): AsyncGenerator<Buffer | null, void, undefined>;
  /**
   * Decoded search text of messages (for SEARCH BODY/TEXT/header keys), keyed by UID; the body text only when
   * `withBody` (default true; null otherwise: header keys read the header block alone). Throws NONEXISTENT.
   */
  getSearchText(accountId: number, mailboxId: number, uids: number[], withBody?: true): Promise<Map<number, { headers: string; body: string }>>;
  getSearchText(accountId: number, mailboxId: number, uids: number[], withBody: boolean): Promise<Map<number, SearchTextRecord>>;
  /**
   * Narrows a text search with the backend's full-text index: returns a superset of the UIDs of the mailbox's
   * messages whose `part` contains `needle` when both are compared NFC-normalised and lower-cased
   * (String.prototype.normalize('NFC').toLowerCase()), or null when the index cannot narrow (backends
   * answer null at least for needles under 3 characters). The caller still checks every candidate.
   * Throws NONEXISTENT.
   */
  searchTextCandidates(accountId: number, mailboxId: number, part: SearchTextPart, needle: string): Promise<Set<number> | null>;
  /**
   * Appends messages in one transaction; on return they are durable (survive kill -9).
   * Returns the new UIDs in order and the UIDVALIDITY. Throws NONEXISTENT (as TRYCREATE for the caller), OVERQUOTA
   * when the account's storage or message usage would exceed its limit (checked and updated in the same transaction,
   * so concurrent appends never overshoot).
   */
  appendMessages(accountId: number, mailboxId: number, messages: NewMessage[]): Promise<{ uidValidity: number; uids: number[] }>;
  /**
   * Changes flags of the given UIDs (missing ones ignored). Only messages whose flags really change get a new modseq.
   * With unchangedSince (RFC 7162), messages whose modseq is greater are not changed and are returned in `failed`.
   * Returns the new state of every message that changed (`updated`) and the present state of every other one
   * that exists and was not refused (`unchanged`: another session may have changed it since the caller looked),
   * both ascending UID.
   */
  storeFlags(
    accountId: number,
    mailboxId: number,
    uids: number[],
    op: FlagOperation,
    flags: string[],
    unchangedSince?: number,
  ): Promise<{ updated: MessageMeta[]; unchanged: MessageMeta[]; failed: number[] }>;
  /**
   * Expunges the messages flagged \Deleted (only those in `uids` when given), in one transaction; missing
   * UIDs are ignored. With `opts.deletedOnly` false, expunges every message in `uids` whatever its flags
   * (POP3 QUIT, RFC 1939 section 6: the DELE marks are the session's, not flags; `uids` is then required).
   * Returns the expunged UIDs, ascending. Throws NONEXISTENT; Error for deletedOnly false without `uids`.
   */
  expunge(accountId: number, mailboxId: number, uids?: number[], opts?: ExpungeOptions): Promise<number[]>;
  /**
   * Copies messages (same bodies, same flags and internal dates, new UIDs) to another mailbox of the account.
   * Returns source and destination UIDs pairwise in ascending source order (RFC 4315 COPYUID).
   * Throws NONEXISTENT for the target, OVERQUOTA (copies count against the quota again).
   */
  copyMessages(accountId: number, fromMailboxId: number, uids: number[], toMailboxId: number): Promise<{ uidValidity: number; sourceUids: number[]; destUids: number[] }>;
  /** Like copyMessages, then expunges the sources, in one transaction (RFC 6851). Usage does not change, so it is never OVERQUOTA. */
  moveMessages(accountId: number, fromMailboxId: number, uids: number[], toMailboxId: number): Promise<{ uidValidity: number; sourceUids: number[]; destUids: number[] }>;
  /**
   * Appends `message` to `toMailboxId` (which may be `fromMailboxId`) and expunges UID `uid` of
   * `fromMailboxId`, in one transaction: both happen or neither (REPLACE, RFC 8508). Returns
   * the new message's UID and its mailbox's UIDVALIDITY, or null (nothing changed) when `uid` does not
   * exist. Throws NONEXISTENT (source mailbox), TRYCREATE (target), OVERQUOTA.
   */
  replaceMessage(
    accountId: number,
    fromMailboxId: number,
    uid: number,
    toMailboxId: number,
    message: NewMessage,
  ): Promise<{ uidValidity: number; uid: number } | null>;
  /** The change feed: what changed in the mailbox after modseq `since`. Cost grows with the changes, not the mailbox size. */
  changesSince(accountId: number, mailboxId: number, since: number): Promise<Changes>;
  /**
   * The mailbox's HIGHESTMODSEQ as committed now (RFC 7162 section 3.1.1), or null when the mailbox no longer
   * exists: one read by primary key, so a session can tell at every command whether its view is behind
   * (writes by other processes and other nodes included) before it reads the change feed.
   */
  highestModseq(accountId: number, mailboxId: number): Promise<number | null>;

  // --- login penalty (auth/penalty.ts decides; the store keeps its rows, shared by every node) ---
  /**
   * Reads the failures of address `remote` whose last failure is at or after now - expireMs, and the
   * attempts (forgotten when its next answer time is older than that) and next answer time of the pair
   * (`remote`, `user`); then, in the same transaction, sets the pair's next answer time to plan(state)
   * and counts one more attempt. Returns the state read. Not keyed by account: the address is the key.
   */
  reservePenalty(remote: string, user: string, now: number, expireMs: number, plan: (state: PenaltyReservation) => number): Promise<PenaltyReservation>;
  /** Counts a failure of the pair at `now` (earlier failures older than expireMs are forgotten first). */
  recordPenaltyFailure(remote: string, user: string, now: number, expireMs: number): Promise<void>;
  /** Forgets the pair (after a right password). */
  clearPenaltyPair(remote: string, user: string): Promise<void>;
  /** Every address with failures at or after now - expireMs, most failures first. */
  listPenalties(now: number, expireMs: number): Promise<PenaltyEntry[]>;
  /** Forgets every pair of `remote`, or of every address when null; returns the number of addresses forgotten. */
  clearPenalties(remote: string | null): Promise<number>;
  /** Deletes the pairs whose last failure and next answer time are both before `before` (housekeeping). */
  purgePenalties(before: number): Promise<void>;

  // --- notifications ---
  /** Registers a listener for committed changes (in-process and, for SQLite, other processes on the same file within about a second). Returns an unsubscribe function. */
  onChange(listener: ChangeListener): () => void;
  /**
   * Sends a control message to the listeners of every node (PostgreSQL: NOTIFY on its own channel) or every
   * process on the same SQLite file (a row the others read within about a second), this one included.
   */
  sendControl(message: ControlMessage): Promise<void>;
  /** Registers a listener for control messages sent from now on; returns an unsubscribe function. */
  onControl(listener: ControlListener): () => void;

  // --- running servers (sessions/presence.ts decides; not keyed by account: a node serves every account) ---
  /** Records `node`, or updates its host, pid and seenAt when its id is known. Durability is not needed: a lost update is made again. */
  putNode(node: ServerNode): Promise<void>;
  /** Forgets the nodes with these ids (unknown ids are ignored). */
  deleteNodes(ids: readonly string[]): Promise<void>;
  /** Every recorded node, with its latest answer, in the order they started. */
  listNodes(): Promise<ServerNodeState[]>;
  /** Records the answer (JSON text, any size) of node `id` to the list-sessions request `requestId`; nothing when the node is unknown. */
  answerNode(id: string, requestId: string, answer: string): Promise<void>;

  /**
   * startBackground starts the store's upkeep in this process and returns the function that stops it. On
   * SQLite it starts the indexer thread, which writes the full-text index of newly stored bodies in
   * batches into the index's own file (sqlite/fts.ts, fts-indexer.ts), off the transactions that store
   * them and off the calling thread, and runs the WAL's checkpoints and the purge of bodies that expunges
   * left without a message (mail/bodies.ts) there too; PostgreSQL indexes in the storing transaction and
   * only purges, on a timer. One process per server calls it (server/node.ts, or the
   * primary of several workers); one-shot commands do not, or (`letterbox import`) with `index` false, for
   * the checkpoints alone: what they store is indexed by the server, SEARCH being exact meanwhile.
   */
  startBackground(opts?: BackgroundOptions): () => void;

  /**
   * leaveBackground is for a process of a server whose startBackground runs in another process (each
   * worker of several; the primary runs it): what this process's connection would do of that upkeep on
   * its own is left to it until the returned function is called. On SQLite, the WAL's checkpoints, which
   * copy the committed pages into the database file for the whole file whichever connection runs them:
   * this connection then checkpoints only as a backstop, past about 40 MB of WAL. Nothing on PostgreSQL.
   */
  leaveBackground(): () => void;

  /**
   * finishBackground does now, to the end, what startBackground does over time (deletes every body queued
   * for purge; on SQLite also indexes every queued body) and resolves when done; for tools and tests that
   * need the index complete or the space of expunged mail freed.
   */
  finishBackground(): Promise<void>;

  /**
   * Brings the query planner's statistics up to date after a bulk load (`letterbox import`,
   * `migrate-storage`), so the first queries after it get good plans without waiting for the backend to
   * notice: ANALYZE on PostgreSQL, PRAGMA optimize on SQLite. Seconds on 100,000 messages.
   */
  analyze(): Promise<void>;

  /**
   * Whether the store can serve now, for GET /health: null when it answers a query (and, on PostgreSQL,
   * listens for the other nodes' changes), else what is wrong. Never throws.
   */
  health(): Promise<string | null>;

  /** Closes the backend; pending writes are finished first. */
  close(): Promise<void>;
}
