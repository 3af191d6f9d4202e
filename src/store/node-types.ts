/**
 * What the store keeps for the servers rather than for the mail, shared by every node on one store: the
 * login penalty state (auth/penalty.ts), control messages between nodes (ending sessions, listing them) and
 * the live servers (`letterbox who`), and the observer of durable commits (metrics). The Store interface
 * (types.ts) has the methods; these are their shapes.
 */

/**
 * PenaltyReservation is what Store.reservePenalty read, before it reserved the attempt: the failures of the
 * address (within the expiry), and the attempts and next answer time (ms since epoch, 0 for none) of the
 * pair of address and user name (auth/penalty.ts).
 */
export interface PenaltyReservation {
  addressFailures: number;
  /** The pair's own failures within the expiry. */
  pairFailures: number;
  pairAttempts: number;
  pairNextAt: number;
}

/** PenaltyEntry is one address under penalty: its failures within the expiry, the last one (ms since epoch) and how many user names were tried. */
export interface PenaltyEntry {
  remote: string;
  failures: number;
  lastFailure: number;
  names: number;
}

/**
 * ControlMessage is an instruction to the sessions of every node (Store.sendControl): `end-sessions` ends
 * every session of the account with `* BYE reason` (its account was deleted, its password changed, or the
 * operator ran `letterbox kick`); `list-sessions` asks every node to answer with its logged-in sessions
 * (Store.answerNode, under `requestId`) for `letterbox who`.
 */
export type ControlMessage = { kind: 'end-sessions'; accountId: number; reason: string } | { kind: 'list-sessions'; requestId: string };

/**
 * ServerNode is one running server using the store (a `letterbox serve`, or one the library started), as
 * it announces itself: a random `id` per start, its host name and process id, and when it started and last
 * said it was alive (ms since epoch; it does so every few seconds while it runs).
 */
export interface ServerNode {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  seenAt: number;
}

/** ServerNodeState is a node with its latest answer to a `list-sessions` request: the request's id and the JSON text it answered, or nulls. */
export interface ServerNodeState extends ServerNode {
  answeredRequest: string | null;
  answer: string | null;
}

/** ControlListener receives control messages (of this node and the others). */
export type ControlListener = (message: ControlMessage) => void;

/** CommitObserver is told of every durable write transaction: its duration in seconds and the writes it made durable (metrics). */
export type CommitObserver = (seconds: number, writes: number) => void;

/**
 * ChangePeers joins the change notifications of sibling processes that share one SQLite file (the workers
 * of one `letterbox serve`, server/cluster.ts): `publish` is told of every change this process commits, with
 * the listener's arguments (see ChangeListener), and the listener given to `subscribe` is called with each
 * change a sibling committed. Without it a sibling's commit is seen only by the data_version poll, up to
 * POLL_INTERVAL_MS later and without saying which mailbox changed. PostgreSQL needs none: its NOTIFY
 * reaches every process.
 */
export interface ChangePeers {
  publish(accountId: number, mailboxId: number | null): void;
  subscribe(listener: (accountId: number, mailboxId: number | null) => void): void;
}
