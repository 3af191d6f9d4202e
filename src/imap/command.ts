/**
 * Commands are described as data: the states a command is allowed in, a parser from tokens to typed
 * arguments, and the work. The dispatcher checks the state and parses the whole command before any I/O;
 * handlers never check state themselves and never write tagged replies (they return the OK text or throw
 * ImapError). Each command gets a context typed by the states it is valid in (as Stalwart's State enum
 * hands a selected-state handler its mailbox): the account and the selected view are values, never nulls
 * to check.
 */
import type { ArgReader } from '../protocol/types.js';
import type { Account } from '../store/types.js';
import type { SelectedMailbox } from './selected.js';
import type { Session, SessionState } from './session.js';

/** SessionContext is what a command valid before login gets: its session, the tag, and whether it came in its UID form ("UID FETCH"). */
export interface SessionContext {
  readonly session: Session;
  readonly tag: string;
  readonly uid: boolean;
}

/** AuthenticatedContext is what a command valid only after login gets: the logged-in account, and the selected view when there is one. */
export interface AuthenticatedContext extends SessionContext {
  readonly account: Account;
  /** The view selected when the command began (RFC 9051 section 3.3), or null in the authenticated state. */
  readonly view: SelectedMailbox | null;
}

/** SelectedContext is what a command valid only in the selected state gets (RFC 9051 section 3.3): the account and the selected view. */
export interface SelectedContext extends AuthenticatedContext {
  readonly view: SelectedMailbox;
}

/**
 * StateContexts maps each state to the context a command gets in it. Each is a subtype of the ones
 * before it, so a command valid in several states gets, as the union of theirs (ContextFor), the
 * context of the earliest: SessionContext if it may run before login, AuthenticatedContext if it needs
 * a login, SelectedContext if it is valid only in the selected state.
 */
export interface StateContexts {
  'not-authenticated': SessionContext;
  authenticated: AuthenticatedContext;
  selected: SelectedContext;
  logout: SessionContext;
}

/** ContextFor is the context of a command valid in the states S (StateContexts). */
export type ContextFor<S extends SessionState> = StateContexts[S];

/**
 * contextFor builds the context of the session's current state (session.status) for the command with this
 * tag and form: SelectedContext in the selected state, AuthenticatedContext in the authenticated state,
 * else SessionContext. The dispatcher calls it once per command, after checking the command's states.
 */
export function contextFor(session: Session, tag: string, uid: boolean): ContextFor<SessionState> {
  const status = session.status;
  switch (status.state) {
    case 'selected':
      return { session, tag, uid, account: status.account, view: status.view };
    case 'authenticated':
      return { session, tag, uid, account: status.account, view: null };
    default:
      return { session, tag, uid };
  }
}

/**
 * CommandSpec describes one command valid in the states S. `name` is upper-case without "UID ". `run` gets
 * the context of those states (ContextFor): a selected-state command has its account and view as values.
 */
export interface CommandSpec<A = unknown, S extends SessionState = SessionState> {
  name: string;
  /** States in which the command is valid; elsewhere the dispatcher answers BAD. */
  states: readonly S[];
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
   * Does the work, writing untagged responses through ctx.session.out. Returns the text of the tagged OK
   * (may start with a response code, e.g. "[READ-WRITE] SELECT completed"), or undefined for "<NAME> completed".
   * Throws ImapError to refuse.
   */
  run(ctx: ContextFor<S>, args: A): Promise<string | void>;
}
