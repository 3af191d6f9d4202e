/**
 * POP3 commands described as data (as src/imap does for IMAP): a parser from the argument string to typed
 * arguments, and the work for each state the command is valid in, AUTHORIZATION or TRANSACTION (RFC 1939
 * section 3). The dispatcher picks the handler by state, so a TRANSACTION handler is handed the logged-in
 * account and its maildrop as a value and never checks state itself. Handlers return the text of the
 * `+OK` reply, or write a multi-line reply themselves; they refuse by throwing Pop3Error.
 */
import type { LoginContext } from '../auth/login.js';
import type { Config } from '../config/types.js';
import type { Account } from '../store/types.js';
import type { Maildrop } from './maildrop.js';
import type { Pop3Writer } from './writer.js';

/** Transaction is the TRANSACTION state's data (RFC 1939 section 5): the logged-in account and its maildrop. */
export interface Transaction {
  readonly account: Account;
  readonly maildrop: Maildrop;
}

/** Pop3Session is what a command handler sees of its connection. */
export interface Pop3Session extends LoginContext {
  readonly config: Config;
  readonly out: Pop3Writer;
  /** True when the connection is encrypted (995, or after STLS). */
  readonly secure: boolean;
  /** Whether STLS is possible now (cleartext connection with TLS material). */
  readonly canStartTls: boolean;
  /** Whether a password may be sent now (TLS, or the pop3.plaintext_auth rule allows it; RFC 2595 section 4). */
  readonly plaintextAuthAllowed: boolean;
  /** The name given with USER, waiting for PASS (RFC 1939 section 7), else null. */
  user: string | null;
  /** The TRANSACTION state's data once logged in, else null (AUTHORIZATION state). */
  readonly transaction: Transaction | null;
  /** The next line the client sends (a SASL response), or null when the connection closes. */
  readLine(): Promise<string | null>;
  /** Runs `fn` right after the current command's reply is written (the STLS handshake). */
  afterReply(fn: () => Promise<void> | void): void;
  /**
   * Enters the TRANSACTION state for `account`: counts the login against the per-user-and-address limit
   * and reads the maildrop. Throws Pop3Error IN-USE at that limit, SYS/PERM without an INBOX.
   */
  login(account: Account): Promise<void>;
  /** Starts TLS on the connection (STLS); call only after the +OK was written (use afterReply). */
  upgradeToTls(): Promise<void>;
  /** Closes the connection after what was written has been flushed (QUIT). */
  close(): void;
}

/**
 * DispatchedPop3Session is what the dispatcher needs of a session besides what commands see: the count of
 * bad commands in a row (MAX_BAD_COMMANDS) and the afterReply hooks. The connection implements it, so
 * dispatch.ts imports this file, never connection.ts.
 */
export interface DispatchedPop3Session extends Pop3Session {
  /** Bad commands in a row; the dispatcher resets it on a command that is not refused as bad. */
  badInRow: number;
  /** Runs the callbacks registered with afterReply, in order. */
  runAfterReply(): Promise<void>;
}

/** Reply is a handler's result: the text of the `+OK` reply, or undefined when the handler wrote its reply itself. */
export type Reply = string | void;

/** CommandSpec describes one command; `name` is upper-case. A state without a handler answers that the command is not valid there. */
export interface CommandSpec<A = unknown> {
  name: string;
  /** Parses the text after "NAME " (empty when there is none) into typed arguments. Throws Pop3Error (bad command). */
  parse(args: string): A;
  /** The work in the AUTHORIZATION state (RFC 1939 section 4). */
  authorization?: (s: Pop3Session, args: A) => Promise<Reply>;
  /** The work in the TRANSACTION state (RFC 1939 section 5). */
  transaction?: (s: Pop3Session, args: A, t: Transaction) => Promise<Reply>;
}
