/**
 * bench/overload.ts: how fast a new connection is answered while N connections (default 500) send
 * NOOP as fast as a real `letterbox serve` answers them. Prints the throughput of the busy
 * connections and the latency (connect -> greeting -> NOOP -> tagged OK) of fresh connections.
 *
 *   node --import tsx bench/overload.ts [--connections 500] [--seconds 10] [--probes 20]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { probe, startLoad } from '../test/support/load.js';
import { startServe } from '../test/support/server.js';

const { values } = parseArgs({
  options: { connections: { type: 'string', default: '500' }, seconds: { type: 'string', default: '10' }, probes: { type: 'string', default: '20' } },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const probes = Number(values.probes);

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-bench-overload-'));
const srv = await startServe(dataDir, { maxConnections: connections + 10 });
try {
  const load = await startLoad(srv.imapPort, connections);
  await sleep(1000);
  const start = load.replies();
  const t0 = performance.now();
  const latencies: number[] = [];
  const interval = (seconds * 1000) / probes;
  for (let i = 0; i < probes; i++) {
    const p = await probe(srv.imapPort);
    if (p.reply !== 'p OK NOOP completed') throw new Error(`probe ${i}: ${p.greeting} / ${p.reply}`);
    latencies.push(p.ms);
    await sleep(Math.max(0, interval - p.ms));
  }
  const elapsed = (performance.now() - t0) / 1000;
  const done = load.replies() - start;
  await load.stop();
  latencies.sort((a, b) => a - b);
  const q = (f: number): string => latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))]!.toFixed(1);
  console.log(`busy connections: ${connections}, ${(done / elapsed).toFixed(0)} NOOP/s answered over ${elapsed.toFixed(1)} s`);
  console.log(`new connection to NOOP OK: p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(1)} ms (${probes} probes)`);
} finally {
  srv.proc.kill('SIGTERM');
  await srv.exited;
  await rm(dataDir, { recursive: true, force: true });
}
