/**
 * startServer opens the IMAP listeners: cleartext with STARTTLS (RFC 9051 section 6.2.1, port 143)
 * and implicit TLS (RFC 8314, port 993), TLS 1.2 and 1.3 only (src/tls/policy.ts), and runs a
 * Connection per client. The plumbing (binding, admission within the limits of src/limits.ts,
 * certificate reload, graceful shutdown) is src/net/listeners.ts; the failed-login penalty (kept in the
 * store, so shared with POP3 and the other nodes) and the session registry may be shared with POP3.
 *
 * Imports (src/imap): protocol/, mime/, store/, auth/, delivery/, mailboxes/, sessions/, net/, tls/,
 * config/, metrics/ and src/limits.ts; never pop3/, lmtp/, server/, cli/, import/, export/ or admin/
 * (eslint.config.js holds it). Inside it, imports run one way: server -> connection -> dispatch ->
 * commands/ -> command.ts -> session.ts; no command imports connection.ts. The session lives in:
 * session.ts (what commands and the dispatcher see of a connection, SessionStatus), command.ts (CommandSpec
 * and the context typed by state), commands/index.ts (the one dispatch table), dispatch.ts (state check,
 * parse, run, the one place errors become replies), selected.ts (the selected view), sync.ts (untagged
 * updates from the change feed), tracker.ts (store changes routed to the sessions that selected the mailbox).
 */
import type { Logger } from 'pino';
import { LoginPenalty, penaltyLimits } from '../auth/penalty.js';
import type { Config } from '../config/types.js';
import { NO_METRICS, type Metrics } from '../metrics/metrics.js';
import { SessionRegistry } from '../sessions/registry.js';
import { Admission } from '../net/admission.js';
import type { ConnectionSource } from '../net/handoff.js';
import { startListeners, type ListenAddress as NetListenAddress } from '../net/listeners.js';
import * as L from '../limits.js';
import type { Store } from '../store/types.js';
import { Connection, type SessionLimits } from './connection.js';
import { MailboxTracker } from './tracker.js';

/** ListenAddress names one bound IMAP listener. */
export type ListenAddress = NetListenAddress<'imap' | 'imaps'>;

/** RunningServer is a started server. */
export interface RunningServer {
  addresses: ListenAddress[];
  /** Number of open client connections. */
  connectionCount(): number;
  /** Open client connections by listener: "imap" (143, STARTTLS) and "imaps" (993). */
  connectionCounts(): { imap: number; imaps: number };
  /** The logged-in sessions (the registry the server follows the store's control messages with). */
  sessions: SessionRegistry;
  /** Octets written to client sockets and not yet handed to the kernel, over all connections (backpressure check). */
  bufferedOutput(): number;
  /** Serves `material` to new TLS connections (993 and STARTTLS) from now on; open sessions keep theirs. */
  reloadTls(material: { key: Buffer; cert: Buffer }): void;
  /**
   * Stops accepting, lets each session finish the command it is running (its tagged reply included),
   * sends `* BYE` to every session, flushes and closes them, and resolves when all are closed (sessions
   * whose client does not read are cut after a few seconds).
   */
  close(): Promise<void>;
}

/**
 * ServerLimits are the limits one server enforces; the defaults are in src/limits.ts, except
 * maxConnections (config imap.maxConnections). Durations are milliseconds.
 */
export interface ServerLimits extends SessionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxConnectionsPerUserIp: number;
}

/** ServerOptions: configuration, storage, logger, and the PEM key/certificate for TLS. */
export interface ServerOptions {
  config: Config;
  store: Store;
  log: Logger;
  tls: { key: Buffer; cert: Buffer };
  /** Bind enabled listeners to ports the OS picks instead of the configured ones: true for all, or the names of those that do (tests, the library). */
  ephemeralPorts?: boolean | ReadonlyArray<'imap' | 'imaps'>;
  /** A worker of several: connections come from the primary, nothing is bound (net/handoff.ts). */
  connections?: ConnectionSource;
  /** Tests: lower limits (short timeouts, few connections) than the defaults. */
  limits?: Partial<ServerLimits>;
  /** The failed-login penalty to share with other protocols (POP3); by default one of its own from config.auth. */
  penalty?: LoginPenalty;
  /** Where logins and commands are counted (default: nowhere). */
  metrics?: Metrics;
  /** The node's session registry, shared with POP3 (default: a new one, which follows the store's control messages itself). */
  sessions?: SessionRegistry;
}

