/**
 * Helpers for the protocol and command tests: frame a command written as text (with CRLF and literal
 * markers) into a RawCommand using the real CommandReader, and read its arguments with the real ArgReader.
 */
import { argReader } from '../../src/protocol/args.js';
import { CommandReader } from '../../src/protocol/reader.js';
import type { ArgReader, RawCommand } from '../../src/protocol/types.js';

/**
 * frameCommand frames `text` (CRLF appended) and returns its one command. Throws Error when the reader does
 * not produce exactly one command (continuations are ignored).
 */
export function frameCommand(text: string | Buffer): RawCommand {
  const bytes = typeof text === 'string' ? Buffer.from(text + '\r\n', 'utf8') : Buffer.concat([text, Buffer.from('\r\n')]);
  const events = new CommandReader().push(bytes).filter((e) => e.kind !== 'continue');
  const first = events[0];
  if (events.length !== 1 || first === undefined || first.kind !== 'command') {
    throw new Error(`expected one command, got ${JSON.stringify(events)}`);
  }
  return first.command;
}

/** readerOf is argReader(frameCommand(text)). */
export function readerOf(text: string | Buffer): ArgReader {
  return argReader(frameCommand(text));
}
