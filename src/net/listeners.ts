/**
 * The network plumbing a protocol server needs, written once for IMAP and POP3: bind a cleartext
 * listener (the protocol upgrades it with STARTTLS/STLS) and an implicit-TLS listener (RFC 8314), both
 * with the TLS policy of src/tls/policy.ts; admit each connection within the Admission's limits (or refuse
 * it with the protocol's one-line answer); track the open sessions; reload the certificate; shut down
 * gracefully.
 *
 * Imports: node, tls/, net/, src/limits.ts and a pino Logger only: never a protocol folder (src/imap,
 * src/pop3), which plug in through `open`.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { SHUTDOWN_GRACE_MS } from '../limits.js';
import { secureContextOptions } from '../tls/policy.js';
import type { Admission } from './admission.js';
import type { ConnectionSource } from './handoff.js';

/** ListenerSpec is one listener to bind: its name (e.g. "imap", "pop3s"), TCP port (0 = off) and whether TLS starts at once. */
export interface ListenerSpec<N extends string> {
  name: N;
  port: number;
  implicitTls: boolean;
}

/** ListenAddress names one bound listener. */
export interface ListenAddress<N extends string = string> {
  name: N;
  host: string;
  port: number;
}

/** ServedSession is what the plumbing needs of a protocol session. */
export interface ServedSession {
  /** Octets written to the client socket and not yet handed to the kernel. */
  readonly bufferedOutput: number;
  /** Ends the session for a server shutdown (after its running command, telling the client `reason`); resolves once the socket has closed. */
  shutdown(reason: string): Promise<void>;
  /** Drops the connection at once. */
  destroy(): void;
}

/** SessionContext is what `open` gets besides the socket. */
export interface SessionContext {
  /** True for connections accepted on the implicit-TLS listener. */
  implicitTls: boolean;
  /** The secure context for a STARTTLS/STLS upgrade: the current one, which changes when the certificate is reloaded. */
  secureContext: () => tls.SecureContext;
  /** To be called exactly once, when the session's socket has closed: frees its admission slot. */
  closed: () => void;
}

/** ListenerOptions: what startListeners binds and how it hands connections to the protocol. */
export interface ListenerOptions<N extends string, S extends ServedSession> {
  /** Address to bind every listener to, e.g. "0.0.0.0". */
  host: string;
  /** Listeners to bind; those with port 0 are skipped. */
  listeners: Array<ListenerSpec<N>>;
  /** PEM key and certificate chain. */
  tls: { key: Buffer; cert: Buffer };
  log: Logger;
  /** Counts connections (and, through the protocol, logins) against the limits. */
  admission: Admission;
  /** Bind to ports the OS picks instead of the given ones: true for every listener, or the names of those that do (tests, the library). */
  ephemeralPorts?: boolean | readonly N[];
  /** The protocol's answer to a refused connection, CRLF included: 'total' (server full) or 'ip' (too many from that address). */
  refusal: (verdict: 'total' | 'ip') => string;
  /** Creates and starts the session of an admitted connection (the socket has NoDelay and keep-alive set). */
  open: (socket: net.Socket, ctx: SessionContext) => S;
  /** A worker of several: bind nothing and take the connections the primary hands over (addresses then name the configured ports). */
  connections?: ConnectionSource;
}

/** RunningListeners are bound listeners and their sessions. */
export interface RunningListeners<N extends string> {
  addresses: Array<ListenAddress<N>>;
  /** Number of open client connections. */
  connectionCount(): number;
  /** Octets written to client sockets and not yet handed to the kernel, over all sessions (backpressure check). */
  bufferedOutput(): number;
  /** Serves `material` to new TLS connections (implicit and upgraded) from now on; open sessions keep theirs. */
  reloadTls(material: { key: Buffer; cert: Buffer }): void;
  /**
   * Stops accepting, asks every session to shut down with `reason`, and resolves when all are closed;
   * sessions still open after SHUTDOWN_GRACE_MS (a client that does not read) are dropped.
   */
  close(reason: string): Promise<void>;
}