/** serverLimits fills in the defaults of limits.ts and the config for the limits not given. */
export function serverLimits(config: Config, given: Partial<ServerLimits> = {}): ServerLimits {
  return {
    maxConnections: config.imap.maxConnections,
    maxConnectionsPerIp: config.imap.maxConnectionsPerIp,
    maxConnectionsPerUserIp: config.imap.maxConnectionsPerUserIp,
    unauthenticatedTimeoutMs: L.UNAUTHENTICATED_TIMEOUT_MS,
    commandCompletionTimeoutMs: L.COMMAND_COMPLETION_TIMEOUT_MS,
    outputStallTimeoutMs: L.OUTPUT_STALL_TIMEOUT_MS,
    ...given,
  };
}

/**
 * startServer binds every configured listener (a port of 0 in the config turns it off) and resolves
 * once all are listening. Rejects with the Node error (code EADDRINUSE, EACCES; `.port` set) when one
 * cannot bind, after closing the ones already bound.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { config, store, log } = opts;
  const limits = serverLimits(config, opts.limits);
  const admission = new Admission(limits);
  const penalty = opts.penalty ?? new LoginPenalty(store, penaltyLimits(config));
  const metrics = opts.metrics ?? NO_METRICS;
  // A registry of its own follows the store's control messages here; a shared one is followed by its owner (serve).
  const sessions = opts.sessions ?? new SessionRegistry();
  const unfollow = opts.sessions ? () => {} : sessions.follow(store, log);
  // One store listener for the server; the tracker hands each change to the sessions that have its mailbox selected.
  const tracker = new MailboxTracker((accountId, mailboxId) => store.highestModseq(accountId, mailboxId));
  const unlisten = store.onChange((accountId, mailboxId) => tracker.changed(accountId, mailboxId));
  const counts = { imap: 0, imaps: 0 };
  const listeners = await startListeners({
    host: config.imap.host,
    listeners: [
      { name: 'imap' as const, port: config.imap.port, implicitTls: false },
      { name: 'imaps' as const, port: config.imap.tlsPort, implicitTls: true },
    ],
    tls: opts.tls,
    log,
    admission,
    ephemeralPorts: opts.ephemeralPorts,
    connections: opts.connections,
    refusal: (verdict) => (verdict === 'ip' ? '* BYE [UNAVAILABLE] Too many connections from your address\r\n' : '* BYE [UNAVAILABLE] Too many connections\r\n'),
    open(socket, ctx) {
      const kind = ctx.implicitTls ? 'imaps' : 'imap';
      counts[kind]++;
      const c = new Connection(socket, {
        store,
        config,
        log,
        secureContext: ctx.secureContext,
        implicitTls: ctx.implicitTls,
        limits,
        admission,
        penalty,
        metrics,
        sessions,
        tracker,
        onClose: () => {
          counts[kind]--;
          ctx.closed();
        },
      });
      c.start();
      return c;
    },
  }).catch((err: unknown) => {
    unlisten();
    unfollow();
    throw err;
  });

  return {
    addresses: listeners.addresses,
    connectionCount: () => listeners.connectionCount(),
    connectionCounts: () => ({ ...counts }),
    sessions,
    bufferedOutput: () => listeners.bufferedOutput(),
    reloadTls(material) {
      listeners.reloadTls(material);
      log.info('TLS certificate reloaded');
    },
    close: async () => {
      unfollow();
      await listeners.close('Server shutting down.');
      unlisten();
    },
  };
}
