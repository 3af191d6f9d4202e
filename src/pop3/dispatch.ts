/**
 * dispatch runs one POP3 command line: splits the keyword (case-insensitive, RFC 1939 section 3) from its
 * arguments, finds the handler for the session's state, parses the arguments before any work, runs it and
 * writes the reply. It is the only place that turns errors into replies: Pop3Error -> `-ERR [code] text`,
 * StoreError -> its message with [SYS/PERM], anything else -> logged with its stack and answered
 * `-ERR [SYS/TEMP]` without internal detail. MAX_BAD_COMMANDS malformed or misplaced commands in a row end
 * the session.
 */
import { MAX_BAD_COMMANDS } from '../limits.js';
import type { CommandSpec, DispatchedPop3Session } from './command.js';
import { commands } from './commands/index.js';
import { bad, fromStoreError, Pop3Error } from './errors.js';
import type { LineEvent } from './line-reader.js';

/** dispatch handles one queue entry of the connection. Never throws for client input. */
export async function dispatch(c: DispatchedPop3Session, item: LineEvent): Promise<void> {
  if (item.kind === 'too-long') {
    reply(c, bad('Line too long.'));
    return;
  }
  const line = item.text;
  const space = line.indexOf(' ');
  const name = (space < 0 ? line : line.slice(0, space)).toUpperCase();
  const rest = space < 0 ? '' : line.slice(space + 1);
  const spec: CommandSpec | undefined = commands.get(name);
  if (!spec) {
    reply(c, bad(name === '' ? 'Empty command.' : `Unknown command: ${printable(name)}`));
    return;
  }
  const t = c.transaction;
  const handler = t ? spec.transaction : spec.authorization;
  if (!handler) {
    reply(c, bad(`${name} is not valid in the ${t ? 'TRANSACTION' : 'AUTHORIZATION'} state.`));
    return;
  }
  try {
    const args = spec.parse(rest);
    const text = t ? await spec.transaction!(c, args, t) : await spec.authorization!(c, args);
    if (typeof text === 'string') c.out.ok(text);
    c.badInRow = 0;
  } catch (err) {
    const mapped = err instanceof Pop3Error ? err : fromStoreError(err);
    if (mapped) reply(c, mapped);
    else {
      c.log.error({ err, command: name }, 'command failed');
      reply(c, new Pop3Error('Internal error occurred. Refer to the server log for more information.', 'SYS/TEMP'));
    }
  }
  await c.runAfterReply();
}

/** reply writes the -ERR for `err` and counts bad commands; the MAX_BAD_COMMANDS-th in a row is answered "Too many invalid commands." and ends the session. */
function reply(c: DispatchedPop3Session, err: Pop3Error): void {
  if (!err.badCommand) c.badInRow = 0;
  else if (++c.badInRow >= MAX_BAD_COMMANDS) {
    c.out.err('Too many invalid commands.');
    c.close();
    return;
  }
  c.out.err(`${err.code ? `[${err.code}] ` : ''}${err.message}`);
}

/** printable shows at most 20 characters of a client's keyword, without control characters. */
function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.slice(0, 20).replace(/[\x00-\x1f\x7f]/g, '?');
}
