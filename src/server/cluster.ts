/**
 * The worker processes of one `letterbox serve` (serve.workers > 1), over node:cluster: the primary process
 * binds every listener (bindListeners) and forks the workers, each of which opens the store and starts a
 * node (node.ts) that binds nothing. The primary accepts each connection and hands it, still unread, to the
 * worker with the fewest open connections (cluster's own round robin hands a burst of connections to
 * whichever worker answers first, which left one worker with four fifths of imaptest's sessions). The
 * primary does no protocol work.
 *
 * What the workers share is the store: SQLite's file in WAL mode (one writer at a time, readers never
 * blocked) or PostgreSQL. A change committed by one worker reaches the sessions of the others at once: on
 * PostgreSQL through its NOTIFY, as between nodes; on SQLite through the cluster's own IPC channel, relayed
 * by the primary (workerPeers, relayChanges), which is the ChangePeers of each worker's store. Control
 * messages (kick, password change) travel through the store as between nodes. Each worker is a node of its
 * own for `letterbox who`, and counts its own connection limits.
 */
import cluster, { type Worker } from 'node:cluster';
import { chmod } from 'node:fs/promises';
import net from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { removeStaleSocket, SOCKET_MODE } from '../lmtp/server.js';
import type { ConnectionSource } from '../net/handoff.js';
import type { ChangePeers } from '../store/types.js';
import type { NodeAddress } from './node.js';

/** A change committed by one worker, relayed to the others (account id; mailbox id, or null for some mailbox of the account). */
interface ChangeMessage {
  letterbox: 'change';
  accountId: number;
  mailboxId: number | null;
}

/** A worker has started its node and takes connections. */
interface ReadyMessage {
  letterbox: 'ready';
}

/** The primary hands a connection of `listener` (sent with the message as its handle). */
interface ConnectionMessage {
  letterbox: 'connection';
  listener: string;
}

/** A handed connection has closed in the worker. */
interface ClosedMessage {
  letterbox: 'closed';
}

type WorkerMessage = ChangeMessage | ReadyMessage | ClosedMessage;

function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === 'object' && m !== null && 'letterbox' in m;
}

/** WORKER_ID_ENV carries a worker's number (1..count) into its process, for its log lines. */
export const WORKER_ID_ENV = 'LETTERBOX_WORKER';

/** workerId is this process's worker number (1-based), or null in the primary or a single-process server. */
export function workerId(): number | null {
  if (!cluster.isWorker) return null;
  const n = Number(process.env[WORKER_ID_ENV]);
  return Number.isInteger(n) && n > 0 ? n : cluster.worker?.id ?? null;
}

/**
 * workerPeers is the ChangePeers of a worker's store: each change this worker commits goes to the primary,
 * which passes it to every other worker; theirs arrive here. Only in a cluster worker.
 */
export function workerPeers(): ChangePeers {
  if (!cluster.isWorker) throw new Error('workerPeers: not a cluster worker');
  return {
    publish(accountId, mailboxId) {
      if (!process.connected) return;
      const m: ChangeMessage = { letterbox: 'change', accountId, mailboxId };
      process.send!(m);
    },
    subscribe(listener) {
      process.on('message', (m: unknown) => {
        if (isWorkerMessage(m) && m.letterbox === 'change') listener(m.accountId, m.mailboxId);
      });
    },
  };
}

/**
 * workerConnections is the ConnectionSource of a worker's listeners: the connections the primary hands over,
 * each told back to the primary when it closes (so it counts each worker's open connections). A connection
 * for a listener that is not attached (shutting down) is closed at once. Only in a cluster worker.
 */
export function workerConnections(): ConnectionSource {
  if (!cluster.isWorker) throw new Error('workerConnections: not a cluster worker');
  const accepting = new Map<string, (socket: net.Socket) => void>();
  process.on('message', (m: unknown, handle: unknown) => {
    if (typeof m !== 'object' || m === null || (m as ConnectionMessage).letterbox !== 'connection' || !(handle instanceof net.Socket)) return;
    const socket = handle;
    socket.once('close', () => {
      const closed: ClosedMessage = { letterbox: 'closed' };
      if (process.connected) process.send!(closed);
    });
    const accept = accepting.get((m as ConnectionMessage).listener);
    if (!accept) socket.destroy();
    else accept(socket);
  });
  return {
    attach(name, accept) {
      accepting.set(name, accept);
      return () => {
        if (accepting.get(name) === accept) accepting.delete(name);
      };
    },
  };
}

/** BoundListener is a listener the primary bound: its name (as the workers' listeners are named) and server. */
export interface BoundListener {
  name: string;
  server: net.Server;
  address: NodeAddress;
  /**
   * onConnection gives `handle` this listener's connections: first those it accepted since it was bound, held
   * until now in order (a client may connect as soon as the port is bound, while the other listeners are
   * still being bound and before the workers start), then each new one. Called once.
   */
  onConnection(handle: (socket: net.Socket) => void): void;
}

/**
 * holding makes `server` hold the connections it accepts until their handler is given (BoundListener.onConnection);
 * `drop` closes those held, for a start that fails.
 */
