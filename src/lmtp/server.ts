/**
 * startLmtpServer opens the LMTP listeners (RFC 2033): TCP (default 127.0.0.1:24) and a unix socket
 * (default <dataDir>/lmtp.sock), each optional. smtp-server speaks the protocol (`lmtp: true`: LHLO,
 * PIPELINING, ENHANCEDSTATUSCODES, SIZE, one reply per recipient after DATA); AUTH and STARTTLS are off,
 * since LMTP is for a trusted MTA on this machine. The delivery itself is ours (session.ts).
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import net from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer } from 'smtp-server';
import type { Config } from '../config/types.js';
import { LMTP_CLOSE_TIMEOUT_MS, LMTP_IDLE_TIMEOUT_MS, MAX_LMTP_CONNECTIONS, MAX_LMTP_RECIPIENTS, MAX_MESSAGE_OCTETS } from '../protocol/limits.js';
import type { Store } from '../store/types.js';
import { lmtpHandlers } from './session.js';

/** LmtpAddress names one bound LMTP listener: a TCP address, or a unix socket path (`socket`). */
export type LmtpAddress = { name: 'lmtp'; host: string; port: number } | { name: 'lmtp'; socket: string };

/** RunningLmtp is a started LMTP server. */
export interface RunningLmtp {
  addresses: LmtpAddress[];
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
}

/** The socket is world-connectable, as Dovecot's LMTP socket (mode 0666): who may deliver is decided by the permissions of its directory. */
const SOCKET_MODE = 0o666;

/**
 * startLmtpServer binds the configured LMTP listeners and resolves once all listen. A stale socket file
 * (left by a killed server: nothing accepts on it) is replaced. Rejects with a Node error carrying `.port`
 * or `.socket` (EADDRINUSE when another process listens, EACCES, ENOENT for a missing directory,
 * ENOTSOCK when the path is some other file) after closing what was already bound.
 */
export async function startLmtpServer(opts: LmtpOptions): Promise<RunningLmtp> {
  const { config, store, log } = opts;
  const maxOctets = opts.maxMessageOctets ?? MAX_MESSAGE_OCTETS;
  const handlers = lmtpHandlers(store, log, maxOctets);
  const make = (): SMTPServer => {
    const smtp = new SMTPServer({
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
      ...handlers,
    });
    // smtp-server re-emits listener errors on itself; without a handler a failed bind would crash the process. Bind errors are reported by bind().
    smtp.on('error', (err) => {
      if (smtp.server.listening) log.warn({ err }, 'LMTP connection error');
    });
    return smtp;
  };

  const bound: Array<{ smtp: SMTPServer; address: LmtpAddress }> = [];
  const bind = async (smtp: SMTPServer, target: { port: number; host: string } | { socket: string }): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException & { port?: number; socket?: string }): void => {
        if ('socket' in target) err.socket = target.socket;
        else err.port = target.port;
        reject(err);
      };
      smtp.server.once('error', onError);
      const done = () => {
        smtp.server.off('error', onError);
        resolve();
      };
      if ('socket' in target) smtp.listen(target.socket, done);
      else smtp.listen(target.port, target.host, done);
    });
  };

  try {
    if (config.lmtp.port !== 0) {
      const smtp = make();
      await bind(smtp, { port: opts.ephemeralPort ? 0 : config.lmtp.port, host: config.lmtp.host });
      const a = smtp.server.address() as net.AddressInfo;
      bound.push({ smtp, address: { name: 'lmtp', host: a.address, port: a.port } });
    }
    if (config.lmtp.socket !== null) {
      const socket = config.lmtp.socket;
      await removeStaleSocket(socket);
      const smtp = make();
      await bind(smtp, { socket });
      bound.push({ smtp, address: { name: 'lmtp', socket } });
      await chmod(socket, SOCKET_MODE);
    }
  } catch (err) {
    await Promise.all(bound.map((b) => closeOne(b.smtp)));
    throw err;
  }

  return {
    addresses: bound.map((b) => b.address),
    async close(): Promise<void> {
      await Promise.all(bound.map((b) => closeOne(b.smtp)));
    },
  };
}

function closeOne(smtp: SMTPServer): Promise<void> {
  return new Promise((resolve) => (smtp.server.listening ? smtp.close(() => resolve()) : resolve()));
}

/**
 * removeStaleSocket deletes `path` when it is a unix socket nobody accepts on (left behind by a server
 * that was killed). Throws EADDRINUSE when a process still listens there, ENOTSOCK when it is another kind of file.
 */
async function removeStaleSocket(path: string): Promise<void> {
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
