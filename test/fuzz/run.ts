/**
 * The long-running fuzzer (`npm run fuzz -- --seconds N [--target command|mime|all] [--seed S]`): runs the
 * targets of targets.ts on mutations of their seeds for N seconds each (default 60), with a new seed per
 * round, and saves any failing input as test/fuzz/regressions/<target>-<hash>.json, which
 * test/fuzz/regressions.test.ts then replays in CI. Exits 1 when it found a failure.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { commandSeeds, FuzzFailure, fuzzFor, mimeSeeds, type TargetName } from './targets.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, target: { type: 'string', default: 'all' }, seed: { type: 'string' } },
});
const seconds = Number(values.seconds);
const targets: TargetName[] = values.target === 'all' ? ['command', 'mime'] : [values.target as TargetName];
const seeds: Record<TargetName, Buffer[]> = { command: commandSeeds(), mime: mimeSeeds() };
let failures = 0;
const saved = new Set<string>();

for (const target of targets) {
  const deadline = Date.now() + seconds * 1000;
  let seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  let total = 0;
  while (Date.now() < deadline) {
    try {
      total += fuzzFor(target, seeds[target], { ms: Math.min(10_000, deadline - Date.now()), seed });
    } catch (err) {
      if (!(err instanceof FuzzFailure)) throw err;
      const hash = createHash('sha256').update(err.input).digest('hex').slice(0, 12);
      // The same input again (a failing seed is tried first in every round): nothing new to find here.
      if (saved.has(hash)) break;
      saved.add(hash);
      failures++;
      const file = path.join(import.meta.dirname, 'regressions', `${target}-${hash}.json`);
      const error = err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}` : String(err.cause);
      writeFileSync(file, `${JSON.stringify({ target, input: err.input.toString('base64'), error, found: new Date().toISOString(), seed }, null, 2)}\n`);
      console.log(`${target}: FAILURE (seed ${seed}): ${error}\n  saved ${path.relative(process.cwd(), file)}`);
    }
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
  }
  console.log(`${target}: ${total} inputs in ${seconds} s`);
}
process.exit(failures > 0 ? 1 : 0);
