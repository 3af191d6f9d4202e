/**
 * The worker processes of one `letterbox serve` (serve.workers > 1), over node:cluster: the primary process
 * forks the workers, each of which opens the store and starts a node (node.ts) on the same ports. The
 * primary holds the listening sockets and hands each new connection to the next worker in turn (cluster's
 * round-robin scheduling), so a worker never sees another's connections, and the primary does no protocol
 * work.
 *
 * What the workers share is the store: SQLite's file in WAL mode (one writer at a time, readers never
 * blocked) or PostgreSQL. A change committed by one worker reaches the sessions of the others at once: on
 * PostgreSQL through its NOTIFY, as between nodes; on SQLite through the cluster's own IPC channel, relayed
 * by the primary (workerPeers, relayChanges), which is the ChangePeers of each worker's store. Control
 * messages (kick, password change) travel through the store as between nodes. Each worker is a node of its
 * own for `letterbox who`, and counts its own connection limits.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { ChangePeers } from '../store/types.js';
import type { NodeAddress } from './node.js';

/** A change committed by one worker, relayed to the others (account id; mailbox id, or null for some mailbox of the account). */
interface ChangeMessage {
  letterbox: 'change';
  accountId: number;
  mailboxId: number | null;
}

/** A worker has started its node: its listeners and their addresses. */
interface ReadyMessage {
  letterbox: 'ready';
  addresses: NodeAddress[];
}

type WorkerMessage = ChangeMessage | ReadyMessage;

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

/** announceReady tells the primary that this worker's node listens on `addresses`. Only in a cluster worker. */
export function announceReady(addresses: NodeAddress[]): void {
  const m: ReadyMessage = { letterbox: 'ready', addresses };
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
 * listens (so a configuration or port error is reported once, by the first). Resolves with the pool and the
 * addresses the first worker bound. Rejects with an Error carrying `exitCode` (the worker's exit status)
 * when a worker exits before its node listens; the workers started so far are stopped first. Once started,
 * a worker that exits unexpectedly is logged and replaced. Changes of each worker are relayed to the others.
 */
export async function forkWorkers(count: number, log: Logger): Promise<{ pool: WorkerPool; addresses: NodeAddress[] }> {
  if (!cluster.isPrimary) throw new Error('forkWorkers: not the primary process');
  const workers = new Map<number, { worker: Worker; ready: boolean }>();
  let stopping = false;

  const relay = (from: Worker, m: ChangeMessage): void => {
    for (const { worker } of workers.values()) if (worker !== from && worker.isConnected()) worker.send(m);
  };

  /** fork starts worker `n` and resolves with its addresses once it listens; rejects when it exits first. */
  const fork = (n: number): Promise<NodeAddress[]> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ [WORKER_ID_ENV]: String(n) });
      const entry = { worker, ready: false };
      workers.set(n, entry);
      worker.on('message', (m: unknown) => {
        if (!isWorkerMessage(m)) return;
        if (m.letterbox === 'change') relay(worker, m);
        else if (m.letterbox === 'ready') {
          entry.ready = true;
          resolve(m.addresses);
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

  const stopAll = (): Promise<void> => {
    stopping = true;
    const exits = [...workers.values()].map(
      ({ worker }) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    );
    return Promise.all(exits).then(() => undefined);
  };

  let addresses: NodeAddress[];
  try {
    addresses = await fork(1);
    await Promise.all(Array.from({ length: count - 1 }, (_, i) => fork(i + 2)));
  } catch (err) {
    await stopAll();
    throw err;
  }
  const pool: WorkerPool = {
    count,
    ready: () => [...workers.values()].filter((w) => w.ready && !w.worker.isDead()).length,
    signal(signal) {
      for (const { worker } of workers.values()) if (!worker.isDead()) worker.process.kill(signal);
    },
    stop: stopAll,
  };
  return { pool, addresses };
}
