/**
 * Commands are described as data: the states a command is allowed in, a parser from tokens to typed
 * arguments, and the work. The dispatcher checks the state and parses the whole command before any I/O;
 * handlers never check state themselves and never write tagged replies (they return the OK text or throw
 * ImapError).
 */
import type { ArgReader } from '../protocol/types.js';
import type { Session, SessionState } from './session.js';

/** CommandContext: the tag and whether the command came in its UID form ("UID FETCH"). */
export interface CommandContext {
  tag: string;
  uid: boolean;
}

/** CommandSpec describes one command. `name` is upper-case without "UID ". */
export interface CommandSpec<A = unknown> {
  name: string;
  /** States in which the command is valid; elsewhere the dispatcher answers BAD. */
  states: readonly SessionState[];
  /** Whether "UID <name>" exists (FETCH, STORE, SEARCH, COPY, MOVE, EXPUNGE). */
  uidForm?: boolean;
  /**
   * Whether untagged EXPUNGE may be sent after this command completes (false for FETCH, STORE, SEARCH
   * in their non-UID forms: RFC 9051 section 7.5.1). Default true. `uid` tells the form.
   */
  allowExpunge?: (uid: boolean) => boolean;
  /** Parses the arguments after the command name (the reader is positioned after the name; leading SP not consumed). Throws ParseError. */
  parse(r: ArgReader, session: Session): A;
  /**
   * Does the work, writing untagged responses through session.out. Returns the text of the tagged OK
   * (may start with a response code, e.g. "[READ-WRITE] SELECT completed"), or undefined for "<NAME> completed".
   * Throws ImapError to refuse.
   */
  run(session: Session, args: A, ctx: CommandContext): Promise<string | void>;
}
