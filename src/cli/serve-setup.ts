/**
 * What `letterbox serve` does around the node, shared by the single-process server and the primary of several
 * workers (serve.ts, serve-primary.ts): the data directory check, the admin port with its health checks and
 * metrics, and the one-line explanations of a listener that cannot bind.
 */
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import cluster from 'node:cluster';
import os from 'node:os';
import type { Health } from '../admin/server.js';
import type { Config } from '../config/types.js';
import type { RunningServer } from '../imap/server.js';
import type { LmtpAddress, RunningLmtp } from '../lmtp/server.js';
import type { NodeAddress } from '../server/node.js';
import type { Logger } from '../log/logger.js';
import type { PrometheusMetrics } from '../metrics/prometheus.js';
import type { RunningPop3 } from '../pop3/server.js';
import type { RunningManageSieve } from '../managesieve/server.js';
import type { SessionRegistry } from '../sessions/registry.js';
import type { Store } from '../store/types.js';
import { CliError, EXIT } from './context.js';

/** AdminState: the server's parts as they start, for /health and the gauges of /metrics. */
export interface AdminState {
  phase: 'starting' | 'ready' | 'stopping';
  store: Store | null;
  imap: RunningServer | null;
  pop3: RunningPop3 | null;
  managesieve: RunningManageSieve | null;
  lmtp: RunningLmtp | null;
}

/**
 * workerMetrics makes the Prometheus metrics over the parts in `state` (filled in as they start). In a worker
 * of several, they are also offered to the primary, whose admin port sums the workers' (prom-client's
 * AggregatorRegistry); there is no admin listener of the worker's own (`server` is absent).
 */
export async function workerMetrics(config: Config, state: AdminState, sessions: SessionRegistry): Promise<{ metrics: PrometheusMetrics; server?: undefined }> {
  const { PrometheusMetrics } = await import('../metrics/prometheus.js');
  const metrics = new PrometheusMetrics({
    connections: () => ({ ...(state.imap?.connectionCounts() ?? { imap: 0, imaps: 0 }), pop3: state.pop3?.connectionCount() ?? 0, managesieve: state.managesieve?.connectionCount() ?? 0, lmtp: state.lmtp?.connectionCount() ?? 0 }),
    sessions: () => sessions.count,
    penaltyAddresses: async () => (state.store ? (await state.store.listPenalties(Date.now(), config.auth.penaltyExpireMs)).length : 0),
  });
  if (cluster.isWorker) metrics.offerToPrimary();
  return { metrics };
}

/**
 * startAdmin starts the admin HTTP listener with Prometheus metrics over the parts in `state` (filled in as
 * they start) and the health checks: the server's phase, each configured listener, the store.
 */
export async function startAdmin(config: Config, log: Logger, state: AdminState, sessions: SessionRegistry) {
  const [{ startAdminServer }, { metrics }] = await Promise.all([import('../admin/server.js'), workerMetrics(config, state, sessions)]);
  const imapWanted = config.imap.port !== 0 || config.imap.tlsPort !== 0;
  const pop3Wanted = config.pop3.port !== 0 || config.pop3.tlsPort !== 0;
  const manageSieveWanted = config.managesieve.port !== 0;
  const lmtpWanted = config.lmtp.port !== 0 || config.lmtp.socket !== null;
  const health = async (): Promise<Health> => {
    const checks: Record<string, string> = { server: state.phase === 'ready' ? 'ok' : state.phase };
    if (imapWanted) checks.imap = state.imap && state.phase !== 'stopping' ? 'ok' : 'not listening';
    if (pop3Wanted) checks.pop3 = state.pop3 && state.phase !== 'stopping' ? 'ok' : 'not listening';
    if (manageSieveWanted) checks.managesieve = state.managesieve && state.phase !== 'stopping' ? 'ok' : 'not listening';
    if (lmtpWanted) checks.lmtp = state.lmtp && state.phase !== 'stopping' ? 'ok' : 'not listening';
    checks.store = state.store ? ((await state.store.health()) ?? 'ok') : 'not open';
    return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
  };
  try {
    const server = await startAdminServer({ host: config.admin.host, port: config.admin.port, health, metrics: () => metrics.text(), log });
    return { server, metrics };
  } catch (err) {
    throw describeListenError(err, config);
  }
}

