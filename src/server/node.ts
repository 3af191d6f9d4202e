/**
 * startNode assembles one Letterbox node on an open store: the IMAP listeners (143 with STARTTLS, 993 with
 * TLS), POP3 (110 with STLS, 995 with TLS), ManageSieve (4190 with STARTTLS) and LMTP (TCP and a unix
 * socket), sharing the store, one
 * failed-login penalty (so switching protocol buys a password guesser nothing) and one session registry
 * (so `letterbox user delete`, `user passwd` and `kick` end every session), and the node's presence in the
 * store (so `letterbox who` lists its sessions). `letterbox serve` (cli/serve.ts), the library (index.ts)
 * and the tests (test/support/server.ts) start servers through here, so all three run the same code.
 *
 * The rule of this folder: it assembles the protocol folders (imap/, pop3/, managesieve/, lmtp/) with auth/ and sessions/
 * over a Store; only cli/ and the library's entry point (index.ts) import it.
 */
import type { Logger } from 'pino';
import { LoginPenalty, penaltyLimits } from '../auth/penalty.js';
import type { Config } from '../config/types.js';
import { startServer as startImapServer, type RunningServer, type ServerLimits } from '../imap/server.js';
import { startLmtpServer, type RunningLmtp } from '../lmtp/server.js';
import { startManageSieveServer, type ManageSieveLimits, type RunningManageSieve } from '../managesieve/server.js';
import type { Metrics } from '../metrics/metrics.js';
import { startPop3Server, type Pop3Limits, type RunningPop3 } from '../pop3/server.js';
import type { ConnectionSource } from '../net/handoff.js';
import { NodePresence } from '../sessions/presence.js';
import { SessionRegistry } from '../sessions/registry.js';
import type { Store } from '../store/types.js';

/** TcpListenerName names the TCP listeners of a node. */
export type TcpListenerName = 'imap' | 'imaps' | 'pop3' | 'pop3s' | 'managesieve' | 'lmtp';

/** NodeAddress is one bound listener: a TCP address, or LMTP's unix socket. */
export type NodeAddress = { name: TcpListenerName; host: string; port: number } | { name: 'lmtp'; socket: string };

/** NodeOptions: what startNode runs on. */
export interface NodeOptions {
  /** Ports (0 turns a listener off), hosts, limits, penalty settings. */
  config: Config;
  /** The open store; the node never closes it (its owner does, after close()). */
  store: Store;
  log: Logger;
  /** PEM key and certificate chain for the TLS of IMAP, POP3 and ManageSieve; required when one of them is on. */
  tls: { key: Buffer; cert: Buffer } | null;
  /** Where logins, commands and deliveries are counted (default: nowhere). */
  metrics?: Metrics;
  /** Listeners (enabled in the config) bound to a port the OS picks: true for all, or their names. */
  ephemeral?: true | readonly TcpListenerName[];
  /** Tests: lower IMAP and POP3 limits (timeouts, connection caps) than the defaults. */
  limits?: Partial<ServerLimits>;
  pop3Limits?: Partial<Pop3Limits>;
  manageSieveLimits?: Partial<ManageSieveLimits>;
  /** The session registry (default: a new one); serve gives its own to count sessions for /metrics. */
  sessions?: SessionRegistry;
  /** A worker of several: connections come from the primary, which binds every listener (server/cluster.ts). */
  connections?: ConnectionSource;
  /** Whether this node runs the store's upkeep (Store.startBackground; default true). The workers of one server leave it to their primary, so it runs once. */
  background?: boolean;
}

/** RunningNode is a started node. */
export interface RunningNode {
  imap: RunningServer | null;
  pop3: RunningPop3 | null;
  managesieve: RunningManageSieve | null;
  lmtp: RunningLmtp;
  /** The logged-in IMAP, POP3 and ManageSieve sessions. */
  sessions: SessionRegistry;
  /** This node's row in the store. */
  presence: NodePresence;
  /** Every bound listener, IMAP first, then POP3, ManageSieve, LMTP. */
  addresses: NodeAddress[];
  /** Serves `material` to new TLS connections of IMAP, POP3 and ManageSieve from now on; open sessions keep theirs. */
  reloadTls(material: { key: Buffer; cert: Buffer }): void;
  /**
   * Stops accepting, ends every session once its running command has finished (`* BYE Server shutting
   * down.`), lets LMTP transactions finish, and removes the node's row. Does not close the store.
   */
  close(): Promise<void>;
}

