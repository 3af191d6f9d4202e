/**
 * startServer opens the IMAP listeners: cleartext with STARTTLS (RFC 9051 section 6.2.1, port 143)
 * and implicit TLS (RFC 8314, port 993), TLS 1.2 and 1.3 only (src/tls/policy.ts), and runs a
 * Connection per client. It admits connections within the limits of src/protocol/limits.ts, shares one
 * failed-login penalty between sessions (kept in the store, so shared with the other nodes too), reloads the certificate on demand and shuts down gracefully.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { LoginPenalty } from '../auth/penalty.js';
import type { Config } from '../config/types.js';
import { NO_METRICS, type Metrics } from '../metrics/metrics.js';
import { SessionRegistry } from '../sessions/registry.js';
import * as L from '../protocol/limits.js';
import type { Store } from '../store/types.js';
import { secureContextOptions } from '../tls/policy.js';
import { Admission } from './admission.js';
import { Connection, type SessionLimits } from './connection.js';

/** ListenAddress names one bound listener. */
export interface ListenAddress {
  name: 'imap' | 'imaps';
  host: string;
  port: number;
}

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
 * ServerLimits are the limits one server enforces; the defaults are in src/protocol/limits.ts, except
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
  /** Tests: bind each enabled listener to a port the OS picks instead of the configured one. */
  ephemeralPorts?: boolean;
  /** Tests: lower limits (short timeouts, few connections) than the defaults. */
  limits?: Partial<ServerLimits>;
  /** Where logins and commands are counted (default: nowhere). */
  metrics?: Metrics;
  /** The node's session registry, when shared with other protocols (default: a new one). */
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
  let secureContext = tls.createSecureContext(secureContextOptions(opts.tls));
  const connections = new Set<Connection>();
  const counts = { imap: 0, imaps: 0 };
  const metrics = opts.metrics ?? NO_METRICS;
  const sessions = opts.sessions ?? new SessionRegistry();
  const unfollow = sessions.follow(store, log);
  const listeners: Array<{ server: net.Server; name: 'imap' | 'imaps' }> = [];
  const admission = new Admission(limits);
  const penalty = new LoginPenalty(store, {
    delayMs: config.auth.penaltyDelayMs,
    maxDelayMs: config.auth.penaltyMaxDelayMs,
    expireMs: config.auth.penaltyExpireMs,
    parallel: config.imap.maxConnectionsPerUserIp,
  });
  let stopping = false;

  const accept = (socket: net.Socket, implicitTls: boolean): void => {
    const ip = socket.remoteAddress ?? 'unknown';
    const verdict = stopping ? 'total' : admission.acceptConnection(ip);
    if (verdict !== 'ok') {
      log.warn({ remote: ip, reason: verdict, open: admission.connections }, 'connection refused: too many connections');
      socket.on('error', () => {});
      socket.end(verdict === 'ip' ? '* BYE [UNAVAILABLE] Too many connections from your address\r\n' : '* BYE [UNAVAILABLE] Too many connections\r\n');
      setTimeout(() => socket.destroy(), 2000).unref();
      return;
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    const c = new Connection(socket, {
      store,
      config,
      log,
      secureContext: () => secureContext,
      implicitTls,
      limits,
      admission,
      penalty,
      metrics,
      sessions,
      onClose: (conn) => {
        if (!connections.delete(conn)) return;
        admission.releaseConnection(ip);
        counts[implicitTls ? 'imaps' : 'imap']--;
      },
    });
    connections.add(c);
    counts[implicitTls ? 'imaps' : 'imap']++;
    c.start();
  };

  let tlsServer: tls.Server | null = null;
  if (config.imap.port !== 0) {
    const server = net.createServer((s) => accept(s, false));
    listeners.push({ server, name: 'imap' });
  }
  if (config.imap.tlsPort !== 0) {
    tlsServer = tls.createServer(secureContextOptions(opts.tls), (s) => accept(s, true));
    tlsServer.on('tlsClientError', (err) => log.debug({ err: err.message }, 'TLS handshake failed'));
    listeners.push({ server: tlsServer, name: 'imaps' });
  }

  const addresses: ListenAddress[] = [];
  try {
    for (const l of listeners) {
      const port = opts.ephemeralPorts ? 0 : l.name === 'imap' ? config.imap.port : config.imap.tlsPort;
      await new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException & { port?: number }): void => {
          err.port = port;
          reject(err);
        };
        l.server.once('error', onError);
        l.server.listen(port, config.imap.host, () => {
          l.server.off('error', onError);
          resolve();
        });
      });
      const a = l.server.address() as net.AddressInfo;
      addresses.push({ name: l.name, host: a.address, port: a.port });
      l.server.on('error', (err) => log.error({ err }, 'listener error'));
    }
  } catch (err) {
    unfollow();
    await Promise.all(listeners.map((l) => new Promise<void>((r) => (l.server.listening ? l.server.close(() => r()) : r()))));
    throw err;
  }

  return {
    addresses,
    connectionCount: () => connections.size,
    connectionCounts: () => ({ ...counts }),
    sessions,
    bufferedOutput: () => [...connections].reduce((sum, c) => sum + c.bufferedOutput, 0),
    reloadTls(material) {
      const options = secureContextOptions(material);
      secureContext = tls.createSecureContext(options);
      tlsServer?.setSecureContext(options);
      log.info('TLS certificate reloaded');
    },
    async close(): Promise<void> {
      stopping = true;
      unfollow();
      const closing = listeners.map((l) => new Promise<void>((r) => l.server.close(() => r())));
      const sessions = [...connections].map((c) => c.shutdown('Server shutting down.'));
      const grace = setTimeout(() => {
        for (const c of connections) c.destroy();
      }, L.SHUTDOWN_GRACE_MS);
      await Promise.all(sessions);
      await Promise.all(closing);
      clearTimeout(grace);
    },
  };
}
