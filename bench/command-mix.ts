/**
 * Benchmark 1, command mix under load: N concurrent clients each loop over a session
 *   connect, LOGIN, SELECT INBOX, FETCH (FLAGS ENVELOPE) of the last 20 messages, FETCH BODY.PEEK[] of one,
 *   STORE +FLAGS/-FLAGS (\Seen) on one, APPEND one, STORE +FLAGS (\Deleted) on it, UID EXPUNGE it, LOGOUT
 * for a fixed time, against Letterbox and Dovecot; reports operations per second per command and p50/p99
 * latency (ms). Users are shared by clients (client i logs in as user i % users), each INBOX seeded from the corpus.
 *
 * Usage: node --import tsx bench/command-mix.ts [--clients 10,50,200] [--seconds 10] [--users 20] [--seed 200]
 *        [--servers letterbox,dovecot]
 */
import { ImapClient, quoted, type Reply } from './lib/imap.js';
import { messages } from './lib/corpus.js';
import { flags, listFlag, now, numFlag, percentile, printReport, serversFlag, type Figure } from './lib/report.js';
import { PASSWORD, startDovecotBench, startLetterbox, type Server } from './lib/servers.js';

const COMMANDS = ['LOGIN', 'SELECT', 'FETCH envelopes', 'FETCH body', 'STORE', 'APPEND', 'EXPUNGE', 'LOGOUT'] as const;
type Cmd = (typeof COMMANDS)[number];

/**
 * Latencies in ms per command, and failures. `expungeIssued` counts the commands answered
 * `NO [EXPUNGEISSUED]`: another session expunged a message of their sequence set (RFC 9051 section 7.1),
 * the correct answer, so they count as completed, not as failures.
 */
interface Samples {
  lat: Record<Cmd, number[]>;
  errors: number;
  firstError: string | null;
  expungeIssued: number;
}

function emptySamples(): Samples {
  return { lat: Object.fromEntries(COMMANDS.map((c) => [c, []])) as unknown as Record<Cmd, number[]>, errors: 0, firstError: null, expungeIssued: 0 };
}

async function timed<T>(s: Samples, cmd: Cmd, f: () => Promise<T>): Promise<T> {
  const t = now();
  const r = await f();
  s.lat[cmd].push(now() - t);
  return r;
}

/** bySequence sends a command on sequence numbers, which may meet a message another session expunged meanwhile: OK or NO [EXPUNGEISSUED]; anything else throws. */
async function bySequence(c: ImapClient, s: Samples, line: string): Promise<Reply> {
  const r = await c.command(line);
  if (r.status === 'NO' && r.text.startsWith('NO [EXPUNGEISSUED]')) s.expungeIssued++;
  else if (r.status !== 'OK') throw new Error(`${line.slice(0, 60)}: ${r.text}`);
  return r;
}

/** One session of the loop. */
async function session(server: Server, user: string, s: Samples, msg: Buffer, rnd: () => number): Promise<void> {
  const c = await ImapClient.connect(server.port);
  try {
    await timed(s, 'LOGIN', () => c.ok(`LOGIN ${quoted(user)} ${quoted(PASSWORD)}`));
    const sel = await timed(s, 'SELECT', () => c.ok('SELECT INBOX'));
    const exists = Number(/\* (\d+) EXISTS/.exec(sel.untagged)?.[1] ?? 0);
    if (exists > 0) {
      await timed(s, 'FETCH envelopes', () => bySequence(c, s, `FETCH ${Math.max(1, exists - 19)}:${exists} (FLAGS ENVELOPE)`));
      const n = 1 + Math.floor(rnd() * exists);
      await timed(s, 'FETCH body', () => bySequence(c, s, `FETCH ${n} BODY.PEEK[]`));
      await timed(s, 'STORE', () => bySequence(c, s, `STORE ${n} ${rnd() < 0.5 ? '+' : '-'}FLAGS (\\Seen)`));
    }
    const app = await timed(s, 'APPEND', () => c.ok('APPEND INBOX ()', msg));
    const uid = /APPENDUID \d+ (\d+)/.exec(app.text)?.[1];
    if (uid === undefined) throw new Error(`APPEND without APPENDUID: ${app.text}`);
    await timed(s, 'STORE', () => c.ok(`UID STORE ${uid} +FLAGS.SILENT (\\Deleted)`));
    await timed(s, 'EXPUNGE', () => c.ok(`UID EXPUNGE ${uid}`));
    await timed(s, 'LOGOUT', () => c.ok('LOGOUT'));
  } finally {
    c.close();
  }
}

