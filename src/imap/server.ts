/**
 * startServer opens the IMAP listeners: cleartext with STARTTLS (RFC 9051 section 6.2.1, port 143)
 * and implicit TLS (RFC 8314, port 993), TLS 1.2 and 1.3 only, and runs a Connection per client.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { Store } from '../store/types.js';
import { Connection } from './connection.js';

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
  /** Stops accepting, sends `* BYE` to every session, closes them, and resolves when the listeners are closed. */
  close(): Promise<void>;
}

/** ServerOptions: configuration, storage, logger, and the PEM key/certificate for TLS. */
export interface ServerOptions {
  config: Config;
  store: Store;
  log: Logger;
  tls: { key: Buffer; cert: Buffer };
  /** Tests: bind each enabled listener to a port the OS picks instead of the configured one. */
  ephemeralPorts?: boolean;
}

/**
 * startServer binds every configured listener (a port of 0 in the config turns it off) and resolves
 * once all are listening. Rejects with the Node error (code EADDRINUSE, EACCES; `.port` set) when one
 * cannot bind, after closing the ones already bound.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { config, store, log } = opts;
  const secureContext = tls.createSecureContext({ key: opts.tls.key, cert: opts.tls.cert, minVersion: 'TLSv1.2' });
  const connections = new Set<Connection>();
  const listeners: Array<{ server: net.Server; name: 'imap' | 'imaps' }> = [];

  const accept = (socket: net.Socket, implicitTls: boolean): void => {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    const c = new Connection(socket, {
      store,
      config,
      log,
      secureContext,
      implicitTls,
      onClose: (conn) => connections.delete(conn),
    });
    connections.add(c);
    c.start();
  };

  if (config.imap.port !== 0) {
    const server = net.createServer((s) => accept(s, false));
    listeners.push({ server, name: 'imap' });
  }
  if (config.imap.tlsPort !== 0) {
    const server = tls.createServer({ key: opts.tls.key, cert: opts.tls.cert, minVersion: 'TLSv1.2' }, (s) => accept(s, true));
    server.on('tlsClientError', (err) => log.debug({ err: err.message }, 'TLS handshake failed'));
    listeners.push({ server, name: 'imaps' });
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
    await Promise.all(listeners.map((l) => new Promise<void>((r) => (l.server.listening ? l.server.close(() => r()) : r()))));
    throw err;
  }

  return {
    addresses,
    connectionCount: () => connections.size,
    async close(): Promise<void> {
      const closing = listeners.map((l) => new Promise<void>((r) => l.server.close(() => r())));
      for (const c of connections) c.bye('Server shutting down.');
      await Promise.all(closing);
    },
  };
}
