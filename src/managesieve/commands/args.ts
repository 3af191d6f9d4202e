/** Argument parsers shared by the ManageSieve commands: typed values from tokens, or a bad-command NO naming what is wrong. */
import { bad } from '../errors.js';
import type { Token } from '../reader.js';

/** strings reads exactly `min` to `max` string arguments of `command`. Throws ManageSieveError (bad command). */
export function strings(args: readonly Token[], command: string, min: number, max = min): string[] {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw bad(`${command} takes ${want} argument${max === 1 ? '' : 's'}, ${args.length} given.`);
  }
  return args.map((t, i) => {
    if (t.kind !== 'string') throw bad(`${command}: argument ${i + 1} must be a string.`);
    return t.value;
  });
}

/** noArguments refuses any argument. */
export function noArguments(args: readonly Token[], command: string): void {
  if (args.length > 0) throw bad(`${command} takes no arguments.`);
}
