/**
 * The one fake IMAP session of the unit tests: a Session without a socket, over whatever store the test
 * gives it (usually a real SQLite store in memory). What a connection would send is recorded instead
 * (`responses`, `untagged`), and runCommand runs a command line through the real argument reader and the
 * command's own parse and run, as the dispatcher does.
 */
import type { Account, Store } from '../../src/store/types.js';
import { readCommandHead } from '../../src/protocol/args.js';
import { contextFor, type CommandSpec, type ContextFor } from '../../src/imap/command.js';
import type { SelectedMailbox } from '../../src/imap/selected.js';
import type { Session, SessionState, SessionStatus } from '../../src/imap/session.js';
import { readerOf } from './protocol.js';

/** FakeSessionOptions: what differs between tests; everything not given is off, empty or null. */
export interface FakeSessionOptions {
  /** Default: 'selected' with a view, 'authenticated' with an account, else 'not-authenticated'. */
  state?: SessionState;
  store?: Store;
  account?: Account | null;
  selected?: SelectedMailbox | null;
  rev2?: boolean;
  utf8?: boolean;
  /** What capabilities() answers. */
  capabilities?: string[];
  /** Where store calls are recorded (mailbox.ts mailboxWith wraps its store to fill it). */
  calls?: string[];
}

/**
 * FakeSession is a Session whose output is recorded: `responses` holds each written response as bytes
 * (untagged ones as `* text\r\n`), `untagged` the text of each untagged response (no "* ", no CRLF), and
 * `calls` the store calls a recording store reported.
 */
export interface FakeSession extends Session {
  readonly responses: Buffer[];
  readonly untagged: string[];
  readonly calls: string[];
  /** The selected view (status.view); throws when the session has none. */
  readonly view: SelectedMailbox;
}

/**
 * fakeSession builds a FakeSession. Only what command handlers use is there: status and state (from
 * `state`, `account` and `selected`), store, enabled, rev2, utf8, out (untagged, write, drain),
 * capabilities(), login(), select(), deselect() and markChanged() (which sets `changed`); anything else a
 * handler touches is undefined.
 */
export function fakeSession(opts: FakeSessionOptions = {}): FakeSession {
  const responses: Buffer[] = [];
  const untagged: string[] = [];
  const account = opts.account ?? null;
  const state = opts.state ?? (opts.selected ? 'selected' : account ? 'authenticated' : 'not-authenticated');
  let status: SessionStatus;
  if (state === 'selected' && account && opts.selected) status = { state, account, view: opts.selected };
  else if ((state === 'selected' || state === 'authenticated') && account) status = { state: 'authenticated', account };
  else if (state === 'logout') status = { state };
  else status = { state: 'not-authenticated' };
  const session = {
    get status(): SessionStatus {
      return status;
    },
    get state(): SessionState {
      return status.state;
    },
    get view(): SelectedMailbox {
      if (status.state !== 'selected') throw new Error('fakeSession: no mailbox is selected');
      return status.view;
    },
    store: opts.store,
    rev2: opts.rev2 ?? false,
    utf8: opts.utf8 ?? false,
    enabled: new Set<string>(),
    responses,
    untagged,
    calls: opts.calls ?? [],
    out: {
      untagged: (text: string) => {
        untagged.push(text);
        responses.push(Buffer.from(`* ${text}\r\n`));
      },
      write: (pieces: Array<string | Buffer>) =>
        void responses.push(Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)))),
      drain: async () => {},
    },
    capabilities: () => opts.capabilities ?? [],
    login(a: Account) {
      status = { state: 'authenticated', account: a };
    },
    select(view: SelectedMailbox) {
      if (status.state === 'authenticated' || status.state === 'selected') status = { state: 'selected', account: status.account, view };
    },
    deselect() {
      if (status.state === 'selected') status = { state: 'authenticated', account: status.account };
    },
    markChanged() {
      (session as unknown as { changed: boolean }).changed = true;
    },
  };
  return session as unknown as FakeSession;
}

/**
 * runCommand parses `line` (e.g. "A1 UID FETCH 1:* FLAGS") with the real ArgReader and runs `spec` on the
 * session with the context of the session's state, as the dispatcher does (contextFor). Throws when the
 * command is not valid in the session's state, which the dispatcher would answer BAD.
 */
export async function runCommand<A, S extends SessionState>(spec: CommandSpec<A, S>, s: Session, line: string): Promise<string | void> {
  if (!(spec.states as readonly SessionState[]).includes(s.state)) throw new Error(`runCommand: ${spec.name} is not valid in state ${s.state}`);
  const r = readerOf(line);
  const head = readCommandHead(r);
  const args = spec.parse(r, s);
  // The state was checked above, so the context is the one of a state in S.
  return spec.run(contextFor(s, line.split(' ')[0]!, head.name.startsWith('UID ')) as ContextFor<S>, args);
}

/** text returns a session's responses as one string (bytes read as latin1, so 8-bit bytes stay visible one to one). */
export function text(s: FakeSession): string {
  return Buffer.concat(s.responses).toString('latin1');
}
