/**
 * startServer opens the IMAP listeners: cleartext with STARTTLS (RFC 9051 section 6.2.1, port 143)
 * and implicit TLS (RFC 8314, port 993), TLS 1.2 and 1.3 only (src/tls/policy.ts), and runs a
 * Connection per client. The plumbing (binding, admission within the limits of src/protocol/limits.ts,
 * certificate reload, graceful shutdown) is src/net/listeners.ts; one failed-login throttle is shared
 * between sessions.
 */
import type { Logger } from 'pino';
import { AuthThrottle } from '../auth/throttle.js';
import type { Config } from '../config/types.js';
import { Admission } from '../net/admission.js';
import { startListeners, type ListenAddress as NetListenAddress } from '../net/listeners.js';
import * as L from '../protocol/limits.js';
import type { Store } from '../store/types.js';
import { Connection, type SessionLimits } from './connection.js';

/** ListenAddress names one bound IMAP listener. */
export type ListenAddress = NetListenAddress<'imap' | 'imaps'>;

/** RunningServer is a started server. */
export interface RunningServer {
  addresses: ListenAddress[];
  /** Number of open client connections. */
  connectionCount(): number;
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
 * ServerLimits are the limits one server enforces; the defaults are in src/protocol/limits.ts, except
 * maxConnections (config imap.maxConnections). Durations are milliseconds.
 */
export interface ServerLimits extends SessionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxConnectionsPerUserIp: number;
  authFailureDelayMs: number;
  authMaxFailureDelayMs: number;
  authMaxFailures: number;
  authPenaltyWindowMs: number;
}

/** ServerOptions: configuration, storage, logger, and the PEM key/certificate for TLS. */
export interface ServerOptions {
  config: Config;
  store: Store;
  log: Logger;
  tls: { key: Buffer; cert: Buffer };
  /** Tests: bind each enabled listener to a port the OS picks instead of the configured one. */
  ephemeralPorts?: boolean;
  /** Tests: lower limits (short timeouts, few connections) than the defaults. */
  limits?: Partial<ServerLimits>;
  /** The failed-login throttle to share with other protocols (POP3), so switching protocol buys no guesses; by default one of its own from `limits`. */
  authThrottle?: AuthThrottle;
}

/** serverLimits fills in the defaults of limits.ts and the config for the limits not given. */
export function serverLimits(config: Config, given: Partial<ServerLimits> = {}): ServerLimits {
  return {
    maxConnections: config.imap.maxConnections,
    maxConnectionsPerIp: config.imap.maxConnectionsPerIp,
    maxConnectionsPerUserIp: config.imap.maxConnectionsPerUserIp,
    authFailureDelayMs: L.AUTH_FAILURE_DELAY_MS,
    authMaxFailureDelayMs: L.AUTH_MAX_FAILURE_DELAY_MS,
    authMaxFailures: L.AUTH_MAX_FAILURES,
    authPenaltyWindowMs: L.AUTH_PENALTY_WINDOW_MS,
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
  const authThrottle =
    opts.authThrottle ??
    new AuthThrottle({
      failureDelayMs: limits.authFailureDelayMs,
      maxFailureDelayMs: limits.authMaxFailureDelayMs,
      maxFailures: limits.authMaxFailures,
      penaltyWindowMs: limits.authPenaltyWindowMs,
      maxTracked: L.AUTH_MAX_TRACKED,
    });
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
    refusal: (verdict) => (verdict === 'ip' ? '* BYE [UNAVAILABLE] Too many connections from your address\r\n' : '* BYE [UNAVAILABLE] Too many connections\r\n'),
    open(socket, ctx) {
      const c = new Connection(socket, {
        store,
        config,
        log,
        secureContext: ctx.secureContext,
        implicitTls: ctx.implicitTls,
        limits,
        admission,
        authThrottle,
        onClose: ctx.closed,
      });
      c.start();
      return c;
    },
  });

  return {
    addresses: listeners.addresses,
    connectionCount: () => listeners.connectionCount(),
    bufferedOutput: () => listeners.bufferedOutput(),
    reloadTls(material) {
      listeners.reloadTls(material);
      log.info('TLS certificate reloaded');
    },
    close: () => listeners.close('Server shutting down.'),
  };
}
