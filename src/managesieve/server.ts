/**
 * startManageSieveServer serves ManageSieve (RFC 5804): users list, upload, check, activate, download,
 * rename and delete their Sieve scripts (RFC 5228) on port 4190, with STARTTLS (TLS 1.2 and 1.3 only, the
 * certificate IMAP uses) and SASL PLAIN (RFC 4616) for the same accounts, with the same plaintext rule
 * (its own managesieve.plaintext_auth), the same failed-login penalty and the same session registry as IMAP
 * and POP3. Scripts are compiled by src/sieve before they are stored (src/store keeps them). The listener,
 * admission and certificate reload are src/net/listeners.ts.
 *
 * Imports (src/managesieve): store/ (types, script names), sieve/ (compileSieve and its contract), auth/,
 * net/, tls/, config/, metrics/, sessions/, src/limits.ts and a pino Logger; never imap/, pop3/, lmtp/,
 * server/ or cli/ (eslint.config.js holds it). The protocol lives in: connection.ts (framing, timers,
 * session), reader.ts (commands, strings and literals, with their caps), dispatch.ts (one command to one
 * reply), commands/ (session and script commands), capabilities.ts, wire.ts (response encoding), errors.ts.
 */
import type { Logger } from 'pino';
import { LoginPenalty, penaltyLimits } from '../auth/penalty.js';
import type { Config } from '../config/types.js';
import * as L from '../limits.js';
import { NO_METRICS, type Metrics } from '../metrics/metrics.js';
import { Admission } from '../net/admission.js';
import type { ConnectionSource } from '../net/handoff.js';
import { startListeners, type ListenAddress } from '../net/listeners.js';
import { SessionRegistry } from '../sessions/registry.js';
import { DEFAULT_SIEVE_LIMITS } from '../sieve/index.js';
import type { SieveScriptLimits, Store } from '../store/types.js';
import { ManageSieveConnection, type ManageSieveSessionLimits } from './connection.js';
import { encodeResponse } from './wire.js';

/** ManageSieveAddress names the bound ManageSieve listener. */
export type ManageSieveAddress = ListenAddress<'managesieve'>;

/** ManageSieveLimits: the config's connection limits and the session limits of limits.ts (tests lower them). */
export interface ManageSieveLimits extends ManageSieveSessionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxConnectionsPerUserIp: number;
}

/** manageSieveLimits fills in config.managesieve's connection limits and the defaults of limits.ts for the limits not given. */
export function manageSieveLimits(config: Config, given: Partial<ManageSieveLimits> = {}): ManageSieveLimits {
  return {
    maxConnections: config.managesieve.maxConnections,
    maxConnectionsPerIp: config.managesieve.maxConnectionsPerIp,
    maxConnectionsPerUserIp: config.managesieve.maxConnectionsPerUserIp,
    unauthenticatedTimeoutMs: L.UNAUTHENTICATED_TIMEOUT_MS,
    authenticatedTimeoutMs: L.AUTHENTICATED_TIMEOUT_MS,
    commandCompletionTimeoutMs: L.COMMAND_COMPLETION_TIMEOUT_MS,
    outputStallTimeoutMs: L.OUTPUT_STALL_TIMEOUT_MS,
    ...given,
  };
}

/** sieveScriptLimits is the per-user limits of config.managesieve: max_scripts, and max_script_size or the interpreter's DEFAULT_SIEVE_LIMITS.maxScriptOctets. */
export function sieveScriptLimits(config: Config): SieveScriptLimits {
  return { maxScripts: config.managesieve.maxScripts, maxOctets: config.managesieve.maxScriptOctets ?? DEFAULT_SIEVE_LIMITS.maxScriptOctets };
}

/** ManageSieveServerOptions: configuration, storage, logger, the PEM key/certificate and what the node shares. */
export interface ManageSieveServerOptions {
  config: Config;
  store: Store;
  log: Logger;
  tls: { key: Buffer; cert: Buffer };
  /** The failed-login penalty shared with IMAP and POP3 (default: one of its own from config.auth). */
  penalty?: LoginPenalty;
  metrics?: Metrics;
  /** The node's session registry (default: a new one, which follows the store's control messages itself). */
  sessions?: SessionRegistry;
  /** Bind to a port the OS picks instead of config.managesieve.port (tests, the library). */
  ephemeralPort?: boolean;
  /** A worker of several: connections come from the primary, nothing is bound (net/handoff.ts). */
  connections?: ConnectionSource;
  /** Tests: lower limits than the defaults. */
  limits?: Partial<ManageSieveLimits>;
}

/** RunningManageSieve is a started ManageSieve server. */
export interface RunningManageSieve {
  addresses: ManageSieveAddress[];
  /** Number of open client connections. */
  connectionCount(): number;
  /** Serves `material` to new STARTTLS handshakes from now on. */
  reloadTls(material: { key: Buffer; cert: Buffer }): void;
  /** Stops accepting; each session finishes its running command, is told `BYE "Server shutting down."` and closed. */
  close(): Promise<void>;
}

/**
 * startManageSieveServer binds config.managesieve.port (not 0) on config.managesieve.host and resolves once
 * it listens. Rejects with the Node error (EADDRINUSE, EACCES, EADDRNOTAVAIL; `.port` set) when it cannot bind.
 */
export async function startManageSieveServer(opts: ManageSieveServerOptions): Promise<RunningManageSieve> {
  const { config, store, log } = opts;
  const limits = manageSieveLimits(config, opts.limits);
  const admission = new Admission(limits);
  const penalty = opts.penalty ?? new LoginPenalty(store, penaltyLimits(config));
  const metrics = opts.metrics ?? NO_METRICS;
  const sessions = opts.sessions ?? new SessionRegistry();
  const unfollow = opts.sessions ? () => {} : sessions.follow(store, log);
  const scriptLimits = sieveScriptLimits(config);
  const outgoing = config.outgoing.smtp !== null;
  const listeners = await startListeners({
    host: config.managesieve.host,
    listeners: [{ name: 'managesieve' as const, port: config.managesieve.port, implicitTls: false }],
    tls: opts.tls,
    log,
    admission,
    ephemeralPorts: opts.ephemeralPort ?? false,
    connections: opts.connections,
    refusal: (verdict) => encodeResponse('BYE', 'TRYLATER', verdict === 'ip' ? 'Too many connections from your address.' : 'Too many connections.'),
    open(socket, ctx) {
      const c = new ManageSieveConnection(socket, {
        store,
        config: config.managesieve,
        outgoing,
        scriptLimits,
        log,
        secureContext: ctx.secureContext,
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
    reloadTls: (material) => listeners.reloadTls(material),
    close: async () => {
      unfollow();
      await listeners.close('Server shutting down.');
    },
  };
}