/**
 * startListeners binds every listener with a port other than 0 and resolves once all listen. Rejects with
 * the Node error (code EADDRINUSE, EACCES, EADDRNOTAVAIL; `.port` set to the port it tried) when one
 * cannot bind, after closing the ones already bound.
 */
export async function startListeners<N extends string, S extends ServedSession>(opts: ListenerOptions<N, S>): Promise<RunningListeners<N>> {
  const { log, admission } = opts;
  let secureContext = tls.createSecureContext(secureContextOptions(opts.tls));
  const sessions = new Set<S>();
  let stopping = false;

  const accept = (socket: net.Socket, implicitTls: boolean): void => {
    const ip = socket.remoteAddress ?? 'unknown';
    const verdict = stopping ? 'total' : admission.acceptConnection(ip);
    if (verdict !== 'ok') {
      log.warn({ remote: ip, reason: verdict, open: admission.connections }, 'connection refused: too many connections');
      socket.on('error', () => {});
      socket.end(opts.refusal(verdict));
      setTimeout(() => socket.destroy(), 2000).unref();
      return;
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    let released = false;
    const session: S = opts.open(socket, {
      implicitTls,
      secureContext: () => secureContext,
      closed: () => {
        if (released) return;
        released = true;
        sessions.delete(session);
        admission.releaseConnection(ip);
      },
    });
    if (!released) sessions.add(session);
  };

  const bound: Array<{ server: net.Server; spec: ListenerSpec<N> }> = [];
  const tlsServers: tls.Server[] = [];
  for (const spec of opts.listeners) {
    if (spec.port === 0) continue;
    if (spec.implicitTls) {
      const server = tls.createServer(secureContextOptions(opts.tls), (s) => accept(s, true));
      server.on('tlsClientError', (err) => log.debug({ err: err.message, listener: spec.name }, 'TLS handshake failed'));
      tlsServers.push(server);
      bound.push({ server, spec });
    } else {
      bound.push({ server: net.createServer((s) => accept(s, false)), spec });
    }
  }

  const addresses: Array<ListenAddress<N>> = [];
  const detach: Array<() => void> = [];
  if (opts.connections) {
    for (const { server, spec } of bound) {
      detach.push(opts.connections.attach(spec.name, (socket) => server.emit('connection', socket)));
      addresses.push({ name: spec.name, host: opts.host, port: spec.port });
    }
  }
  try {
    for (const { server, spec } of opts.connections ? [] : bound) {
      const ephemeral = opts.ephemeralPorts === true || (Array.isArray(opts.ephemeralPorts) && opts.ephemeralPorts.includes(spec.name));
      const port = ephemeral ? 0 : spec.port;
      await new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException & { port?: number }): void => {
          err.port = port;
          reject(err);
        };
        server.once('error', onError);
        server.listen(port, opts.host, () => {
          server.off('error', onError);
          resolve();
        });
      });
      const a = server.address() as net.AddressInfo;
      addresses.push({ name: spec.name, host: a.address, port: a.port });
      server.on('error', (err) => log.error({ err, listener: spec.name }, 'listener error'));
    }
  } catch (err) {
    await Promise.all(bound.map(({ server }) => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r()))));
    throw err;
  }

  return {
    addresses,
    connectionCount: () => sessions.size,
    bufferedOutput: () => [...sessions].reduce((sum, s) => sum + s.bufferedOutput, 0),
    reloadTls(material) {
      const options = secureContextOptions(material);
      secureContext = tls.createSecureContext(options);
      for (const server of tlsServers) server.setSecureContext(options);
    },
    async close(reason: string): Promise<void> {
      stopping = true;
      for (const stop of detach) stop();
      const closing = bound.map(({ server }) => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r())));
      const ending = [...sessions].map((s) => s.shutdown(reason));
      const grace = setTimeout(() => {
        for (const s of sessions) s.destroy();
      }, SHUTDOWN_GRACE_MS);
      await Promise.all(ending);
      await Promise.all(closing);
      clearTimeout(grace);
    },
  };
}
