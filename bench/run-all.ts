/**
 * `npm run bench`: every benchmark at its default size, one after the other, each in its own process (so
 * one's memory does not weigh on the next). Flags after `--` go to every benchmark, e.g.
 * `npm run bench -- --servers letterbox`. Name benchmarks to run only those, e.g. `npm run bench -- imaptest`
 * (or set BENCH_ONLY=idle,ingest).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ALL = ['command-mix', 'idle', 'big-mailbox', 'ingest', 'imaptest'];
const named = process.argv.slice(2).filter((a) => ALL.includes(a));
const only = named.length > 0 ? named : (process.env.BENCH_ONLY?.split(',').filter(Boolean) ?? ALL);
const passed = process.argv.slice(2).filter((a) => !ALL.includes(a));
let failed = 0;
for (const name of ALL.filter((n) => only.includes(n))) {
  const file = path.join(import.meta.dirname, `${name}.ts`);
  const t = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...passed], { stdio: 'inherit' });
  console.log(`# ${name}: exit ${r.status ?? r.signal}, ${((Date.now() - t) / 1000).toFixed(0)} s`);
  if (r.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
