/**
 * until: waiting in a test for work done in the background (an indexer thread, a purge, a listener), by
 * checking its visible result, never by a timed sleep.
 */
import assert from 'node:assert/strict';

/**
 * until resolves once `predicate` (sync or async) holds, checking it every `everyMs` milliseconds, and
 * fails the test naming `what` when it still does not after `timeoutMs` milliseconds.
 */
export async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 20): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await predicate())) {
    if (performance.now() > deadline) assert.fail(`waited ${timeoutMs / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
