/**
 * Helpers for transcript tests: exact-line assertions on a RawClient exchange.
 */
import assert from 'node:assert/strict';
import type { RawClient } from './raw-client.js';

/** exchange sends `tag command` and asserts the complete list of response lines exactly. */
export async function exchange(c: RawClient, tag: string, command: string, expected: string[]): Promise<void> {
  const lines = await c.command(tag, command);
  assert.deepEqual(lines, expected, `response to: ${tag} ${command}`);
}

/** exchangeLike is exchange with RegExp entries allowed where a value is not fixed (e.g. UIDVALIDITY). */
export async function exchangeLike(c: RawClient, tag: string, command: string, expected: Array<string | RegExp>): Promise<string[]> {
  const lines = await c.command(tag, command);
  assert.equal(lines.length, expected.length, `line count for ${tag} ${command}: ${JSON.stringify(lines, null, 1)}`);
  expected.forEach((e, i) => {
    if (typeof e === 'string') assert.equal(lines[i], e, `line ${i} for ${tag} ${command}`);
    else assert.match(lines[i]!, e, `line ${i} for ${tag} ${command}`);
  });
  return lines;
}

/** CRLF-join lines into a message. */
export function msg(...lines: string[]): string {
  return lines.join('\r\n') + '\r\n';
}
