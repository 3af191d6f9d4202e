/**
 * startLmtpServer opens the LMTP listeners (RFC 2033): TCP (default 127.0.0.1:24) and a unix socket
 * (default <dataDir>/lmtp.sock), each optional. smtp-server speaks the protocol (`lmtp: true`: LHLO,
 * PIPELINING, ENHANCEDSTATUSCODES, SIZE, one reply per recipient after DATA); AUTH and STARTTLS are off,
 * since LMTP is for a trusted MTA on this machine. The delivery itself is ours (session.ts).
 *
 * Imports (src/lmtp): delivery/, mime/, store/, config/, metrics/, src/limits.ts and smtp-server; never
 * imap/, pop3/, server/, cli/, import/, export/ or admin/ (eslint.config.js holds it).
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { Logger } from 'pino';
import type { SMTPServer } from 'smtp-server';
import type { Config } from '../config/types.js';
import type { ConnectionSource } from '../net/handoff.js';
import type { Metrics } from '../metrics/metrics.js';
import { LMTP_CLOSE_TIMEOUT_MS, LMTP_IDLE_TIMEOUT_MS, MAX_LMTP_CONNECTIONS, MAX_LMTP_RECIPIENTS, MAX_MESSAGE_OCTETS } from '../limits.js';
import type { Store } from '../store/types.js';
import { outgoingFor } from '../delivery/outgoing.js';
import { ENHANCED_CODE } from './replies.js';
import { lmtpHandlers } from './session.js';

const require = createRequire(import.meta.url);

/** LmtpAddress names one bound LMTP listener: a TCP address, or a unix socket path (`socket`). */
export type LmtpAddress = { name: 'lmtp'; host: string; port: number } | { name: 'lmtp'; socket: string };

/** RunningLmtp is a started LMTP server. */
export interface RunningLmtp {
  addresses: LmtpAddress[];
  /** Number of open LMTP connections. */
  connectionCount(): number;
  /** Stops accepting; open connections get LMTP_CLOSE_TIMEOUT_MS to finish, then 421. Removes the socket file. */
  close(): Promise<void>;
}

/** LmtpOptions: configuration (config.lmtp), storage and logger. */
export interface LmtpOptions {
  config: Config;
  store: Store;
  log: Logger;
  /** Tests: bind TCP to a port the OS picks instead of config.lmtp.port (when that is not 0). */
  ephemeralPort?: boolean;
  /** Tests: a smaller size limit than MAX_MESSAGE_OCTETS, in octets. */
  maxMessageOctets?: number;
  /** Where deliveries and refusals are counted (default: nowhere). */
  metrics?: Metrics;
  /** A worker of several: connections come from the primary ("lmtp", "lmtp-socket"), nothing is bound (net/handoff.ts). */
  connections?: ConnectionSource;
}

/** The socket is world-connectable, as Dovecot's LMTP socket (mode 0666): who may deliver is decided by the permissions of its directory. */
export const SOCKET_MODE = 0o666;

/**
 * startLmtpServer binds the configured LMTP listeners and resolves once all listen. A stale socket file
 * (left by a killed server: nothing accepts on it) is replaced. Rejects with a Node error carrying `.port`
 * or `.socket` (EADDRINUSE when another process listens, EACCES, ENOENT for a missing directory,
 * ENOTSOCK when the path is some other file) after closing what was already bound.
 */
