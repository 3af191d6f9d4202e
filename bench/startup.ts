/**
 * Start-up cost of the `letterbox` command, as an operator and an MTA pay it: wall time of `node -e 0`
 * (the floor), `letterbox --version`, and `letterbox deliver` of one real message (what Postfix's
 * mailbox_command runs per message), each the median of several runs; and the resident memory (VmRSS) of
 * `letterbox serve` a moment after its ready line (SQLite, IMAP 143/993 with a self-signed certificate,
 * LMTP on TCP and the socket: the quick start's server), and the same started with a config file. Targets (issue 13): both commands within 5x
 * `node -e 0`, the server at most 64 MiB.
 *
 *   node --import tsx bench/startup.ts [--runs 15] [--settle-ms 2000]
 *   LETTERBOX_ROOT=/path/to/other/checkout node --import tsx bench/startup.ts   # another build
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/support/ports.js';
import { flags, machine, numFlag } from './lib/report.js';
import { LETTERBOX_ROOT, rssBytes } from './lib/servers.js';

const f = flags();
const RUNS = numFlag(f, 'runs', 15);
const SETTLE_MS = numFlag(f, 'settle-ms', 2000);
const BIN = path.join(LETTERBOX_ROOT, 'bin', 'letterbox.js');
const ENV = { ...process.env, LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };

/** median wall time in seconds of running `args` with node, `RUNS` times (after one warm-up run for the page cache). */
function time(args: string[], input: string | Buffer = ''): number {
  const run = (): number => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { input, env: ENV, stdio: ['pipe', 'ignore', 'pipe'] });
    const s = (performance.now() - t) / 1000;
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr?.toString()}`);
    return s;
  };
  run();
  const xs = Array.from({ length: RUNS }, run).sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

/** serveRss starts `letterbox serve` on free ports in `dir`, waits for its ready line and SETTLE_MS, and returns its VmRSS in octets. */
async function serveRss(dir: string, withConfig = false): Promise<number> {
  const [imap, imaps, lmtp] = [await freePort(), await freePort(), await freePort()];
  const config = path.join(dir, 'bench.yaml');
  const [pop3, pop3s] = [await freePort(), await freePort()];
  await writeFile(config, `data_dir: ${dir}\nimap: { host: 127.0.0.1, port: ${imap}, tls_port: ${imaps} }\npop3: { host: 127.0.0.1, port: ${pop3}, tls_port: ${pop3s} }\nlmtp: { port: ${lmtp} }\n`);
  const ports = ['--imap-port', `${imap}`, '--imaps-port', `${imaps}`, '--pop3-port', `${pop3}`, '--pop3s-port', `${pop3s}`, '--lmtp-port', `${lmtp}`];
  const args = withConfig ? ['--config', config] : ['--data-dir', dir, '--host', '127.0.0.1', ...ports];
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: ENV,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Letterbox ready')) resolve();
      });
      void exited.then(() => reject(new Error(`letterbox serve exited before it was ready: ${out}`)));
    });
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return rssBytes([child.pid!]);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-startup-'));
try {
  const add = spawnSync(process.execPath, [BIN, 'user', 'add', 'alice@example.com', '--password-stdin', '--data-dir', dir], { input: 'pw\n', env: ENV });
  if (add.status !== 0) throw new Error(`user add failed: ${add.stderr.toString()}`);
  // A real message whose Subject is an RFC 2047 encoded-word, so the decoding libraries are loaded as for most mail.
  const message = await readFile(path.resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'real', '01428.eml'));

  const floor = time(['-e', '0']);
  const version = time([BIN, '--version']);
  const deliver = time([BIN, 'deliver', '--data-dir', dir, 'alice@example.com'], message);
  // The self-signed certificate is generated at the first start; measure a later one, as a server runs.
  await serveRss(dir);
  const rss = await serveRss(dir);
  const rssConfig = await serveRss(dir, true);

  const rows: Array<[string, string, string]> = [
    ['node -e 0', `${floor.toFixed(3)} s`, '1.0x'],
    ['letterbox --version', `${version.toFixed(3)} s`, `${(version / floor).toFixed(1)}x node -e 0 (target <= 5x)`],
    ['letterbox deliver (one message)', `${deliver.toFixed(3)} s`, `${(deliver / floor).toFixed(1)}x node -e 0 (target <= 5x)`],
    ['letterbox serve RSS after start', `${(rss / 2 ** 20).toFixed(1)} MiB`, 'target <= 64 MiB'],
    ['the same with a config file (--config)', `${(rssConfig / 2 ** 20).toFixed(1)} MiB`, 'loads the YAML parser and the validator too'],
  ];
  console.log(`\n## startup {"runs":${RUNS},"settleMs":${SETTLE_MS},"root":${JSON.stringify(LETTERBOX_ROOT)}}`);
  console.log('| figure | value | against |');
  console.log('|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log(
    JSON.stringify({
      bench: 'startup',
      params: { runs: RUNS, settleMs: SETTLE_MS, root: LETTERBOX_ROOT },
      machine: machine(),
      figures: { nodeSeconds: floor, versionSeconds: version, deliverSeconds: deliver, serveRssBytes: rss, serveWithConfigRssBytes: rssConfig },
    }),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