function holding(server: net.Server): { onConnection: BoundListener['onConnection']; drop: () => void } {
  let held: net.Socket[] = [];
  const hold = (socket: net.Socket): void => {
    held.push(socket);
  };
  server.on('connection', hold);
  return {
    onConnection(handle) {
      server.off('connection', hold);
      server.on('connection', handle);
      const early = held;
      held = [];
      for (const socket of early) handle(socket);
    },
    drop() {
      for (const socket of held.splice(0)) socket.destroy();
    },
  };
}

/**
 * bindListeners binds, in the primary, every listener `config` turns on: IMAP (imap, imaps), POP3 (pop3,
 * pop3s), ManageSieve, LMTP on TCP and its unix socket (a stale socket file is removed first; mode 0666).
 * Connections are accepted paused and held from the first one on (BoundListener.onConnection), for
 * forkWorkers to hand on. Rejects with the Node error (`.port` or
 * `.socket` set, as the listeners of a single process do) after closing what it had bound.
 */
export async function bindListeners(config: Config): Promise<BoundListener[]> {
  const tcp: Array<{ name: NodeAddress['name']; host: string; port: number }> = [
    { name: 'imap', host: config.imap.host, port: config.imap.port },
    { name: 'imaps', host: config.imap.host, port: config.imap.tlsPort },
    { name: 'pop3', host: config.pop3.host, port: config.pop3.port },
    { name: 'pop3s', host: config.pop3.host, port: config.pop3.tlsPort },
    { name: 'managesieve', host: config.managesieve.host, port: config.managesieve.port },
    { name: 'lmtp', host: config.lmtp.host, port: config.lmtp.port },
  ];
  const bound: BoundListener[] = [];
  const listen = (server: net.Server, target: { host: string; port: number } | { socket: string }): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException & { port?: number; socket?: string }) => {
        if ('socket' in target) err.socket = target.socket;
        else err.port = target.port;
        reject(err);
      });
      const done = (): void => resolve();
      if ('socket' in target) server.listen(target.socket, done);
      else server.listen(target.port, target.host, done);
    });
  const drops: Array<() => void> = [];
  /** bind binds `server` (accepting paused) with its connections held from the first one on. */
  const bind = async (server: net.Server, target: { host: string; port: number } | { socket: string }): Promise<BoundListener['onConnection']> => {
    const { onConnection, drop } = holding(server);
    drops.push(drop);
    await listen(server, target);
    return onConnection;
  };
  try {
    for (const l of tcp.filter((l) => l.port !== 0)) {
      const server = net.createServer({ pauseOnConnect: true });
      const onConnection = await bind(server, l);
      const a = server.address() as net.AddressInfo;
      bound.push({ name: l.name, server, address: { name: l.name, host: a.address, port: a.port } as NodeAddress, onConnection });
    }
    if (config.lmtp.socket !== null) {
      const socket = config.lmtp.socket;
      await removeStaleSocket(socket);
      const server = net.createServer({ pauseOnConnect: true });
      const onConnection = await bind(server, { socket });
      await chmod(socket, SOCKET_MODE);
      bound.push({ name: 'lmtp-socket', server, address: { name: 'lmtp', socket }, onConnection });
    }
  } catch (err) {
    for (const drop of drops) drop();
    await Promise.all(bound.map((b) => new Promise<void>((r) => b.server.close(() => r()))));
    throw err;
  }
  return bound;
}

/** announceReady tells the primary that this worker's node takes connections. Only in a cluster worker. */
export function announceReady(): void {
  const m: ReadyMessage = { letterbox: 'ready' };
  process.send?.(m);
}

/** WorkerPool is the primary's view of its workers. */
export interface WorkerPool {
  /** Workers asked for. */
  readonly count: number;
  /** Workers whose node is listening now. */
  ready(): number;
  /** Sends `signal` to every worker (SIGHUP: reload TLS; SIGUSR1: reopen the log). */
  signal(signal: NodeJS.Signals): void;
  /** Stops restarting workers, sends each SIGTERM (they finish their running commands) and resolves once all have exited. */
  stop(): Promise<void>;
}

/** RESTART_DELAY_MS: a worker that died after start is replaced after this pause, so a crash loop cannot spin (ms). */
const RESTART_DELAY_MS = 1000;

/**
 * forkWorkers starts `count` workers running this same command line, the first alone and the others once it
 * is ready (so a configuration error is reported once, by the first), and hands them the connections of
 * `listeners` (bindListeners), each to the ready worker with the fewest open connections (those accepted
 * before every worker is ready wait until then, so that they are spread too). With `oneLmtpWorker`, LMTP
 * connections all go to one worker instead (the lowest-numbered ready one): on SQLite, where every commit
 * takes the one write lock and waits for its own fsync, the deliveries of one process share commits: 5000
 * deliveries over 4 connections took 4886 commits split over two workers and 3491 in one process, and
 * handed to one of the two they went 12 to 26 % faster than split (bench/RESULTS.md). Resolves with the
 * pool. Rejects with an Error carrying `exitCode` (the worker's exit status,
 * null when a signal ended it) when a worker exits before its node is ready; the workers started so far are
 * stopped first. Once started, a worker that exits unexpectedly is logged and replaced. Changes of each
 * worker are relayed to the others.
 */