/**
 * startNode binds every listener the config turns on and resolves once all listen. Rejects, after closing
 * what it had started, with the Node error of a listener that cannot bind (EADDRINUSE, EACCES, ...; with
 * `.port` or `.socket`), or an Error when IMAP, POP3 or ManageSieve is on without `tls`.
 */
export async function startNode(opts: NodeOptions): Promise<RunningNode> {
  const { config, store, log } = opts;
  const imapOn = config.imap.port !== 0 || config.imap.tlsPort !== 0;
  const pop3On = config.pop3.port !== 0 || config.pop3.tlsPort !== 0;
  const manageSieveOn = config.managesieve.port !== 0;
  if ((imapOn || pop3On || manageSieveOn) && !opts.tls) throw new Error('startNode: IMAP, POP3 and ManageSieve need TLS material');
  const chosen = opts.ephemeral;
  const ephemeral = <N extends TcpListenerName>(names: readonly N[]): N[] => (chosen === true ? [...names] : names.filter((n) => chosen?.includes(n)));
  const metrics = opts.metrics ? { metrics: opts.metrics } : {};
  const sessions = opts.sessions ?? new SessionRegistry();
  const unfollow = sessions.follow(store, log);
  // The store's upkeep while the node serves (SQLite: the full-text index of new mail, in batches, and the
  // WAL's checkpoints); a worker of several leaves it to the primary, which runs it for all.
  const stopBackground = opts.background === false ? store.leaveBackground() : store.startBackground();
  // One penalty for every protocol (kept in the store, so every node shares it too).
  const penalty = new LoginPenalty(store, penaltyLimits(config));
  let presence: NodePresence | null = null;
  let imap: RunningServer | null = null;
  let pop3: RunningPop3 | null = null;
  let managesieve: RunningManageSieve | null = null;
  try {
    presence = await NodePresence.start(store, sessions, log);
    if (imapOn) imap = await startImapServer({ config, store, log, tls: opts.tls!, penalty, sessions, limits: opts.limits, ephemeralPorts: ephemeral(['imap', 'imaps']), connections: opts.connections, ...metrics });
    if (pop3On) pop3 = await startPop3Server({ config, store, log, tls: opts.tls!, penalty, sessions, limits: opts.pop3Limits, ephemeralPorts: ephemeral(['pop3', 'pop3s']), connections: opts.connections, ...metrics });
    if (manageSieveOn) {
      managesieve = await startManageSieveServer({ config, store, log, tls: opts.tls!, penalty, sessions, limits: opts.manageSieveLimits, ephemeralPort: ephemeral(['managesieve']).length > 0, connections: opts.connections, ...metrics });
    }
    const lmtp = await startLmtpServer({ config, store, log, ephemeralPort: ephemeral(['lmtp']).length > 0, connections: opts.connections, ...metrics });
    const running = { imap, pop3, managesieve, lmtp, presence };
    return {
      ...running,
      sessions,
      addresses: [...(imap?.addresses ?? []), ...(pop3?.addresses ?? []), ...(managesieve?.addresses ?? []), ...lmtp.addresses] as NodeAddress[],
      reloadTls(material) {
        imap?.reloadTls(material);
        pop3?.reloadTls(material);
        managesieve?.reloadTls(material);
      },
      async close() {
        try {
          await Promise.all([running.imap?.close(), running.pop3?.close(), running.managesieve?.close(), running.lmtp.close()]);
        } finally {
          stopBackground();
          unfollow();
          await running.presence.stop();
        }
      },
    };
  } catch (err) {
    await Promise.all([imap?.close(), pop3?.close(), managesieve?.close()]);
    stopBackground();
    unfollow();
    await presence?.stop();
    throw err;
  }
}
