/**
 * SessionRegistry knows the logged-in sessions of this node, of any protocol, by account, and acts on the
 * store's control messages (Store.onControl): `end-sessions` from `letterbox user delete` or `user passwd`,
 * sent on any node or by any process on the same SQLite file, ends that account's sessions here with
 * `* BYE reason`. It is the place to add what lists or ends sessions across nodes (`letterbox who`, `kick`).
 * Imports only store types.
 */
import type { Logger } from 'pino';
import type { ControlMessage, Store } from '../store/types.js';

/** LiveSession is what the registry knows of one logged-in session. */
export interface LiveSession {
  /** "imap" (POP3 and others later). */
  readonly protocol: string;
  /** The session id of its log lines. */
  readonly id: string;
  readonly accountId: number;
  readonly user: string;
  readonly remote: string;
  /** Ends the session with `reason` (IMAP: `* BYE reason` once the running command has finished). */
  end(reason: string): void;
}

/** SessionRegistry holds the logged-in sessions of one node. */
export class SessionRegistry {
  private readonly byAccount = new Map<number, Set<LiveSession>>();

  /** add records a session that has just logged in. */
  add(s: LiveSession): void {
    let set = this.byAccount.get(s.accountId);
    if (!set) this.byAccount.set(s.accountId, (set = new Set()));
    set.add(s);
  }

  /** remove forgets a session that has ended. */
  remove(s: LiveSession): void {
    const set = this.byAccount.get(s.accountId);
    if (!set) return;
    set.delete(s);
    if (set.size === 0) this.byAccount.delete(s.accountId);
  }

  /** ofAccount lists the account's sessions on this node. */
  ofAccount(accountId: number): LiveSession[] {
    return [...(this.byAccount.get(accountId) ?? [])];
  }

  /** count is the number of logged-in sessions on this node. */
  get count(): number {
    let n = 0;
    for (const set of this.byAccount.values()) n += set.size;
    return n;
  }

  /** endAccount ends every session of the account on this node with `reason`; returns how many. */
  endAccount(accountId: number, reason: string): number {
    const sessions = this.ofAccount(accountId);
    for (const s of sessions) s.end(reason);
    return sessions.length;
  }

  /** follow acts on `store`'s control messages until the returned function is called. */
  follow(store: Store, log: Logger): () => void {
    return store.onControl((m: ControlMessage) => {
      if (m.kind !== 'end-sessions') return;
      const n = this.endAccount(m.accountId, m.reason);
      if (n > 0) log.info({ accountId: m.accountId, sessions: n, reason: m.reason }, 'ended the sessions of an account');
    });
  }
}