export async function forkWorkers(count: number, log: Logger, listeners: readonly BoundListener[], opts: { oneLmtpWorker?: boolean } = {}): Promise<WorkerPool> {
  if (!cluster.isPrimary) throw new Error('forkWorkers: not the primary process');
  const workers = new Map<number, { worker: Worker; ready: boolean; open: number }>();
  let stopping = false;
  /** Whether every worker of the start has been ready once: until then connections wait, so that they are spread over all of them. */
  let started = false;
  /** Connections accepted before the start is done or while no worker is ready (all restarting), handed on after. */
  const waiting: Array<{ listener: string; socket: net.Socket }> = [];
  let turn = 0;

  /** handOn gives the connection to the ready worker with the fewest open connections (ties in turn), or an LMTP one to the first ready worker (oneLmtpWorker). */
  const handOn = (listener: string, socket: net.Socket): void => {
    let best: { worker: Worker; ready: boolean; open: number } | null = null;
    const usable = (e: { worker: Worker; ready: boolean }): boolean => e.ready && e.worker.isConnected();
    if (opts.oneLmtpWorker && (listener === 'lmtp' || listener === 'lmtp-socket')) {
      best = [...workers.entries()].sort(([a], [b]) => a - b).find(([, e]) => usable(e))?.[1] ?? null;
    } else {
      const entries = [...workers.values()];
      for (let i = 0; i < entries.length; i++) {
        const e = entries[(turn + i) % entries.length]!;
        if (usable(e) && (!best || e.open < best.open)) best = e;
      }
      turn++;
    }
    // Before every worker of the start is ready, all would go to the first one: a client that connects at
    // once (a benchmark, an MTA with queued mail) would keep its connections there.
    if (!best || !started) {
      if (stopping) socket.destroy();
      else waiting.push({ listener, socket });
      return;
    }
    best.open++;
    const m: ConnectionMessage = { letterbox: 'connection', listener };
    best.worker.send(m, socket, { keepOpen: false }, (err) => {
      if (!err) return;
      log.warn({ err: err.message, listener }, 'could not hand a connection to a worker; closed it');
      socket.destroy();
    });
  };
  for (const l of listeners) l.onConnection((socket) => handOn(l.name, socket));

  const relay = (from: Worker, m: ChangeMessage): void => {
    for (const { worker } of workers.values()) if (worker !== from && worker.isConnected()) worker.send(m);
  };

  /** fork starts worker `n` and resolves once it is ready; rejects when it exits first. */
  const fork = (n: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ [WORKER_ID_ENV]: String(n) });
      const entry = { worker, ready: false, open: 0 };
      workers.set(n, entry);
      worker.on('message', (m: unknown) => {
        if (!isWorkerMessage(m)) return;
        if (m.letterbox === 'change') relay(worker, m);
        else if (m.letterbox === 'closed') entry.open = Math.max(0, entry.open - 1);
        else if (m.letterbox === 'ready') {
          entry.ready = true;
          resolve();
          if (started) for (const w of waiting.splice(0)) handOn(w.listener, w.socket);
        }
      });
      worker.once('exit', (code, signal) => {
        if (workers.get(n)?.worker === worker) workers.delete(n);
        if (!entry.ready) {
          reject(Object.assign(new Error(`worker ${n} exited before it was ready (${signal ?? `exit code ${code}`})`), { exitCode: code }));
          return;
        }
        if (stopping) return;
        log.error({ worker: n, pid: worker.process.pid, code, signal }, `worker ${n} exited unexpectedly; starting a new one`);
        setTimeout(() => {
          if (stopping) return;
          fork(n).then(
            () => log.info({ worker: n }, `worker ${n} restarted`),
            (err: unknown) => log.error({ err: (err as Error).message, worker: n }, `worker ${n} could not be restarted`),
          );
        }, RESTART_DELAY_MS).unref();
      });
    });

  const stopAll = async (): Promise<void> => {
    stopping = true;
    // No new connections; the workers end theirs. (close()'s callback is not awaited: it would wait for the
    // connections handed on, which end only once the workers are told to stop.)
    for (const l of listeners) if (l.server.listening) l.server.close();
    for (const w of waiting.splice(0)) w.socket.destroy();
    const exits = [...workers.values()].map(
      ({ worker }) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
  };

  try {
    await fork(1);
    await Promise.all(Array.from({ length: count - 1 }, (_, i) => fork(i + 2)));
  } catch (err) {
    await stopAll();
    throw err;
  }
  started = true;
  for (const w of waiting.splice(0)) handOn(w.listener, w.socket);
  const pool: WorkerPool = {
    count,
    ready: () => [...workers.values()].filter((w) => w.ready && !w.worker.isDead()).length,
    signal(signal) {
      for (const { worker } of workers.values()) if (!worker.isDead()) worker.process.kill(signal);
    },
    stop: stopAll,
  };
  return pool;
}