/**
 * prepareDataDir checks the data directory before anything is opened: a directory given by the operator
 * (config data_dir, --data-dir, LETTERBOX_DATA_DIR) must exist, be a directory and be writable, or serve
 * stops naming it (a typo must not start an empty mail store); only the default ./data of the quick start
 * is created (mode 0700). Throws CliError (exit 78).
 */
export async function prepareDataDir(config: Config): Promise<void> {
  const dir = config.dataDir;
  const named = config.dataDirSource ? ` (${config.dataDirSource})` : '';
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !config.dataDirSource) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return;
    }
    if (code === 'ENOENT') throw new CliError(`data directory ${dir}${named} does not exist: create it (mkdir -m 700 ${dir}), or correct the path`, EXIT.CONFIG);
    if (code === 'ENOTDIR') throw new CliError(`data directory ${dir}${named}: a part of the path is a file, not a directory`, EXIT.CONFIG);
    if (code === 'EACCES') throw new CliError(`data directory ${dir}${named}: permission denied (letterbox runs as ${userName()})`, EXIT.CONFIG);
    throw err;
  }
  if (!info.isDirectory()) throw new CliError(`data directory ${dir}${named} is a file, not a directory`, EXIT.CONFIG);
  try {
    await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    throw new CliError(`data directory ${dir}${named}: no permission to write it as ${userName()}; run letterbox as the directory's owner, or chown it`, EXIT.CONFIG);
  }
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** ListenerPort is one TCP listener of a client protocol, with the flag and config key that set its port. */
interface ListenerPort {
  what: 'IMAP' | 'IMAPS' | 'POP3' | 'POP3S' | 'ManageSieve';
  port: number;
  host: string;
  flag: string;
  key: string;
}

/** listenerPorts lists the IMAP, POP3 and ManageSieve listeners of `config` (ports 0 included). */
export function listenerPorts(config: Config): ListenerPort[] {
  return [
    { what: 'IMAP', port: config.imap.port, host: config.imap.host, flag: '--imap-port', key: 'imap.port' },
    { what: 'IMAPS', port: config.imap.tlsPort, host: config.imap.host, flag: '--imaps-port', key: 'imap.tls_port' },
    { what: 'POP3', port: config.pop3.port, host: config.pop3.host, flag: '--pop3-port', key: 'pop3.port' },
    { what: 'POP3S', port: config.pop3.tlsPort, host: config.pop3.host, flag: '--pop3s-port', key: 'pop3.tls_port' },
    { what: 'ManageSieve', port: config.managesieve.port, host: config.managesieve.host, flag: '--managesieve-port', key: 'managesieve.port' },
  ];
}

/**
 * describeListenError turns a bind failure from the IMAP, POP3, LMTP or admin listeners (EACCES, EADDRINUSE,
 * EADDRNOTAVAIL, a host name that does not resolve; with `.port`, `.socket` or `.admin`) into a one-line
 * CliError saying what to do instead: exit 78 (configuration) for a wrong address or port, 1 for a port
 * another process holds (a supervisor may retry). Any other error is returned unchanged.
 */
