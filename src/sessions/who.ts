/**
 * listAllSessions: the logged-in sessions of every running node of a store, for `letterbox who` and
 * `kick`. It asks every node (a `list-sessions` control message) and collects their answers from the store
 * (presence.ts), waiting until every live node has answered or the time is up; a node that does not answer
 * is named, never guessed at.
 */
import { randomBytes } from 'node:crypto';
import type { ServerNode, Store } from '../store/types.js';
import { liveNodes } from './presence.js';
import type { SessionInfo } from './registry.js';

/** WHO_TIMEOUT_MS is how long listAllSessions waits for the nodes' answers (ms); they come within a second. */
export const WHO_TIMEOUT_MS = 5000;

/** POLL_MS is how often the answers are looked for while waiting (ms). */
const POLL_MS = 100;

/** NodeSessions is one node's answer: its logged-in sessions. */
export interface NodeSessions {
  node: ServerNode;
  sessions: SessionInfo[];
}

/** AllSessions: the answers, and the live nodes that did not answer in time. */
export interface AllSessions {
  answered: NodeSessions[];
  silent: ServerNode[];
}

/**
 * listAllSessions asks every live node of `store` for its sessions and resolves with the answers, waiting
 * at most `timeoutMs` (default WHO_TIMEOUT_MS). No node running gives two empty lists. Throws what the
 * store throws.
 */
export async function listAllSessions(store: Store, opts: { timeoutMs?: number } = {}): Promise<AllSessions> {
  const nodes = await liveNodes(store);
  if (nodes.length === 0) return { answered: [], silent: [] };
  const requestId = randomBytes(9).toString('base64url');
  await store.sendControl({ kind: 'list-sessions', requestId });
  const deadline = Date.now() + (opts.timeoutMs ?? WHO_TIMEOUT_MS);
  const answers = new Map<string, SessionInfo[]>();
  for (;;) {
    for (const n of await store.listNodes()) {
      if (n.answeredRequest !== requestId || n.answer === null || answers.has(n.id)) continue;
      try {
        answers.set(n.id, JSON.parse(n.answer) as SessionInfo[]);
      } catch {
        // unreadable: the node counts as silent
      }
    }
    if (nodes.every((n) => answers.has(n.id)) || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return {
    answered: nodes.filter((n) => answers.has(n.id)).map((node) => ({ node, sessions: answers.get(node.id)! })),
    silent: nodes.filter((n) => !answers.has(n.id)),
  };
}
