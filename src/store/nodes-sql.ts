/**
 * The running servers of one store (sessions/presence.ts keeps them): table server_nodes, one row per
 * server process, with its heartbeat and its latest answer to `letterbox who`. The SQL is the same in
 * both dialects (BIGINT is an INTEGER to SQLite), so it is written once here; each backend runs it through
 * its own driver. Not keyed by account: a node serves every account.
 */
import type { ServerNode, ServerNodeState } from './types.js';

/** NODES_SCHEMA (SQLite migration 9, PostgreSQL migration 8): times are ms since epoch; answer is JSON text. IF NOT EXISTS: the migration tests take databases back to older versions. */
export const NODES_SCHEMA = `
CREATE TABLE IF NOT EXISTS server_nodes (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  seen_at BIGINT NOT NULL,
  answered_request TEXT,
  answer TEXT
);
`;

/** PUT_NODE_SQL inserts a node, or updates its host, pid and seen_at: parameters id, host, pid, started_at, seen_at (nodeParams). */
export const PUT_NODE_SQL = `INSERT INTO server_nodes (id, host, pid, started_at, seen_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, seen_at = excluded.seen_at`;

/** nodeParams are PUT_NODE_SQL's parameters for `n`. */
export function nodeParams(n: ServerNode): [string, string, number, number, number] {
  return [n.id, n.host, n.pid, n.startedAt, n.seenAt];
}

/** ANSWER_NODE_SQL records a node's answer: parameters request id, answer, node id. */
export const ANSWER_NODE_SQL = 'UPDATE server_nodes SET answered_request = ?, answer = ? WHERE id = ?';

/** LIST_NODES_SQL selects every node as a NodeRow, in the order they started. */
export const LIST_NODES_SQL = 'SELECT id, host, pid, started_at, seen_at, answered_request, answer FROM server_nodes ORDER BY started_at, id';

/** NodeRow is a row of LIST_NODES_SQL. */
export interface NodeRow {
  id: string;
  host: string;
  pid: number;
  started_at: number;
  seen_at: number;
  answered_request: string | null;
  answer: string | null;
}

/** nodeState turns a NodeRow into a ServerNodeState. */
export function nodeState(r: NodeRow): ServerNodeState {
  return { id: r.id, host: r.host, pid: r.pid, startedAt: r.started_at, seenAt: r.seen_at, answeredRequest: r.answered_request, answer: r.answer };
}
