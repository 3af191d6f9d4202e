/**
 * The servers a benchmark compares, started as real processes on loopback ports with their own data:
 * Letterbox (`node bin/letterbox.js serve`) and Dovecot (test/support/dovecot.ts, with benchmark settings).
 * Both are given a raised file-descriptor limit (bash `ulimit -n`) so thousands of connections fit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../src/auth/password.js';
import { DOVEADM_BIN, startDovecot, type Dovecot } from '../../test/support/dovecot.js';
import { freePort } from '../../test/support/ports.js';

/** LETTERBOX_ROOT is the checkout whose bin/letterbox.js is benchmarked (env LETTERBOX_ROOT, default this one). */
export const LETTERBOX_ROOT = process.env.LETTERBOX_ROOT ?? path.resolve(import.meta.dirname, '..', '..');

/** NOFILE is the descriptor limit given to servers (and asked of the bench's own shell by `npm run bench`). */
export const NOFILE = 65536;

/** PASSWORD is every benchmark user's password. */
export const PASSWORD = 'bench-password';

/** Server is a running server under test. */
export interface Server {
  /** "letterbox" or "dovecot". */
  name: string;
  port: number;
  /** LMTP port, or null when this server has no LMTP listener. */
  lmtpPort: number | null;
  /** pids of every process of the server (the master and its children), for memory. */
  pids(): number[];
  /** The server's data directory (Letterbox) or its Dovecot directory. */
  dir: string;
  stop(): Promise<void>;
}

