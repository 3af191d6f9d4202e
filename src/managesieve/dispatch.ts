/**
 * dispatch runs one framed ManageSieve command: takes the command name (an atom, case-insensitive, RFC
 * 5804 section 4), finds its spec, checks the session's state, parses the arguments before any work, runs
 * it and writes the OK. It is the only place that turns errors into replies: ManageSieveError -> `NO (code)
 * "text"`, StoreError -> its response code (errors.ts), anything else -> logged with its stack and answered
 * `NO (TRYLATER)` without internal detail. MAX_BAD_COMMANDS malformed or misplaced commands in a row end the
 * session with BYE.
 */
import { MAX_BAD_COMMANDS } from '../limits.js';
import type { ManageSieveSession, SessionState } from './command.js';
import { commands } from './commands/index.js';
import { bad, fromStoreError, ManageSieveError, refuse } from './errors.js';
import { printable, type ReaderEvent } from './reader.js';
import { encodeResponse } from './wire.js';

/** DispatchedSession is what the dispatcher needs of a session besides what commands see. */
export interface DispatchedSession extends ManageSieveSession {
  /** Bad commands in a row; reset by any command that is not refused as bad. */
  badInRow: number;
  /** Runs the callbacks registered with afterReply, in order. */
  runAfterReply(): Promise<void>;
  /** Writes BYE with `text` and closes the connection. */
  bye(text: string): void;
}

/** dispatch handles one reader event of the connection (never `fatal`: the connection handles that). Never throws for client input. */
export async function dispatch(c: DispatchedSession, item: Exclude<ReaderEvent, { kind: 'fatal' }>): Promise<void> {
  if (item.kind === 'invalid') return reply(c, bad(item.message));
  if (item.kind === 'oversized') {
    // The literal was skipped unread: a script (PUTSCRIPT, CHECKSCRIPT) over the limit, else a string no command takes.
    if (item.name === 'PUTSCRIPT' || item.name === 'CHECKSCRIPT') return reply(c, refuse(`Script is larger than ${c.scriptLimits.maxOctets} octets.`, 'QUOTA/MAXSIZE'));
    return reply(c, bad('String too long.'));
  }
  const [first, ...args] = item.tokens;
  if (!first) return reply(c, bad('Empty command.'));
  if (first.kind !== 'atom') return reply(c, bad('Expected a command name.'));
  const name = first.value.toUpperCase();
  const spec = commands.get(name);
  if (!spec) return reply(c, bad(`Unknown command: ${printable(name)}`));
  const state: SessionState = c.account ? 'authenticated' : 'unauthenticated';
  if (!spec.states.includes(state)) {
    return reply(c, bad(state === 'authenticated' ? `${name} is not valid after authentication.` : `${name} needs authentication first.`));
  }
  try {
    const parsed = spec.parse(args);
    const ok = await spec.run({ session: c, account: c.account }, parsed);
    c.write(typeof ok === 'string' ? encodeResponse('OK', null, ok) : encodeResponse('OK', ok.code, ok.text));
    c.badInRow = 0;
  } catch (err) {
    const mapped = err instanceof ManageSieveError ? err : fromStoreError(err);
    if (mapped) reply(c, mapped);
    else {
      c.log.error({ err, command: name }, 'command failed');
      reply(c, refuse('Internal error occurred. Refer to the server log for more information.', 'TRYLATER'));
    }
  }
  await c.runAfterReply();
}

/** reply writes the NO for `err` and counts bad commands; the MAX_BAD_COMMANDS-th in a row is answered BYE and ends the session. */
function reply(c: DispatchedSession, err: ManageSieveError): void {
  if (!err.badCommand) c.badInRow = 0;
  else if (++c.badInRow >= MAX_BAD_COMMANDS) {
    c.bye('Too many invalid commands.');
    return;
  }
  c.write(encodeResponse('NO', err.code, err.message));
}