export async function startLmtpServer(opts: LmtpOptions): Promise<RunningLmtp> {
  const { config, store, log } = opts;
  const maxOctets = opts.maxMessageOctets ?? MAX_MESSAGE_OCTETS;
  // smtp-server (with the parts of nodemailer it uses, about 8 MiB) is loaded at the first LMTP connection:
  // a server that gets its mail through `letterbox deliver` never pays for it. Each listener is our own
  // net.Server, which hands its sockets to the SMTPServer as if that had accepted them.
  let smtp: SMTPServer | null = null;
  const protocol = (): SMTPServer => {
    if (smtp) return smtp;
    const { SMTPServer: Smtp } = require('smtp-server') as typeof import('smtp-server');
    smtp = new Smtp({
      lmtp: true,
      banner: 'Letterbox LMTP ready',
      heloResponse: '%s',
      size: maxOctets,
      rejectOversized: true,
      maxRecipients: MAX_LMTP_RECIPIENTS,
      maxClients: MAX_LMTP_CONNECTIONS,
      socketTimeout: LMTP_IDLE_TIMEOUT_MS,
      closeTimeout: LMTP_CLOSE_TIMEOUT_MS,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      hideSTARTTLS: true,
      hideENHANCEDSTATUSCODES: false,
      hideDSN: true,
      hideREQUIRETLS: true,
      maxAllowedUnauthenticatedCommands: false,
      disableReverseLookup: true,
      logger: false,
      ...lmtpHandlers(store, log, maxOctets, opts.metrics, {
        outgoing: outgoingFor(config.outgoing.smtp),
        ...(config.managesieve.maxScriptOctets !== null && { maxScriptOctets: config.managesieve.maxScriptOctets }),
      }),
    });
    ownEnhancedCode(smtp);
    // A connection that fails (a client that resets) is one debug line; the client is the one to retry.
    smtp.on('error', (err: NodeJS.ErrnoException) => log.debug({ err: err.message, code: err.code }, 'LMTP connection error'));
    return smtp;
  };

  const bound: Array<{ server: net.Server; address: LmtpAddress }> = [];
  /** The connections accepted and not yet closed (smtp-server's own close cannot end them: its server never listens). */
  const open = new Set<net.Socket>();
  const detach: Array<() => void> = [];
  const bind = async (target: { port: number; host: string } | { socket: string }): Promise<net.Server> => {
    const server = net.createServer((socket) => {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      protocol().server.emit('connection', socket);
    });
    if (opts.connections) {
      detach.push(opts.connections.attach('socket' in target ? 'lmtp-socket' : 'lmtp', (socket) => server.emit('connection', socket)));
      return server;
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException & { port?: number; socket?: string }): void => {
        if ('socket' in target) err.socket = target.socket;
        else err.port = target.port;
        reject(err);
      };
      server.once('error', onError);
      const done = () => {
        server.off('error', onError);
        server.on('error', (err) => log.warn({ err: err.message }, 'LMTP listener error'));
        resolve();
      };
      if ('socket' in target) server.listen(target.socket, done);
      else server.listen(target.port, target.host, done);
    });
    return server;
  };

  try {
    if (config.lmtp.port !== 0) {
      const server = await bind({ port: opts.ephemeralPort ? 0 : config.lmtp.port, host: config.lmtp.host });
      const a = opts.connections ? { address: config.lmtp.host, port: config.lmtp.port } : (server.address() as net.AddressInfo);
      bound.push({ server, address: { name: 'lmtp', host: a.address, port: a.port } });
    }
    if (config.lmtp.socket !== null) {
      const socket = config.lmtp.socket;
      // A worker's primary has bound the socket (bindLmtpSocket in server/cluster.ts does the same checks).
      if (!opts.connections) await removeStaleSocket(socket);
      const server = await bind({ socket });
      bound.push({ server, address: { name: 'lmtp', socket } });
      if (!opts.connections) await chmod(socket, SOCKET_MODE);
    }
  } catch (err) {
    await Promise.all(bound.map((b) => closeServer(b.server)));
    throw err;
  }

  return {
    addresses: bound.map((b) => b.address),
    connectionCount: () => (smtp ? smtp.connections.size : 0),
    async close(): Promise<void> {
      // Stop accepting; open sessions get LMTP_CLOSE_TIMEOUT_MS to finish, then 421 and the end of the connection.
      for (const stop of detach) stop();
      const handedOver = [...open].map((s) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r()))));
      const listeners = Promise.all([...bound.map((b) => closeServer(b.server)), ...(opts.connections ? handedOver : [])]);
      const timer = setTimeout(() => {
        for (const connection of smtp?.connections ?? []) {
          connection.send(421, 'Server shutting down');
          connection.close();
        }
        // A client that does not close its side is cut after as long again.
        setTimeout(() => {
          for (const socket of open) socket.destroy();
        }, LMTP_CLOSE_TIMEOUT_MS).unref();
      }, open.size > 0 ? LMTP_CLOSE_TIMEOUT_MS : 0);
      await listeners;
      clearTimeout(timer);
    },
  };
}

/**
 * ownEnhancedCode makes the connections of `smtp` send a reply whose text starts with an enhanced status
 * code (ENHANCED_CODE, e.g. Sieve's "5.7.1 ...") as it is: smtp-server would put the code it derives from
 * the reply code (550 -> 5.1.1) in front of it.
 */
function ownEnhancedCode(smtp: SMTPServer): void {
  const connect = smtp.connect.bind(smtp);
  smtp.connect = (socket, socketOptions) => {
    const before = new Set(smtp.connections);
    connect(socket, socketOptions);
    for (const connection of smtp.connections) {
      if (before.has(connection)) continue;
      const send = connection.send.bind(connection);
      connection.send = (code, data, context) => send(code, data, context === undefined && typeof data === 'string' && ENHANCED_CODE.test(data) ? false : context);
    }
  };
}

/** closeServer stops accepting and resolves when every connection the listener accepted has closed. */
function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

/**
 * removeStaleSocket deletes `path` when it is a unix socket nobody accepts on (left behind by a server
 * that was killed). Throws EADDRINUSE when a process still listens there, ENOTSOCK when it is another kind of file.
 */
export async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const fail = (code: string, why: string) => Object.assign(new Error(`${path}: ${why}`), { code, socket: path });
  if (!isSocket) throw fail('ENOTSOCK', 'exists and is not a socket');
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw fail('EADDRINUSE', 'another process listens on this socket');
  await unlink(path);
}