/** waitForPort resolves once something accepts connections on the port. */
async function waitForPort(port: number, child: ChildProcess, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** letterbox runs the CLI of LETTERBOX_ROOT to completion (user add, import); throws on a non-zero exit. */
export function letterboxCli(args: string[], input = ''): string {
  const r = spawnSync(process.execPath, [path.join(LETTERBOX_ROOT, 'bin', 'letterbox.js'), ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`letterbox ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout + r.stderr;
}

/** letterboxHasLmtp tells whether the benchmarked Letterbox can serve LMTP (`serve --lmtp-port`). */
export function letterboxHasLmtp(): boolean {
  return letterboxCli(['serve', '--help']).includes('--lmtp-port');
}

/** letterboxHasPop3 tells whether the benchmarked Letterbox serves POP3 (`serve --pop3-port`), which the benchmarks turn off. */
export function letterboxHasPop3(): boolean {
  return letterboxCli(['serve', '--help']).includes('--pop3-port');
}

/**
 * LetterboxOptions: users to create (email addresses), an existing data dir to reuse (kept on stop), LMTP on
 * or off, and the storage (a postgres:// URL; SQLite in the data dir by default).
 */
export interface LetterboxOptions {
  users?: string[];
  dataDir?: string;
  lmtp?: boolean;
  storage?: string;
  /** serve.workers (default: the config's default, one per core but one, at least one); written only when given, so older checkouts run too. */
  workers?: number;
}

/** startLetterbox creates the users (`letterbox user add`) and starts `letterbox serve` on free loopback ports (IMAP without TLS). */
export async function startLetterbox(opts: LetterboxOptions = {}): Promise<Server> {
  const owned = opts.dataDir === undefined;
  const dir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'bench-letterbox-')));
  const storage = opts.storage === undefined ? [] : ['--storage', opts.storage];
  for (const u of opts.users ?? []) letterboxCli(['user', 'add', '--data-dir', dir, ...storage, u, '--password-stdin'], PASSWORD + '\n');
  const port = await freePort();
  const lmtpPort = opts.lmtp && letterboxHasLmtp() ? await freePort() : null;
  // On PostgreSQL nothing else writes the data directory; the config file goes there.
  await mkdir(dir, { recursive: true });
  const config = path.join(dir, 'bench.yaml');
  await writeFile(config, [`data_dir: ${dir}`, 'imap:', '  host: 127.0.0.1', `  port: ${port}`, '  tls_port: 0', '  max_connections: 20000', '  max_connections_per_ip: 20000', '  max_connections_per_user_ip: 20000', 'log:', '  level: warn', ...(opts.workers === undefined ? [] : ['serve:', `  workers: ${opts.workers}`]), ...(opts.storage === undefined ? [] : ['storage:', '  kind: postgres', `  url: ${opts.storage}`]), ''].join('\n'));
  const bin = path.join(LETTERBOX_ROOT, 'bin', 'letterbox.js');
  const lmtpArgs = (lmtpPort === null ? '' : ` --lmtp-host 127.0.0.1 --lmtp-port ${lmtpPort}`) + (letterboxHasPop3() ? ' --pop3-port 0 --pop3s-port 0' : '') + (letterboxCli(['serve', '--help']).includes('--managesieve-port') ? ' --managesieve-port 0' : '');
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server (the profile is written at stop).
  const nodeArgs = process.env.BENCH_NODE_ARGS ?? '';
  const child = spawn('bash', ['-c', `ulimit -n ${NOFILE} 2>/dev/null || ulimit -n hard; exec "${process.execPath}" ${nodeArgs} "${bin}" serve --config "${config}"${lmtpArgs}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, child);
  return {
    name: opts.storage === undefined ? 'letterbox' : 'letterbox-postgres',
    port,
    lmtpPort,
    dir,
    // bash execs node, so child.pid is the server (the primary when it has workers) and its workers are its children.
    pids: () => (child.pid === undefined ? [] : descendants(listProcesses(), child.pid)),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      if (owned) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** DOVECOT_LMTP tells whether Dovecot's LMTP server (Debian dovecot-lmtpd) is installed. */
export const DOVECOT_LMTP = existsSync('/usr/lib/dovecot/lmtp');

/**
 * startDovecotBench starts Dovecot for benchmarks: room for `connections` IMAP connections (one imap process
 * each, Dovecot's design; login processes in performance mode so they do not count twice), the per-user
 * connection limit lifted, and LMTP on a loopback port when dovecot-lmtpd is installed.
 */
export async function startDovecotBench(opts: { users: string[]; connections?: number; lmtp?: boolean }): Promise<Server & { dovecot: Dovecot }> {
  // BENCH_DOVECOT_SCHEME=PLAIN stores Dovecot's passwords in the clear, to see what argon2id costs its single auth process.
  const scheme = (process.env.BENCH_DOVECOT_SCHEME ?? 'ARGON2ID').toUpperCase();
  const conns = opts.connections ?? 500;
  const lmtpPort = opts.lmtp && DOVECOT_LMTP ? await freePort() : null;
  const extra = [
    `default_client_limit = ${conns + 100}`,
    `default_process_limit = ${conns + 100}`,
    `mail_max_userip_connections = ${conns + 100}`,
    'service imap-login {',
    '  service_count = 0',
    `  client_limit = ${conns + 100}`,
    '  process_min_avail = 2',
    '}',
    'service imap {',
    `  process_limit = ${conns + 100}`,
    '}',
    ...(lmtpPort === null
      ? []
      : ['protocols = imap lmtp', 'service lmtp {', '  inet_listener lmtp {', '    address = 127.0.0.1', `    port = ${lmtpPort}`, '  }', '}']),
  ];
  const dc = await startDovecot({ users: [], extraConfig: extra, startTimeoutMs: 60_000 });
  // By default the same argon2id parameters Letterbox stores, so LOGIN costs both servers the same hashing work.
  const secret = scheme === 'PLAIN' ? `{PLAIN}${PASSWORD}` : `{ARGON2ID}${await hashPassword(PASSWORD)}`;
  await writeFile(path.join(dc.dataDir, 'passwd'), opts.users.map((u) => `${u}:${secret}::::::\n`).join(''));
  // Dovecot re-reads the passwd-file when its mtime changes, which a rewrite within the same second may not show.
  if (opts.users.length > 0) await waitForAuth(dc.configPath, opts.users[0]!);
  return {
    name: 'dovecot',
    port: dc.port,
    lmtpPort,
    dir: dc.dataDir,
    dovecot: dc,
    pids: () => dovecotPids(dc.configPath),
    stop: () => dc.stop(),
  };
}

/** waitForAuth resolves once Dovecot accepts `user`'s password (doveadm auth test), touching the passwd-file while it does not. */
async function waitForAuth(configPath: string, user: string): Promise<void> {
  const passwd = path.join(path.dirname(configPath), 'passwd');
  for (let i = 0; i < 50; i++) {
    if (spawnSync(DOVEADM_BIN, ['-c', configPath, 'auth', 'test', user, PASSWORD]).status === 0) return;
    await new Promise((r) => setTimeout(r, 300));
    const t = new Date();
    utimesSync(passwd, t, t);
  }
  throw new Error(`dovecot does not accept the password of ${user}`);
}

/** dovecotPids finds the Dovecot master started with `configPath` and every process below it. */
function dovecotPids(configPath: string): number[] {
  const procs = listProcesses();
  const master = procs.find((p) => p.cmdline.includes(configPath) && p.cmdline.includes('dovecot'));
  if (!master) return [];
  return descendants(procs, master.pid);
}

interface Proc {
  pid: number;
  ppid: number;
  cmdline: string;
}

function listProcesses(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1').replaceAll('\0', ' ');
      out.push({ pid: Number(name), ppid, cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

function descendants(procs: Proc[], root: number): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const p of procs) if (p.ppid === out[i]) out.push(p.pid);
  return out;
}

/** rssBytes is the summed resident memory (VmRSS) of the processes, in octets. */
export function rssBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

/** pssBytes is the summed proportional set size (shared pages split between sharers) of the processes, in octets: the fair total for many forked processes. */
export function pssBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

/** writeMaildir writes messages as a Maildir (cur/ files with the Seen-less info suffix) owned by the mail user when running as root. */
export async function writeMaildir(dir: string, messages: Buffer[], owner?: { uid: number; gid: number }): Promise<void> {
  for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(dir, sub), { recursive: true });
  const t = Math.floor(Date.now() / 1000);
  let i = 0;
  for (const m of messages) {
    i++;
    await writeFile(path.join(dir, 'cur', `${t}.M${i}P${process.pid}.bench,S=${m.length}:2,`), m);
  }
  if (owner) spawnSync('chown', ['-R', `${owner.uid}:${owner.gid}`, dir]);
}
