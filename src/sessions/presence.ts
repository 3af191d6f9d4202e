/**
 * NodePresence announces a running server in its store (Store.putNode, table server_nodes): a row with a
 * heartbeat every HEARTBEAT_MS, and an answer to every `list-sessions` control message with the sessions
 * of its registry, so that `letterbox who` lists the sessions of every node, and commands that must not
 * run beside a server (`migrate-storage`, `restore`) can tell that one runs.
 *
 * Why rows and a request rather than a sessions table kept up to date: a session that logs in or selects a
 * mailbox writes nothing, and a node that dies (SIGKILL, a lost machine) leaves no session behind: it only
 * stops answering. Its row stays, but its heartbeat stops, so NODE_STALE_MS later it no longer counts
 * (at once on its own host for SQLite, where its process id is seen to be gone), and rows silent for
 * FORGET_AFTER_MS are deleted by the next node that starts.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { ServerNode, Store } from '../store/types.js';
import type { SessionRegistry } from './registry.js';

/** HEARTBEAT_MS is how often a node says it is alive (ms). */
export const HEARTBEAT_MS = 10_000;

/** NODE_STALE_MS: a node that has not said it is alive for this long is taken for dead (ms): three heartbeats missed. */
export const NODE_STALE_MS = 3 * HEARTBEAT_MS;

/** FORGET_AFTER_MS: rows of nodes silent this long are deleted when a node starts (ms). */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

/** NodePresence is one running node's row in the store; stop() removes it. */
export class NodePresence {
  private timer: NodeJS.Timeout | null = null;
  private unfollow: (() => void) | null = null;
  private stopped = false;

  private constructor(
    /** The node as recorded (seenAt as of the last heartbeat). */
    readonly node: ServerNode,
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  /**
   * start records this process as a node of `store`, answers `list-sessions` requests with the sessions of
   * `registry`, and keeps the heartbeat going (an unref'd timer) until stop(). Throws what the store throws
   * when the first write fails.
   */
  static async start(store: Store, registry: SessionRegistry, log: Logger, opts: { heartbeatMs?: number } = {}): Promise<NodePresence> {
    const now = Date.now();
    const node: ServerNode = { id: randomBytes(9).toString('base64url'), host: os.hostname(), pid: process.pid, startedAt: now, seenAt: now };
    const presence = new NodePresence(node, store, log);
    await store.putNode(node);
    const forgotten = (await store.listNodes()).filter((n) => n.seenAt < now - FORGET_AFTER_MS).map((n) => n.id);
    await store.deleteNodes(forgotten);
    presence.unfollow = store.onControl((m) => {
      if (m.kind !== 'list-sessions' || presence.stopped) return;
      store.answerNode(node.id, m.requestId, JSON.stringify(registry.list())).catch((err: unknown) => log.warn({ err }, 'could not answer a session listing (letterbox who)'));
    });
    presence.timer = setInterval(() => presence.beat(), opts.heartbeatMs ?? HEARTBEAT_MS);
    presence.timer.unref();
    return presence;
  }

  private beat(): void {
    this.node.seenAt = Date.now();
    this.store.putNode(this.node).catch((err: unknown) => this.log.warn({ err }, 'could not record the heartbeat of this node'));
  }

  /** stop ends the heartbeat and the answers, and deletes the node's row (a failure is logged: the row then goes stale). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unfollow?.();
    try {
      await this.store.deleteNodes([this.node.id]);
    } catch (err) {
      this.log.warn({ err }, 'could not remove this node from the store; it will count as stopped once its heartbeat is stale');
    }
  }
}

/**
 * isLive tells whether `node` of a store of kind `storeKind` runs, as far as the store can tell at `now`
 * (ms since epoch): its heartbeat is younger than NODE_STALE_MS, and for SQLite (whose nodes share a
 * machine) its process still exists when it is on this host.
 */
export function isLive(node: ServerNode, storeKind: string, now: number = Date.now()): boolean {
  if (node.seenAt < now - NODE_STALE_MS) return false;
  if (storeKind !== 'sqlite' || node.host !== os.hostname()) return true;
  try {
    process.kill(node.pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** liveNodes lists the nodes of `store` that run now (isLive). */
export async function liveNodes(store: Store): Promise<ServerNode[]> {
  const now = Date.now();
  return (await store.listNodes()).filter((n) => isLive(n, store.kind, now));
}
