/**
 * Driver: what the one Store facade (store.ts) needs of a backend: running rules in transactions, the
 * change and control notifications between sessions and nodes, and housekeeping. A driver runs rules; it
 * never decides what they do.
 */
import type { BackgroundOptions, ChangeListener, ControlListener, ControlMessage } from '../types.js';
import type { Dialect } from './dialect.js';
import type { Rule } from './rule.js';

/** WriteOptions: `durable: false` for state a power cut may lose (\Recent claims), committed without waiting for fsync where the backend can. */
export interface WriteOptions {
  durable?: boolean;
}

/** Driver is one backend under the Store facade; see the module comment. */
export interface Driver {
  /** kind is Store.kind: "sqlite" or "postgres". */
  readonly kind: string;
  /** sql is the backend's dialect, for the rules. */
  readonly sql: Dialect;
  /**
   * write runs the rule `start` gives in one write transaction and resolves with its result once the
   * transaction is durable; the changes it recorded (rule.ts `changed`) are announced after commit, to this
   * node's listeners and the other nodes. If the rule throws, nothing is written or announced. `start` may
   * be called again when the backend retries a transaction that lost a deadlock.
   */
  write<T>(start: () => Rule<T>, opts?: WriteOptions): Promise<T>;
  /** read runs a rule that only reads; with `snapshot`, every statement sees the same snapshot. */
  read<T>(start: () => Rule<T>, snapshot?: boolean): Promise<T>;
  /** onChange adds a change listener (Store.onChange); returns its removal. */
  onChange(listener: ChangeListener): () => void;
  /** sendControl delivers `message` to every node's control listeners, this node's included (Store.sendControl). */
  sendControl(message: ControlMessage): Promise<void>;
  /** onControl adds a control listener (Store.onControl); returns its removal. */
  onControl(listener: ControlListener): () => void;
  /** startBackground starts the backend's upkeep in this process (Store.startBackground); returns its stop. */
  startBackground(opts?: BackgroundOptions): () => void;
  /** leaveBackground leaves this process's share of the upkeep to the process that runs startBackground (Store.leaveBackground); returns its undoing. */
  leaveBackground(): () => void;
  /** finishBackground does the upkeep to the end now (Store.finishBackground). */
  finishBackground(): Promise<void>;
  /** analyze refreshes the planner's statistics (Store.analyze). */
  analyze(): Promise<void>;
  /** health returns null when the backend answers, else what is wrong (Store.health). */
  health(): Promise<string | null>;
  /** close commits what is queued and closes the connections. */
  close(): Promise<void>;
}
