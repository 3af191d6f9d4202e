/**
 * `npm run bench`: every benchmark at its default size, one after the other, each in its own process (so
 * one's memory does not weigh on the next). Flags after `--` go to every benchmark, e.g.
 * `npm run bench -- --servers letterbox`. Set BENCH_ONLY=idle,ingest to run some of them.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ALL = ['command-mix', 'idle', 'big-mailbox', 'ingest'];
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean) ?? ALL;
let failed = 0;
for (const name of ALL.filter((n) => only.includes(n))) {
  const file = path.join(import.meta.dirname, `${name}.ts`);
  const t = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...process.argv.slice(2)], { stdio: 'inherit' });
  console.log(`# ${name}: exit ${r.status ?? r.signal}, ${((Date.now() - t) / 1000).toFixed(0)} s`);
  if (r.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