/** seed appends `n` corpus messages to each user's INBOX. */
async function seed(server: Server, users: string[], n: number): Promise<void> {
  const mail = messages(n);
  await Promise.all(
    users.map(async (u) => {
      const c = await ImapClient.connect(server.port);
      await c.ok(`LOGIN ${quoted(u)} ${quoted(PASSWORD)}`);
      for (const m of mail) await c.ok('APPEND INBOX (\\Seen)', m);
      await c.ok('LOGOUT');
      c.close();
    }),
  );
}

/** run drives `clients` loops for `seconds` and returns the samples and the elapsed seconds. */
async function run(server: Server, users: string[], clients: number, seconds: number): Promise<{ s: Samples; elapsed: number }> {
  const s = emptySamples();
  const corpusMsgs = messages(50);
  const end = now() + seconds * 1000;
  const start = now();
  let seedNo = 1;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      let x = seedNo++ * 7919;
      const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
      while (now() < end) {
        try {
          await session(server, users[i % users.length]!, s, corpusMsgs[Math.floor(rnd() * corpusMsgs.length)]!, rnd);
        } catch (e) {
          s.errors++;
          s.firstError ??= (e as Error).message;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }),
  );
  return { s, elapsed: (now() - start) / 1000 };
}

async function main(): Promise<void> {
  const f = flags();
  const levels = listFlag(f, 'clients', ['10', '50', '200']).map(Number);
  const seconds = numFlag(f, 'seconds', 10);
  const nUsers = numFlag(f, 'users', 20);
  const seedN = numFlag(f, 'seed', 200);
  const which = serversFlag(f, ['letterbox', 'dovecot']);
  const users = Array.from({ length: nUsers }, (_, i) => `user${i}@bench.test`);
  const results = new Map<string, Map<number, { s: Samples; elapsed: number }>>();
  const notes: string[] = [];
  for (const name of which) {
    const maxClients = Math.max(...levels);
    const server = name === 'letterbox' ? await startLetterbox({ users }) : await startDovecotBench({ users, connections: maxClients + 50 });
    try {
      await seed(server, users, seedN);
      const per = new Map<number, { s: Samples; elapsed: number }>();
      for (const n of levels) {
        per.set(n, await run(server, users, n, seconds));
        const r = per.get(n)!;
        if (r.s.errors > 0) notes.push(`${name} at ${n} clients: ${r.s.errors} failed sessions, first: ${r.s.firstError}`);
        if (r.s.expungeIssued > 0) notes.push(`${name} at ${n} clients: ${r.s.expungeIssued} commands answered NO [EXPUNGEISSUED] (expunged by another session meanwhile; counted as completed)`);
      }
      results.set(name, per);
    } finally {
      await server.stop();
    }
  }
  for (const n of levels) {
    const figures: Figure[] = [];
    const value = (name: string, f: (r: { s: Samples; elapsed: number }) => number): number | null => {
      const r = results.get(name)?.get(n);
      return r ? f(r) : null;
    };
    const vals = (f: (r: { s: Samples; elapsed: number }) => number) => Object.fromEntries(which.map((w) => [w, value(w, f)]));
    const total = (r: { s: Samples; elapsed: number }) => COMMANDS.reduce((a, c) => a + r.s.lat[c].length, 0);
    const all = (r: { s: Samples; elapsed: number }) => COMMANDS.flatMap((c) => r.s.lat[c]).sort((a, b) => a - b);
    figures.push({ name: 'all commands', unit: 'ops/s', better: 'higher', values: vals((r) => total(r) / r.elapsed), ...(n === 50 && { target: '>= 1.5x' }) });
    figures.push({ name: 'all commands p50', unit: 'ms', better: 'lower', values: vals((r) => percentile(all(r), 50)) });
    figures.push({ name: 'all commands p99', unit: 'ms', better: 'lower', values: vals((r) => percentile(all(r), 99)), ...(n === 50 && { target: '<= 1x' }) });
    for (const c of COMMANDS) {
      figures.push({ name: c, unit: 'ops/s', better: 'higher', values: vals((r) => r.s.lat[c].length / r.elapsed) });
      figures.push({ name: `${c} p50`, unit: 'ms', better: 'lower', values: vals((r) => percentile([...r.s.lat[c]].sort((a, b) => a - b), 50)) });
      figures.push({ name: `${c} p99`, unit: 'ms', better: 'lower', values: vals((r) => percentile([...r.s.lat[c]].sort((a, b) => a - b), 99)) });
    }
    printReport('command-mix', { clients: n, seconds, users: nUsers, seed: seedN }, figures, notes);
  }
}

await main();
