/**
 * ManageSieve commands described as data (as src/imap and src/pop3 do): the states a command is valid in
 * (RFC 5804 section 1.1 and 2: before and after AUTHENTICATE), a parser from the tokens after the command
 * name to typed arguments, and the work. The dispatcher checks the state once; an authenticated handler is
 * given the account as a value and never checks state. Handlers return the text of the OK reply (or write
 * their reply themselves and return an OK they built); they refuse by throwing ManageSieveError.
 */
import type { LoginContext } from '../auth/login.js';
import type { ManageSieveConfig } from '../config/types.js';
import type { Account, SieveScriptLimits } from '../store/types.js';
import type { Token } from './reader.js';
import type { ResponseCode } from './wire.js';

/** SessionState names the states of RFC 5804: non-authenticated and authenticated. */
export type SessionState = 'unauthenticated' | 'authenticated';

/** ManageSieveSession is what a command handler sees of its connection. */
export interface ManageSieveSession extends LoginContext {
  readonly config: ManageSieveConfig;
  /** Whether outgoing mail is possible (config outgoing.smtp): decides vacation in SIEVE and what compiles. */
  readonly outgoing: boolean;
  /** The per-user script limits (managesieve.max_scripts, max_script_size or the interpreter's limit). */
  readonly scriptLimits: SieveScriptLimits;
  /** True when the connection is encrypted (after STARTTLS). */
  readonly secure: boolean;
  /** Whether STARTTLS is possible now (a cleartext connection). */
  readonly canStartTls: boolean;
  /** Whether a password may be sent now (TLS, or managesieve.plaintext_auth allows it). */
  readonly plaintextAuthAllowed: boolean;
  /** The logged-in account, or null before AUTHENTICATE (and after UNAUTHENTICATE). */
  readonly account: Account | null;
  /** Writes one raw piece of the reply (capability lines, a listing); CRLF is the caller's. */
  write(data: string): void;
  /** The next command-shaped line the client sends (a SASL response), or null when the connection closes. */
  readLine(): Promise<Token[] | 'invalid' | null>;
  /** Runs `fn` right after the current command's reply is written (the STARTTLS handshake). */
  afterReply(fn: () => Promise<void> | void): void;
  /** Enters the authenticated state; throws ManageSieveError at the per-user-and-address limit. */
  login(account: Account): void;
  /** Leaves the authenticated state (UNAUTHENTICATE, RFC 5804 section 2.14). */
  logout(): void;
  /** Starts TLS (call after the OK, through afterReply) and re-sends the capabilities (RFC 5804 section 2.2). */
  upgradeToTls(): Promise<void>;
  /** Closes the connection after what was written has been flushed (LOGOUT). */
  close(): void;
}

/** Ok is a handler's OK reply: its text, and optionally a response code (NOOP's TAG, WARNINGS). */
export type Ok = string | { code: ResponseCode; text: string };

/** CommandContext is what `run` gets: the session, and the account when the command runs only after login. */
export interface CommandContext<S extends SessionState> {
  session: ManageSieveSession;
  account: S extends 'authenticated' ? Account : Account | null;
}

/** CommandSpec describes one command; `name` is upper-case. */
export interface CommandSpec<A = unknown, S extends SessionState = SessionState> {
  name: string;
  /** The states it is valid in; elsewhere the dispatcher answers NO (a bad command). */
  states: readonly S[];
  /** Parses the tokens after the name into typed arguments. Throws ManageSieveError (bad command). */
  parse(args: readonly Token[]): A;
  /** The work: the OK reply. */
  run(ctx: CommandContext<S>, args: A): Promise<Ok>;
}