export function describeListenError(err: unknown, config: Config): unknown {
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string; socket?: string; admin?: boolean };
  if (e?.socket !== undefined) return describeSocketError(e, e.socket);
  if (e?.admin) {
    const where = hostPort(config.admin.host, config.admin.port);
    const why = e.code === 'EADDRINUSE' ? 'already in use' : e.code === 'EACCES' ? 'permission denied' : e.code !== undefined && UNRESOLVED.has(e.code) ? 'no such host name or address' : (e.message ?? String(e));
    return new CliError(`cannot listen for the admin port on ${where}: ${why}; pick another with --admin-host / --admin-port or admin.host / admin.port in the config (0 turns it off)`, e.code === 'EADDRINUSE' ? EXIT.ERROR : EXIT.CONFIG);
  }
  const listener = e?.port !== undefined ? listenerPorts(config).find((l) => l.port === e.port) : undefined;
  if (e?.port !== undefined && e.port === config.lmtp.port && !listener) return describeLmtpPortError(e, config);
  const l = listener ?? listenerPorts(config)[0]!;
  const protocol = l.what.startsWith('POP3') ? 'POP3' : l.what === 'ManageSieve' ? 'ManageSieve' : 'IMAP';
  if (e?.code !== undefined && UNRESOLVED.has(e.code)) {
    return new CliError(`cannot listen on ${l.host} (${protocol.toLowerCase()}.host / --host): no such host name or address on this machine`, EXIT.CONFIG);
  }
  if (e?.code !== 'EACCES' && e?.code !== 'EADDRINUSE' && e?.code !== 'EADDRNOTAVAIL') return err;
  const port = e.port ?? l.port;
  const choose = `${l.flag} ${port < 1024 ? port + 1000 : port + 1} / ${l.key}`;
  if (e.code === 'EADDRNOTAVAIL') {
    return new CliError(`cannot listen on ${l.host}: no such address on this machine; pick another with --host / ${protocol.toLowerCase()}.host in the config`, EXIT.CONFIG);
  }
  if (e.code === 'EACCES' && port < 1024) {
    return new CliError(`cannot listen on port ${port}: ports below 1024 need root; run as root, or pick another port with ${choose} in the config`, EXIT.CONFIG);
  }
  if (e.code === 'EACCES') return new CliError(`cannot listen on port ${port}: permission denied; pick another port with ${choose} in the config`, EXIT.CONFIG);
  return new CliError(`cannot listen on port ${port}: ${hostPort(l.host, port)} is already in use (is another ${protocol} server running?); stop it, or pick another port with ${choose} in the config`);
}

function describeLmtpPortError(e: NodeJS.ErrnoException, config: Config): unknown {
  const { host, port } = config.lmtp;
  const choose = `--lmtp-port ${port < 1024 ? port + 1000 : port + 1} / lmtp.port in the config (0 turns TCP LMTP off)`;
  if (e.code === 'EADDRNOTAVAIL' || (e.code !== undefined && UNRESOLVED.has(e.code))) {
    return new CliError(`cannot listen for LMTP on ${host}: no such host name or address on this machine; pick another with --lmtp-host / lmtp.host in the config`, EXIT.CONFIG);
  }
  if (e.code === 'EACCES' && port < 1024) return new CliError(`cannot listen for LMTP on port ${port}: ports below 1024 need root; run as root, or pick another port with ${choose}`, EXIT.CONFIG);
  if (e.code === 'EACCES') return new CliError(`cannot listen for LMTP on port ${port}: permission denied; pick another port with ${choose}`, EXIT.CONFIG);
  if (e.code === 'EADDRINUSE') return new CliError(`cannot listen for LMTP on port ${port}: ${hostPort(host, port)} is already in use (is another LMTP server, e.g. Dovecot, running?); stop it, or pick another port with ${choose}`);
  return e;
}

function describeSocketError(e: NodeJS.ErrnoException, socket: string): unknown {
  const choose = 'pick another path with --lmtp-socket / lmtp.socket in the config ("none" turns the socket off)';
  if (e.code === 'EADDRINUSE') return new CliError(`cannot listen on the LMTP socket ${socket}: another process listens on it (is another letterbox serve running on this data directory?); stop it, or ${choose}`);
  if (e.code === 'ENOTSOCK') return new CliError(`cannot listen on the LMTP socket ${socket}: the path exists and is not a socket; remove it, or ${choose}`, EXIT.CONFIG);
  if (e.code === 'ENOENT') return new CliError(`cannot listen on the LMTP socket ${socket}: its directory does not exist; create it, or ${choose}`, EXIT.CONFIG);
  if (e.code === 'EACCES') return new CliError(`cannot listen on the LMTP socket ${socket}: permission denied; ${choose}`, EXIT.CONFIG);
  return new CliError(`cannot listen on the LMTP socket ${socket}: ${e.message}; ${choose}`);
}

