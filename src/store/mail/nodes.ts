/**
 * The running servers of one store (sessions/presence.ts keeps them), over the SQL of nodes-sql.ts.
 */
import type { ServerNode, ServerNodeState } from '../types.js';
import { ANSWER_NODE_SQL, LIST_NODES_SQL, nodeParams, nodeState, PUT_NODE_SQL, type NodeRow } from '../nodes-sql.js';
import type { Dialect } from './dialect.js';
import { exec, many, type Rule } from './rule.js';

/** putNode inserts the node or updates its host, pid and heartbeat (Store.putNode). */
export function* putNode(node: ServerNode): Rule<void> {
  yield* exec(PUT_NODE_SQL, ...nodeParams(node));
}

/** deleteNodes deletes the nodes `ids` (Store.deleteNodes). */
export function* deleteNodes(sql: Dialect, ids: readonly string[]): Rule<void> {
  yield* exec(`DELETE FROM server_nodes WHERE ${sql.inTexts('id')}`, sql.texts(ids));
}

/** listNodes returns every node in the order they started (Store.listNodes). */
export function* listNodes(): Rule<ServerNodeState[]> {
  return (yield* many<NodeRow>(LIST_NODES_SQL)).map(nodeState);
}

/** answerNode records node `id`'s answer to request `requestId` (Store.answerNode). */
export function* answerNode(id: string, requestId: string, answer: string): Rule<void> {
  yield* exec(ANSWER_NODE_SQL, requestId, answer, id);
}
