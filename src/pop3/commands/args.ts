/**
 * Argument parsing for POP3 commands (RFC 1939 section 3, RFC 2449 section 3): arguments are separated by
 * single spaces (any run of spaces is accepted) and parsed to typed values before a command runs; a
 * malformed argument is a bad command.
 */
import { bad } from '../errors.js';

/** words splits an argument string into its arguments; exactly `min`..`max` of them, else Pop3Error (bad command) naming the command. */
export function words(args: string, name: string, min: number, max: number): string[] {
  const list = args.split(' ').filter((w) => w !== '');
  if (list.length < min || list.length > max) {
    const plural = (n: number): string => `${n} argument${n === 1 ? '' : 's'}`;
    const expected = max === 0 ? 'no arguments' : min === max ? plural(max) : min === 0 ? `at most ${plural(max)}` : `${min} to ${max} arguments`;
    throw bad(`${name} takes ${expected}.`);
  }
  return list;
}

/** messageNumber reads a message number (RFC 1939: a decimal number, 1 or more). Throws Pop3Error (bad command). */
export function messageNumber(arg: string): number {
  if (!/^\d{1,10}$/.test(arg) || Number(arg) < 1) throw bad('Invalid message number.');
  return Number(arg);
}

/**
 * lineCount reads TOP's line count (RFC 1939 section 7: a non-negative number). Clients ask for "all" with
 * a huge one (fetchmail sends 99999999), so any length is accepted and capped. Throws Pop3Error (bad command).
 */
export function lineCount(arg: string): number {
  if (!/^\d+$/.test(arg)) throw bad('Invalid number of lines.');
  return Math.min(Number(arg), Number.MAX_SAFE_INTEGER);
}

/** optionalMessage parses the optional message number of LIST and UIDL. */
export function optionalMessage(args: string, name: string): number | null {
  const [arg] = words(args, name, 0, 1);
  return arg === undefined ? null : messageNumber(arg);
}

/** noArguments accepts only an empty argument string (STAT, RSET, NOOP, QUIT, CAPA, STLS). */
export function noArguments(args: string, name: string): void {
  words(args, name, 0, 0);
}