/** UNRESOLVED: the codes of a listen address whose host name does not resolve (getaddrinfo). */
const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);

export function lmtpWhere(a: LmtpAddress): string {
  return 'socket' in a ? a.socket : hostPort(a.host, a.port);
}

export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** describeAddresses names each listener for the ready line: "imap on 127.0.0.1:143 (STARTTLS)", "lmtp on /path", "admin on ...". */
export function describeAddresses(addresses: readonly NodeAddress[], admin: { host: string; port: number } | null): string[] {
  const upgrade: Record<string, string> = { imap: 'STARTTLS', imaps: 'TLS', pop3: 'STLS', pop3s: 'TLS', managesieve: 'STARTTLS' };
  const out = addresses.map((a) => ('socket' in a || a.name === 'lmtp' ? `lmtp on ${lmtpWhere(a as LmtpAddress)}` : `${a.name} on ${hostPort(a.host, a.port)} (${upgrade[a.name]})`));
  if (admin) out.push(`admin on ${hostPort(admin.host, admin.port)} (/health, /metrics)`);
  return out;
}

/** DUPLICATE_SIGNAL_MS: a second stop signal this soon after the first is the same one delivered twice, not a request to hurry (ms). */
const DUPLICATE_SIGNAL_MS = 1000;

/** PARENT_CHECK_MS is how often a server started by `npm start` checks that npm still runs (ms). */
const PARENT_CHECK_MS = 1000;

/** SignalHandlers: what a serving process does on each signal. */
export interface SignalHandlers {
  log: Logger;
  /** Closes everything (SIGTERM, SIGINT, or the watched parent gone); errors are the callee's to log. */
  stop(): Promise<void>;
  /** SIGHUP. */
  reloadTls(): void;
  /** SIGUSR1 (logrotate's postrotate). */
  reopenLog(): void;
  /**
   * 'npm': under `npm start`, stop when npm is gone (it passes SIGTERM and SIGINT on, but SIGHUP or SIGKILL end
   * npm alone, which would leave an orphan holding the ports); 'primary': a worker stops when its primary's
   * IPC channel closes (the primary was killed).
   */
  watch: 'npm' | 'primary';
}

/**
 * handleSignals installs the handlers and resolves once stop() has finished after the first SIGTERM or
 * SIGINT. A second stop signal within DUPLICATE_SIGNAL_MS is the same one delivered twice (Ctrl-C under
 * `npm start` reaches the server from the terminal and from npm) and is ignored; a later one exits at once
 * with status 1.
 */
export function handleSignals(h: SignalHandlers): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = 0;
    const stop = (signal: NodeJS.Signals | 'parent exited' | 'primary exited') => {
      if (stopping) {
        if (Date.now() - stopping < DUPLICATE_SIGNAL_MS) return;
        h.log.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(EXIT.ERROR);
      }
      stopping = Date.now();
      h.log.info({ signal }, 'shutting down');
      void h.stop().then(() => {
        h.log.info('stopped');
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('SIGHUP', () => h.reloadTls());
    process.on('SIGUSR1', () => h.reopenLog());
    if (h.watch === 'primary') process.once('disconnect', () => stop('primary exited'));
    else if (process.env.npm_lifecycle_event === 'start') {
      const parent = process.ppid;
      const watch = setInterval(() => {
        if (process.ppid === parent) return;
        clearInterval(watch);
        stop('parent exited');
      }, PARENT_CHECK_MS);
      watch.unref();
    }
  });
}
