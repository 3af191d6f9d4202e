/**
 * Benchmark 5, Dovecot's own stress tool: imaptest (../shared/tools/imaptest) with C clients for S seconds
 * against Letterbox and Dovecot, in the default mix (sessions log out every few commands) and with
 * long-lived sessions (`logout=0`, as mail clients keep them). Reports commands per second (imaptest's
 * Totals line), the checker's Error/Warning lines (must be 0: a fast wrong server is no win) and the
 * server's CPU seconds per 1000 commands (all its processes, from /proc). Dovecot stores the same argon2id
 * hash as Letterbox, so LOGIN costs both the same.
 *
 * Usage: node --import tsx bench/imaptest.ts [--clients 50] [--seconds 20] [--users 50] [--mbox 200]
 *        [--mixes default,logout=0] [--servers letterbox,letterbox-postgres,dovecot] [--workers N]
 * BENCH_PG_URL (or 127.0.0.1:5432) is where letterbox-postgres gets a database of its own.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkerLines, corpusMbox, imaptest, runImaptest } from '../test/support/imaptest.js';
import { testDatabase, type TestDatabase } from '../test/support/postgres.js';
import { flags, listFlag, numFlag, printReport, serversFlag, type Figure } from './lib/report.js';
import { PASSWORD, startDovecotBench, startLetterbox, type Server } from './lib/servers.js';

const f = flags();
const CLIENTS = numFlag(f, 'clients', 50);
const SECONDS = numFlag(f, 'seconds', 20);
const USERS = numFlag(f, 'users', 50);
const MBOX = numFlag(f, 'mbox', 200);
const MIXES = listFlag(f, 'mixes', ['default', 'logout=0']);
const SERVERS = serversFlag(f, ['letterbox', 'letterbox-postgres', 'dovecot']);
/** --workers N: Letterbox's serve.workers (default: its own default, one per core but one, at least one). */
const WORKERS = f.has('workers') ? numFlag(f, 'workers', 1) : undefined;

const tool = imaptest();
if ('error' in tool) throw new Error(tool.error);
const users = Array.from({ length: USERS }, (_, i) => `testuser${i + 1}@example.com`);

/** cpuSeconds is the user+system CPU time of the processes so far, in seconds (/proc/PID/stat, clock ticks of 1/100 s). */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime (fields 14-17 of stat; 11-14 after the command name): children that ended count too.
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
}

interface Run {
  cmdsPerSec: number;
  checker: number;
  cpuPer1000: number;
  firstChecker: string;
}

/** totalsPerSecond reads imaptest's Totals line: the sum of its per-command counts divided by the run's seconds. */
function totalsPerSecond(output: string): number {
  const lines = output.split('\n');
  const i = lines.findIndex((l) => l.startsWith('Totals:'));
  if (i < 0) throw new Error(`imaptest printed no Totals:\n${output.slice(-2000)}`);
  // After "Totals:" come the command names, one or two lines of percentages, then one count per command.
  const countLine = lines.slice(i + 1).find((l) => /^[\s\d]+$/.test(l) && l.trim() !== '');
  if (countLine === undefined) throw new Error(`imaptest printed no counts after Totals:\n${output.slice(-2000)}`);
  const counts = countLine.trim().split(/\s+/).map(Number);
  return counts.reduce((a, b) => a + b, 0) / SECONDS;
}

async function measure(server: Server, mbox: string, mix: string): Promise<Run> {
  const args = [
    'host=127.0.0.1',
    `port=${server.port}`,
    'user=testuser%d@example.com',
    `users=${USERS}`,
    `pass=${PASSWORD}`,
    `clients=${CLIENTS}`,
    `secs=${SECONDS}`,
    'seed=123',
    `mbox=${mbox}`,
    ...(mix === 'default' ? [] : [mix]),
  ];
  const before = cpuSeconds(server.pids());
  const run = await runImaptest((tool as { path: string }).path, args, { timeoutMs: (SECONDS + 120) * 1000 });
  const cpu = cpuSeconds(server.pids()) - before;
  if (process.env.BENCH_IMAPTEST_OUT) writeFileSync(process.env.BENCH_IMAPTEST_OUT, run.output);
  const bad = checkerLines(run.output);
  const perSec = totalsPerSecond(run.output);
  return { cmdsPerSec: perSec, checker: bad.length, cpuPer1000: (cpu / (perSec * SECONDS)) * 1000, firstChecker: bad[0] ?? '' };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-imaptest-'));
const mbox = path.join(dir, 'stress.mbox');
corpusMbox(mbox, MBOX);
const figures: Figure[] = MIXES.flatMap((mix) => [
  { name: `${mix} cmds/s`, unit: 'cmds/s', better: 'higher' as const, values: {}, target: mix === 'default' ? '>= 2x Dovecot' : '>= 1.5x Dovecot' },
  { name: `${mix} checker errors`, unit: 'lines', better: 'lower' as const, values: {}, target: '0' },
  { name: `${mix} CPU per 1000 cmds`, unit: 's', better: 'lower' as const, values: {} },
]);
const notes: string[] = [];
for (const name of SERVERS) {
  let db: TestDatabase | undefined;
  let server: Server;
  if (name === 'dovecot') server = await startDovecotBench({ users, connections: CLIENTS * 2 });
  else {
    db = name === 'letterbox-postgres' ? await testDatabase() : undefined;
    server = await startLetterbox({ users, ...(db ? { storage: db.url } : {}), ...(WORKERS === undefined ? {} : { workers: WORKERS }) });
  }
  try {
    for (const mix of MIXES) {
      const r = await measure(server, mbox, mix);
      const [rate, checker, cpu] = figures.filter((x) => x.name.startsWith(`${mix} `));
      rate!.values[name] = r.cmdsPerSec;
      checker!.values[name] = r.checker;
      cpu!.values[name] = r.cpuPer1000;
      if (r.firstChecker) notes.push(`${name} ${mix}: ${r.firstChecker}`);
      console.error(`${name} ${mix}: ${r.cmdsPerSec.toFixed(0)} cmds/s, ${r.checker} checker lines, ${r.cpuPer1000.toFixed(3)} CPU s per 1000 commands`);
    }
  } finally {
    await server.stop();
    await db?.drop();
  }
}
await rm(dir, { recursive: true, force: true });
printReport('imaptest', { clients: CLIENTS, seconds: SECONDS, users: USERS, mbox: MBOX, cores: os.cpus().length, workers: WORKERS ?? 'default' }, figures, notes);
