/**
 * The session as commands and the dispatcher see it, apart from the connection that implements it
 * (connection.ts): its state (RFC 9051 section 3), the response writer, and the operations commands may
 * ask for. Command specs (command.ts) and the dispatcher (dispatch.ts) import this file, never
 * connection.ts, so the imports run one way: connection -> dispatch -> commands -> session.
 */
import type { Logger } from 'pino';
import type { LoginPenalty } from '../auth/penalty.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Config } from '../config/types.js';
import type { RawCommand } from '../protocol/types.js';
import type { Account, Store } from '../store/types.js';
import type { SelectedMailbox } from './selected.js';

/** SessionState is the connection state of RFC 9051 section 3. */
export type SessionState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

/** ResponseWriter queues response bytes to the client in order (responses are never reordered). */
export interface ResponseWriter {
  /** Writes `* ${text}\r\n`. `text` must already be encoded (quoted strings etc.). */
  untagged(text: string): void;
  /** Writes one response made of pieces (strings are UTF-8); the caller supplies "* " and the final "\r\n". */
  write(pieces: Array<string | Buffer>): void;
  /** Resolves when the socket has room again (backpressure); call it between large responses. */
  drain(): Promise<void>;
}

/**
 * SessionStatus is the session's state with what that state holds (RFC 9051 section 3): the logged-in
 * account from the authenticated state on, and the selected view in the selected state. Only the
 * session's own login, select and deselect change it.
 */
export type SessionStatus =
  | { readonly state: 'not-authenticated' }
  | { readonly state: 'authenticated'; readonly account: Account }
  | { readonly state: 'selected'; readonly account: Account; readonly view: SelectedMailbox }
  | { readonly state: 'logout' };

/** Session is what a command handler sees of its connection. */
export interface Session {
  /** The state and what it holds; commands get the account and view through their context (command.ts) instead. */
  readonly status: SessionStatus;
  /** status.state. */
  readonly state: SessionState;
  readonly store: Store;
  readonly config: Config;
  readonly log: Logger;
  readonly out: ResponseWriter;
  /** Capabilities the client turned on with ENABLE (upper-case), e.g. "IMAP4REV2", "UTF8=ACCEPT". */
  readonly enabled: Set<string>;
  /** True when IMAP4rev2 was enabled: ESEARCH-style SEARCH replies, no \Recent, LIST attributes. */
  readonly rev2: boolean;
  /** True when mailbox names are sent and received as UTF-8 (IMAP4rev2 or UTF8=ACCEPT enabled). */
  readonly utf8: boolean;
  /** True when the connection is encrypted (993, or after STARTTLS). */
  readonly secure: boolean;
  /** Remote address, for logs and the plaintext-auth rule. */
  readonly remoteAddress: string;
  /** The server's failed-login penalty (auth/penalty.ts; absent in unit-test sessions). */
  readonly penalty?: LoginPenalty;
  /** Where the server counts logins and commands (absent in unit-test sessions). */
  readonly metrics?: Metrics;
  /** The CAPABILITY list for the current state, without the leading "CAPABILITY". */
  capabilities(): string[];
  /**
   * Brings the selected view up to date with changes made by other sessions and writes the untagged
   * EXISTS / EXPUNGE / FETCH FLAGS responses (RFC 9051 section 7). EXPUNGE is held back when
   * allowExpunge is false (during FETCH, STORE, SEARCH, RFC 9051 section 7.5.1).
   */
  sync(allowExpunge: boolean): Promise<void>;
  /** Whether STARTTLS is possible now (cleartext connection with TLS material). */
  readonly canStartTls: boolean;
  /** Whether LOGIN/AUTHENTICATE may send a password now (TLS, or the plaintext_auth rule allows it; RFC 9051 section 6.2.3). */
  readonly plaintextAuthAllowed: boolean;
  /** True once COMPRESS DEFLATE is in effect (RFC 4978). */
  readonly compressed: boolean;
  /** Starts DEFLATE in both directions (COMPRESS); call only after the tagged OK was written (use afterTagged). */
  startCompression(): void;
  /** Upgrades the connection to TLS (STARTTLS); call only after the tagged OK was written (use afterTagged). */
  upgradeToTls(): Promise<void>;
  /** Closes the connection after what was written has been flushed (LOGOUT). */
  close(): void;
  /** Marks the session as idling (IDLE), which switches its inactivity limit to IDLE's. */
  setIdling(on: boolean): void;
  /** Writes a command continuation request `+ ${text}` (RFC 9051 section 7.5). */
  continuation(text: string): void;
  /** The next line the client sends (for AUTHENTICATE responses and IDLE's DONE), or null when the connection closes. */
  readLine(): Promise<RawCommand | null>;
  /** Resolves when another session changed something this session may need to report (IDLE), or a line arrives. */
  waitForChange(): Promise<void>;
  /** True when a client line is waiting to be read (IDLE uses it to stop). */
  hasPendingLine(): boolean;
  /** Runs `fn` right after the tagged reply of the current command is written (STARTTLS handshake, LOGOUT close). */
  afterTagged(fn: () => Promise<void> | void): void;
  /** Logs in `account` (state becomes authenticated); used by LOGIN and AUTHENTICATE. */
  login(account: Account): void;
  /** Marks the selected view stale so the next sync reads the change feed (after this session's own writes to it). */
  markChanged(): void;
  /** Selects `view` (SELECT, EXAMINE): state becomes selected. Does nothing before login. */
  select(view: SelectedMailbox): void;
  /** Ends the selection (CLOSE, UNSELECT, failed SELECT, LOGOUT): state becomes authenticated. */
  deselect(): void;
}

/** TaggedWriter is the ResponseWriter with the tagged status reply, which only the dispatcher writes. */
export interface TaggedWriter extends ResponseWriter {
  /** Writes `${tag} ${status} ${text}\r\n`. */
  tagged(tag: string, status: 'OK' | 'NO' | 'BAD', text: string): void;
}

/**
 * DispatchedSession is what the dispatcher needs of a session besides what commands see: the tagged reply,
 * the count of BAD replies in a row (MAX_BAD_COMMANDS), the end of the session and the afterTagged hooks.
 */
export interface DispatchedSession extends Session {
  readonly out: TaggedWriter;
  readonly metrics: Metrics;
  /** BAD replies in a row; the dispatcher resets it on OK or NO. */
  badInRow: number;
  /** True once the connection is closing (no more replies are written). */
  readonly isClosed: boolean;
  /** Ends the session with `* BYE text`. */
  bye(text: string): void;
  /** Runs the callbacks registered with afterTagged, in order. */
  runAfterTagged(): Promise<void>;
}

/** Pending is a queue entry of a connection: a framed command, or a framing error to answer in its turn. */
export type Pending = { kind: 'command'; command: RawCommand } | { kind: 'error'; tag: string | null; message: string; code?: string; fatal: boolean };
