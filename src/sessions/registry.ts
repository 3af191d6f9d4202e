/**
 * SessionRegistry knows the logged-in sessions of this node, of any protocol, by account, and acts on the
 * store's control messages (Store.onControl): `end-sessions` from `letterbox user delete`, `user passwd`
 * or `kick`, sent on any node or by any process on the same SQLite file, ends that account's sessions here
 * with `* BYE reason`. What lists the sessions of every node (`letterbox who`) is presence.ts and who.ts.
 * Imports (src/sessions): store types and node built-ins only, never a protocol (eslint.config.js holds it).
 */
import type { Logger } from 'pino';
import type { ControlMessage, Store } from '../store/types.js';

/** LiveSession is what the registry knows of one logged-in session. */
export interface LiveSession {
  /** "imap" or "pop3". */
  readonly protocol: string;
  /** The session id of its log lines. */
  readonly id: string;
  readonly accountId: number;
  readonly user: string;
  readonly remote: string;
  /** Whether the connection is encrypted (implicit TLS, or STARTTLS/STLS before the login). */
  readonly tls: boolean;
  /** When the client connected, ms since epoch. */
  readonly since: number;
  /** The mailbox the session has selected now (POP3: INBOX, its maildrop), or null. */
  mailbox(): string | null;
  /** Ends the session with `reason` (IMAP: `* BYE reason` once the running command has finished). */
  end(reason: string): void;
}

/** SessionSource is what a connection tells the registry about itself when it logs in. */
export interface SessionSource {
  readonly sessionId: string;
  readonly remoteAddress: string;
  /** Encrypted now (a session logs in after STARTTLS/STLS, never before and after). */
  readonly secure: boolean;
  /** ms since epoch. */
  readonly connectedAt: number;
  shutdown(reason: string): Promise<void>;
}

/** liveSession is the registry entry of connection `c` of `protocol`, logged in as `account`, whose selected mailbox `mailbox` tells. */
export function liveSession(protocol: string, c: SessionSource, account: { id: number; email: string }, mailbox: () => string | null): LiveSession {
  return { protocol, id: c.sessionId, accountId: account.id, user: account.email, remote: c.remoteAddress, tls: c.secure, since: c.connectedAt, mailbox, end: (reason) => void c.shutdown(reason) };
}

/** SessionInfo is a logged-in session as `letterbox who` shows it: LiveSession's data without the account id. */
export interface SessionInfo {
  protocol: string;
  id: string;
  user: string;
  remote: string;
  tls: boolean;
  /** ms since epoch. */
  since: number;
  mailbox: string | null;
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

  /** list describes every logged-in session of this node, oldest first. */
  list(): SessionInfo[] {
    const out: SessionInfo[] = [];
    for (const set of this.byAccount.values()) {
      for (const s of set) out.push({ protocol: s.protocol, id: s.id, user: s.user, remote: s.remote, tls: s.tls, since: s.since, mailbox: s.mailbox() });
    }
    return out.sort((a, b) => a.since - b.since);
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
