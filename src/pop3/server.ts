/**
 * startPop3Server serves POP3 (RFC 1939) on the same mailboxes as IMAP: the maildrop is the account's
 * INBOX. Port 110 with STLS (RFC 2595) and port 995 with implicit TLS (RFC 8314), TLS 1.2 and 1.3 only;
 * CAPA (RFC 2449), SASL PLAIN and LOGIN (RFC 5034), the response codes of RFC 2449 and RFC 3206. The
 * listeners, connection admission and certificate reload are src/net/listeners.ts, the login rules
 * (plaintext rule, password check, throttle shared with IMAP) are src/auth.
 *
 * Two sessions on one maildrop: allowed, as Dovecot allows them (RFC 1939 section 4 lets a server take
 * an exclusive lock instead; one would have to live in the database to hold across nodes, and IMAP
 * sessions change the mailbox anyway). Each session numbers the messages that were in INBOX when it
 * logged in; DELE marks are its own; QUIT expunges its marked messages in one transaction; a message
 * another session expunged meanwhile is answered "deleted by another session" by RETR and TOP.
 *
 * Imports (src/pop3): store/, auth/, net/, tls/, config/, metrics/, sessions/, mime/bytes.ts, src/limits.ts
 * and a pino Logger; never src/imap (eslint.config.js holds it). The protocol
 * lives in: connection.ts (framing, timers, session), dispatch.ts (one command line to one reply),
 * commands/ (one file per group of commands), maildrop.ts (the session's view of INBOX), multiline.ts
 * (byte-stuffing, TOP), line-reader.ts, writer.ts, errors.ts.
 */
import type { Logger } from 'pino';
import { LoginPenalty, penaltyLimits } from '../auth/penalty.js';
import { NO_METRICS, type Metrics } from '../metrics/metrics.js';
import { SessionRegistry } from '../sessions/registry.js';
import type { Config } from '../config/types.js';
import { Admission } from '../net/admission.js';
import type { ConnectionSource } from '../net/handoff.js';
import { startListeners, type ListenAddress } from '../net/listeners.js';
import * as L from '../limits.js';
import type { Store } from '../store/types.js';
import { Pop3Connection, type Pop3SessionLimits } from './connection.js';

/** Pop3Address names one bound POP3 listener. */
export type Pop3Address = ListenAddress<'pop3' | 'pop3s'>;

/** Pop3Limits: the limits one POP3 server enforces: the config's connection limits and the session limits of limits.ts (tests lower them). */
export interface Pop3Limits extends Pop3SessionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxConnectionsPerUserIp: number;
}

/** pop3Limits fills in config.pop3's connection limits and the defaults of limits.ts for the limits not given. */
export function pop3Limits(config: Config, given: Partial<Pop3Limits> = {}): Pop3Limits {
  return {
    maxConnections: config.pop3.maxConnections,
    maxConnectionsPerIp: config.pop3.maxConnectionsPerIp,
    maxConnectionsPerUserIp: config.pop3.maxConnectionsPerUserIp,
    unauthenticatedTimeoutMs: L.UNAUTHENTICATED_TIMEOUT_MS,
    authenticatedTimeoutMs: L.POP3_AUTHENTICATED_TIMEOUT_MS,
    commandCompletionTimeoutMs: L.COMMAND_COMPLETION_TIMEOUT_MS,
    outputStallTimeoutMs: L.OUTPUT_STALL_TIMEOUT_MS,
    ...given,
  };
}

/** Pop3ServerOptions: configuration (config.pop3), storage, logger, the PEM key/certificate. */
export interface Pop3ServerOptions {
  config: Config;
  store: Store;
  log: Logger;
  tls: { key: Buffer; cert: Buffer };
  /** The failed-login penalty shared with IMAP (default: one of its own from config.auth). */
  penalty?: LoginPenalty;
  /** Where logins are counted (default: nowhere). */
  metrics?: Metrics;
  /** The node's session registry, shared with IMAP (default: a new one, which follows the store's control messages itself). */
  sessions?: SessionRegistry;
  /** Bind enabled listeners to ports the OS picks instead of the configured ones: true for all, or the names of those that do (tests, the library). */
  ephemeralPorts?: boolean | ReadonlyArray<'pop3' | 'pop3s'>;
  /** A worker of several: connections come from the primary, nothing is bound (net/handoff.ts). */
  connections?: ConnectionSource;
  /** Tests: lower limits than the defaults. */
  limits?: Partial<Pop3Limits>;
}

/** RunningPop3 is a started POP3 server. */
export interface RunningPop3 {
  addresses: Pop3Address[];
  /** Number of open client connections. */
  connectionCount(): number;
  /** Octets written to client sockets and not yet handed to the kernel, over all connections. */
  bufferedOutput(): number;
  /** Serves `material` to new TLS connections (995 and STLS) from now on. */
  reloadTls(material: { key: Buffer; cert: Buffer }): void;
  /** Stops accepting; each session finishes its running command, is told `-ERR [SYS/TEMP] Server shutting down.` and closed (deleting nothing). */
  close(): Promise<void>;
}

/**
 * startPop3Server binds the listeners of config.pop3 (port and tls_port; 0 turns one off) on
 * config.pop3.host and resolves once they listen. Rejects with the Node error (EADDRINUSE, EACCES,
 * EADDRNOTAVAIL; `.port` set) when one cannot bind, after closing the ones already bound.
 */
export async function startPop3Server(opts: Pop3ServerOptions): Promise<RunningPop3> {
  const { config, store, log } = opts;
  const limits = pop3Limits(config, opts.limits);
  const admission = new Admission(limits);
  const penalty = opts.penalty ?? new LoginPenalty(store, penaltyLimits(config));
  const metrics = opts.metrics ?? NO_METRICS;
  const sessions = opts.sessions ?? new SessionRegistry();
  const unfollow = opts.sessions ? () => {} : sessions.follow(store, log);
  const listeners = await startListeners({
    host: config.pop3.host,
    listeners: [
      { name: 'pop3' as const, port: config.pop3.port, implicitTls: false },
      { name: 'pop3s' as const, port: config.pop3.tlsPort, implicitTls: true },
    ],
    tls: opts.tls,
    log,
    admission,
    ephemeralPorts: opts.ephemeralPorts,
    connections: opts.connections,
    refusal: (verdict) => (verdict === 'ip' ? '-ERR [SYS/TEMP] Too many connections from your address.\r\n' : '-ERR [SYS/TEMP] Too many connections.\r\n'),
    open(socket, ctx) {
      const c = new Pop3Connection(socket, {
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
        onClose: ctx.closed,
      });
      c.start();
      return c;
    },
  }).catch((err: unknown) => {
    unfollow();
    throw err;
  });
  return {
    addresses: listeners.addresses,
    connectionCount: () => listeners.connectionCount(),
    bufferedOutput: () => listeners.bufferedOutput(),
    reloadTls: (material) => listeners.reloadTls(material),
    close: async () => {
      unfollow();
      await listeners.close('Server shutting down.');
    },
  };
}
