/**
 * dispatch runs one framed command: reads the tag and name, checks the state, parses the whole command
 * into typed arguments before any I/O, runs it, brings the selected view up to date, and writes the
 * tagged reply. It is the only place that turns errors into replies (RFC 9051 section 7.1):
 * ParseError -> BAD, MailboxNameError -> NO [CANNOT], ImapError -> its status, StoreError -> NO with its response code,
 * StorageUnavailableError -> NO [UNAVAILABLE] (and a warning in the log), anything else
 * -> logged with its stack and answered `NO [SERVERBUG]` without internal detail.
 */
import { argReader, readCommandHead, tryReadTag } from '../protocol/args.js';
import { MAX_BAD_COMMANDS } from '../limits.js';
import { MailboxNameError, ParseError } from '../protocol/types.js';
import { StorageUnavailableError } from '../store/types.js';
import { contextFor, type CommandSpec } from './command.js';
import { commands } from './commands/index.js';
import { fromStoreError, ImapError } from './errors.js';
import type { DispatchedSession, Pending } from './session.js';

/** dispatch handles one queue entry of the connection. Never throws for client input. */
export async function dispatch(c: DispatchedSession, item: Pending): Promise<void> {
  if (item.kind === 'error') {
    replyBad(c, item.tag ?? '*', item.message, item.code);
    if (item.fatal) c.bye('Unrecoverable protocol error');
    return;
  }
  const raw = item.command;
  const tag = tryReadTag(raw);
  if (tag === null) {
    // An empty line between commands is harmless; answer anything else so the client knows.
    if (raw.literals.length === 0 && raw.lines[0]!.length === 0) return;
    replyBad(c, '*', 'Invalid tag');
    return;
  }

  let spec: CommandSpec;
  let args: unknown;
  let uid = false;
  try {
    const r = argReader(raw);
    const head = readCommandHead(r);
    let name = head.name;
    if (name.startsWith('UID ')) {
      uid = true;
      name = name.slice(4);
    }
    const found = commands.get(name);
    if (!found || (uid && !found.uidForm)) {
      replyBad(c, tag, `Unknown command ${uid ? 'UID ' : ''}${name}`);
      return;
    }
    spec = found;
    if (!spec.states.includes(c.state)) {
      replyBad(c, tag, `${name} is not valid in the ${describeState(c.state)} state`);
      return;
    }
    args = spec.parse(r, c);
  } catch (err) {
    if (err instanceof ParseError) {
      replyBad(c, tag, err.message, err.code);
      return;
    }
    if (err instanceof MailboxNameError) {
      reply(c, tag, new ImapError('NO', 'CANNOT', err.message));
      return;
    }
    if (err instanceof ImapError) {
      reply(c, tag, err);
      return;
    }
    throw err;
  }

  const allowExpunge = spec.allowExpunge ? spec.allowExpunge(uid) : true;
  const started = performance.now();
  try {
    await runParsed(c, spec, args, tag, uid, allowExpunge);
  } finally {
    c.metrics.command(spec.name, (performance.now() - started) / 1000);
  }
}

async function runParsed(c: DispatchedSession, spec: CommandSpec, args: unknown, tag: string, uid: boolean, allowExpunge: boolean): Promise<void> {
  try {
    const text = await spec.run(contextFor(c, tag, uid), args);
    if (c.isClosed) return;
    await c.sync(allowExpunge);
    c.badInRow = 0;
    c.out.tagged(tag, 'OK', text ?? `${uid ? 'UID ' : ''}${spec.name} completed`);
    await c.runAfterTagged();
  } catch (err) {
    const mapped = err instanceof ImapError ? err : err instanceof ParseError ? new ImapError('BAD', err.code ?? null, err.message) : fromStoreError(err);
    if (mapped) {
      // The client hears only that the store is unavailable; the operator reads why here.
      if (err instanceof StorageUnavailableError) c.log.warn({ err, command: spec.name }, 'the store is unavailable');
      if (mapped.status !== 'BYE' && !c.isClosed) await safeSync(c, allowExpunge);
      reply(c, tag, mapped);
      return;
    }
    c.log.error({ err, command: spec.name }, 'command failed');
    c.out.tagged(tag, 'NO', '[SERVERBUG] Internal error occurred. Refer to the server log for more information.');
  }
}

async function safeSync(c: DispatchedSession, allowExpunge: boolean): Promise<void> {
  try {
    await c.sync(allowExpunge);
  } catch (err) {
    const mapped = err instanceof ImapError ? err : fromStoreError(err);
    if (mapped?.status === 'BYE') c.bye(mapped.message);
    else if (!mapped) c.log.error({ err }, 'sync failed');
  }
}

function reply(c: DispatchedSession, tag: string, err: ImapError): void {
  const code = err.code ? `[${err.code}] ` : '';
  if (err.status === 'BYE') {
    c.bye(`${code}${err.message}`);
    return;
  }
  if (err.status === 'BAD') {
    replyBad(c, tag, err.message, err.code ?? undefined);
    return;
  }
  c.badInRow = 0;
  c.out.tagged(tag, 'NO', `${code}${err.message}`);
}

function replyBad(c: DispatchedSession, tag: string, message: string, code?: string): void {
  c.out.tagged(tag, 'BAD', `${code ? `[${code}] ` : ''}${message}`);
  if (++c.badInRow >= MAX_BAD_COMMANDS) c.bye('Too many invalid commands.');
}

function describeState(s: string): string {
  return s.replace('-', ' ');
}
