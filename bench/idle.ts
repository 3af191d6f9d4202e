/**
 * Benchmark 2, idle connections: C authenticated connections of one user, each in IDLE on INBOX (10,000 on
 * Letterbox; 1,000 on Dovecot, which runs one process per connection). Reports the server's resident
 * memory per connection (all its processes: RSS summed, and PSS summed, which splits shared pages among
 * the processes sharing them), and the time from an APPEND on another connection until every idle
 * connection has received the new EXISTS.
 *
 * Usage: node --import tsx bench/idle.ts [--letterbox 10000] [--dovecot 1000] [--parallel 100] [--servers letterbox,dovecot]
 *        [--workers N] (Letterbox's serve.workers; default: its own, one per core but one, at least one)
 */
import { ImapClient, quoted } from './lib/imap.js';
import { messages } from './lib/corpus.js';
import { flags, now, numFlag, percentile, printReport, serversFlag, type Figure } from './lib/report.js';
import { pssBytes, rssBytes, PASSWORD, startDovecotBench, startLetterbox, type Server } from './lib/servers.js';

const USER = 'idle@bench.test';

interface Measured {
  connections: number;
  rssBase: number;
  rssIdle: number;
  pssBase: number;
  pssIdle: number;
  openSeconds: number;
  /** ms until each connection saw EXISTS, sorted. */
  reach: number[];
  missed: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function openIdle(server: Server): Promise<ImapClient> {
  const c = await ImapClient.connect(server.port);
  await c.ok(`LOGIN ${quoted(USER)} ${quoted(PASSWORD)}`);
  await c.ok('SELECT INBOX');
  await c.idle();
  return c;
}

async function measure(server: Server, count: number, parallel: number): Promise<Measured> {
  await sleep(1000);
  const rssBase = rssBytes(server.pids());
  const pssBase = pssBytes(server.pids());
  const clients: ImapClient[] = [];
  const t0 = now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next++;
        clients.push(await openIdle(server));
      }
    }),
  );
  const openSeconds = (now() - t0) / 1000;
  await sleep(3000);
  const rssIdle = rssBytes(server.pids());
  const pssIdle = pssBytes(server.pids());

  // One delivery; every idle connection must announce it (RFC 2177: EXISTS while idling). The sender
  // first appends to another mailbox, so the timed APPEND does not include the server's first-use costs.
  const sender = await ImapClient.connect(server.port);
  await sender.ok(`LOGIN ${quoted(USER)} ${quoted(PASSWORD)}`);
  await sender.command('CREATE warmup');
  await sender.ok('APPEND warmup ()', messages(1)[0]!);
  const reach: number[] = [];
  const start = now();
  const waits = clients.map((c) => c.waitFor((s) => / EXISTS\r\n/.test(s)).then(() => reach.push(now() - start)));
  await sender.ok('APPEND INBOX ()', messages(1)[0]!);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(waits), new Promise((r) => (timer = setTimeout(r, 120_000)))]);
  clearTimeout(timer);
  sender.close();
  for (const c of clients) c.close();
  const fromAppend = reach.sort((a, b) => a - b);
  return { connections: count, rssBase, rssIdle, pssBase, pssIdle, openSeconds, reach: fromAppend, missed: count - reach.length };
}

async function main(): Promise<void> {
  const f = flags();
  const counts: Record<string, number> = { letterbox: numFlag(f, 'letterbox', 10_000), dovecot: numFlag(f, 'dovecot', 1000) };
  const parallel = numFlag(f, 'parallel', 100);
  const workers = f.has('workers') ? { workers: numFlag(f, 'workers', 1) } : {};
  const which = serversFlag(f, ['letterbox', 'dovecot']);
  const results = new Map<string, Measured>();
  const notes: string[] = [];
  for (const name of which) {
    const n = counts[name]!;
    const server = name === 'letterbox' ? await startLetterbox({ users: [USER], ...workers }) : await startDovecotBench({ users: [USER], connections: n + 20 });
    try {
      const m = await measure(server, n, parallel);
      results.set(name, m);
      if (m.missed > 0) notes.push(`${name}: ${m.missed} of ${n} connections did not see the delivery within 120 s`);
      notes.push(`${name}: ${n} connections opened (LOGIN, SELECT, IDLE) in ${m.openSeconds.toFixed(1)} s; server RSS ${(m.rssBase / 2 ** 20).toFixed(0)} MiB before, ${(m.rssIdle / 2 ** 20).toFixed(0)} MiB idle`);
    } finally {
      await server.stop();
    }
  }
  const vals = (get: (m: Measured) => number) => Object.fromEntries(which.map((w) => [w, results.has(w) ? get(results.get(w)!) : null]));
  const figures: Figure[] = [
    { name: 'idle connections held', unit: 'count', better: 'higher', values: vals((m) => m.connections - m.missed), target: '10,000 (Letterbox)' },
    { name: 'RSS per connection (all processes)', unit: 'KiB', better: 'lower', values: vals((m) => (m.rssIdle - m.rssBase) / m.connections / 1024), target: '<= 20 KiB' },
    { name: 'PSS per connection (all processes)', unit: 'KiB', better: 'lower', values: vals((m) => (m.pssIdle - m.pssBase) / m.connections / 1024) },
    { name: 'server RSS total, idle', unit: 'MiB', better: 'lower', values: vals((m) => m.rssIdle / 2 ** 20) },
    { name: 'delivery reaches all (max)', unit: 'ms', better: 'lower', values: vals((m) => m.reach[m.reach.length - 1] ?? NaN) },
    { name: 'delivery reaches p50', unit: 'ms', better: 'lower', values: vals((m) => percentile(m.reach, 50)) },
  ];
  notes.push('Dovecot: one imap process per connection; IDLE uses inotify, and beyond fs.inotify.max_user_instances (see /proc/sys/fs/inotify) a process falls back to polling every mailbox_idle_check_interval (30 s)');
  printReport('idle', { connections: Object.fromEntries(which.map((w) => [w, counts[w]])), parallel, workers: workers.workers ?? 'default' }, figures, notes);
}

await main();
