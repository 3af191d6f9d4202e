/**
 * `letterbox serve`: config, logger, store, TLS material, listeners (IMAP, POP3 and LMTP, sharing the store
 * and one failed-login throttle); one "ready" log line naming every address; SIGHUP reloads the TLS
 * certificate and key without dropping sessions; SIGTERM/SIGINT stop accepting, end every session once
 * its running command has finished, close the store and end the process with status 0.
 */
import { mkdir } from 'node:fs/promises';
import { Command } from 'commander';
import { newAuthThrottle } from '../auth/throttle.js';
import type { Config } from '../config/types.js';
import { startServer, type RunningServer } from '../imap/server.js';
import { startLmtpServer, type LmtpAddress, type RunningLmtp } from '../lmtp/server.js';
import { createLogger } from '../log/logger.js';
import { startPop3Server, type RunningPop3 } from '../pop3/server.js';
import { describeStorage, openStore } from '../store/open.js';
import { ensureTlsMaterial } from '../tls/material.js';
import { addCommonOptions, CliError, EXIT, parsePort, resolveConfig, type CommonOptions } from './context.js';

interface ServeOptions extends CommonOptions {
  host?: string;
  imapPort?: number;
  imapsPort?: number;
  pop3Port?: number;
  pop3sPort?: number;
  lmtpHost?: string;
  lmtpPort?: number;
  lmtpSocket?: string;
}

/** serveCommand builds the `serve` command; its action resolves when the server has shut down after a signal. */
export function serveCommand(): Command {
  return addCommonOptions(
    new Command('serve')
      .summary('run the IMAP server (143 with STARTTLS, 993 with TLS), POP3 (110 with STLS, 995 with TLS) and LMTP delivery (127.0.0.1:24 and <data-dir>/lmtp.sock)')
      .description(
        'run the IMAP server: port 143 with STARTTLS and port 993 with TLS (a self-signed certificate is generated when none is configured); ' +
          'POP3 on the same mailboxes: port 110 with STLS and port 995 with TLS; ' +
          'and LMTP (RFC 2033) for mail from an MTA such as Postfix, on 127.0.0.1:24 and on the unix socket <data-dir>/lmtp.sock',
      )
      .option('--host <addr>', 'address the IMAP and POP3 listeners bind to, e.g. 0.0.0.0, 127.0.0.1 or :: (default 0.0.0.0)')
      .option('--imap-port <n>', 'cleartext IMAP port with STARTTLS, 0 = off (default 143)', parsePort)
      .option('--imaps-port <n>', 'IMAP over TLS port, 0 = off (default 993)', parsePort)
      .option('--pop3-port <n>', 'cleartext POP3 port with STLS, 0 = off (default 110)', parsePort)
      .option('--pop3s-port <n>', 'POP3 over TLS port, 0 = off (default 995)', parsePort)
      .option('--lmtp-host <addr>', 'address of the LMTP listener (default 127.0.0.1)')
      .option('--lmtp-port <n>', 'LMTP port, 0 = off (default 24)', parsePort)
      .option('--lmtp-socket <path>', 'LMTP unix socket, "none" = off (default <data-dir>/lmtp.sock)'),
  ).action(async (opts: ServeOptions) => {
    const config = await resolveConfig(opts, {
      imap: { ...(opts.host !== undefined && { host: opts.host }), ...(opts.imapPort !== undefined && { port: opts.imapPort }), ...(opts.imapsPort !== undefined && { tlsPort: opts.imapsPort }) },
      pop3: { ...(opts.host !== undefined && { host: opts.host }), ...(opts.pop3Port !== undefined && { port: opts.pop3Port }), ...(opts.pop3sPort !== undefined && { tlsPort: opts.pop3sPort }) },
      lmtp: {
        ...(opts.lmtpHost !== undefined && { host: opts.lmtpHost }),
        ...(opts.lmtpPort !== undefined && { port: opts.lmtpPort }),
        ...(opts.lmtpSocket !== undefined && { socket: opts.lmtpSocket }),
      },
    });
    await serve(config);
  });
}

/** serve runs the server for `config` until SIGTERM or SIGINT. Throws CliError when it cannot start (ports, TLS, store). */
export async function serve(config: Config): Promise<void> {
  const imapOn = config.imap.port !== 0 || config.imap.tlsPort !== 0;
  const pop3On = config.pop3.port !== 0 || config.pop3.tlsPort !== 0;
  if (!imapOn && !pop3On && config.lmtp.port === 0 && config.lmtp.socket === null) {
    throw new CliError('nothing to serve: the IMAP, IMAPS, POP3, POP3S and LMTP ports are 0 and the LMTP socket is "none" (off)', EXIT.CONFIG);
  }
  const ports = listenerPorts(config).filter((l) => l.port !== 0);
  for (const [i, a] of ports.entries()) {
    const b = ports.slice(i + 1).find((l) => l.port === a.port);
    if (b) throw new CliError(`the ${a.what} port and the ${b.what} port are both ${a.port}: choose different ports`, EXIT.CONFIG);
  }

  const log = createLogger(config.log.level);
  // One connection's stray promise must not end every other session; it is a bug to log and fix.
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled promise rejection'));
  // After an uncaught exception the process state is unknown: log it and exit so a supervisor restarts us.
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting');
    process.exit(70);
  });
  await mkdir(config.dataDir, { recursive: true });
  const store = await openStore(config, log);
  let server: RunningServer | null = null;
  let pop3: RunningPop3 | null = null;
  let lmtp: RunningLmtp | null = null;
  try {
    if (imapOn || pop3On) {
      const tls = await ensureTlsMaterial(config, log);
      // One throttle for both protocols: switching protocol buys a password guesser nothing.
      const authThrottle = newAuthThrottle();
      if (imapOn) server = await startServer({ config, store, log, tls, authThrottle });
      if (pop3On) pop3 = await startPop3Server({ config, store, log, tls, authThrottle });
    }
    lmtp = await startLmtpServer({ config, store, log });
  } catch (err) {
    await Promise.all([server?.close(), pop3?.close()]);
    await store.close();
    throw describeListenError(err, config);
  }
  const upgrade: Record<string, string> = { imap: 'STARTTLS', imaps: 'TLS', pop3: 'STLS', pop3s: 'TLS' };
  const where = [
    ...[...(server?.addresses ?? []), ...(pop3?.addresses ?? [])].map((a) => `${a.name} on ${hostPort(a.host, a.port)} (${upgrade[a.name]})`),
    ...lmtp.addresses.map((a) => `lmtp on ${lmtpWhere(a)}`),
  ];
  const running = { imap: server, pop3, lmtp };
  // The signal handlers are in place before the ready line, so a supervisor (or a test) that signals as
  // soon as it reads that line always gets the graceful shutdown.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(EXIT.ERROR);
      }
      stopping = true;
      log.info({ signal }, 'shutting down');
      void (async () => {
        try {
          await Promise.all([running.imap?.close(), running.pop3?.close(), running.lmtp.close()]);
        } catch (err) {
          log.error({ err }, 'error while closing the listeners');
        }
        try {
          await store.close();
        } catch (err) {
          log.error({ err }, 'error while closing the store');
        }
        log.info('stopped');
        resolve();
      })();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('SIGHUP', () => {
      const { imap, pop3 } = running;
      // LMTP alone has no TLS material to reload.
      if (!imap && !pop3) return;
      void (async () => {
        try {
          const material = await ensureTlsMaterial(config, log);
          imap?.reloadTls(material);
          pop3?.reloadTls(material);
          if (!imap) log.info('TLS certificate reloaded');
        } catch (err) {
          // Keep serving the old certificate: a typo in a renewed file must not take the server down.
          log.error({ err: (err as Error).message }, 'TLS reload failed; still serving the previous certificate');
        }
      })();
    });
  });
  const addresses = [...(server?.addresses ?? []), ...(pop3?.addresses ?? []), ...lmtp.addresses];
  log.info(
    { addresses, dataDir: config.dataDir, store: store.kind },
    `Letterbox ready: ${where.join(', ')}, data in ${config.dataDir}${config.storage.kind === 'postgres' ? `, mail in ${describeStorage(config)}` : ''}`,
  );

  await stopped;
}

/** ListenerPort is one TCP listener of a client protocol, with the flag and config key that set its port. */
interface ListenerPort {
  what: 'IMAP' | 'IMAPS' | 'POP3' | 'POP3S';
  port: number;
  host: string;
  flag: string;
  key: string;
}

/** listenerPorts lists the IMAP and POP3 listeners of `config` (ports 0 included). */
function listenerPorts(config: Config): ListenerPort[] {
  return [
    { what: 'IMAP', port: config.imap.port, host: config.imap.host, flag: '--imap-port', key: 'imap.port' },
    { what: 'IMAPS', port: config.imap.tlsPort, host: config.imap.host, flag: '--imaps-port', key: 'imap.tls_port' },
    { what: 'POP3', port: config.pop3.port, host: config.pop3.host, flag: '--pop3-port', key: 'pop3.port' },
    { what: 'POP3S', port: config.pop3.tlsPort, host: config.pop3.host, flag: '--pop3s-port', key: 'pop3.tls_port' },
  ];
}

/**
 * describeListenError turns a bind failure from the IMAP, POP3 or LMTP listeners (EACCES, EADDRINUSE,
 * EADDRNOTAVAIL, with `.port` or `.socket`) into a one-line CliError saying what to do instead; any other
 * error is returned unchanged.
 */
export function describeListenError(err: unknown, config: Config): unknown {
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string; socket?: string };
  if (e?.socket !== undefined) return describeSocketError(e, e.socket);
  const listener = e?.port !== undefined ? listenerPorts(config).find((l) => l.port === e.port) : undefined;
  if (e?.port !== undefined && e.port === config.lmtp.port && !listener) return describeLmtpPortError(e, config);
  if (e?.code !== 'EACCES' && e?.code !== 'EADDRINUSE' && e?.code !== 'EADDRNOTAVAIL') return err;
  const l = listener ?? listenerPorts(config)[0]!;
  const port = e.port ?? l.port;
  const protocol = l.what.startsWith('POP3') ? 'POP3' : 'IMAP';
  const choose = `${l.flag} ${port < 1024 ? port + 1000 : port + 1} / ${l.key}`;
  if (e.code === 'EADDRNOTAVAIL') {
    return new CliError(`cannot listen on ${l.host}: no such address on this machine; pick another with --host / ${protocol.toLowerCase()}.host in the config`);
  }
  if (e.code === 'EACCES' && port < 1024) {
    return new CliError(`cannot listen on port ${port}: ports below 1024 need root; run as root, or pick another port with ${choose} in the config`);
  }
  if (e.code === 'EACCES') return new CliError(`cannot listen on port ${port}: permission denied; pick another port with ${choose} in the config`);
  return new CliError(`cannot listen on port ${port}: ${hostPort(l.host, port)} is already in use (is another ${protocol} server running?); stop it, or pick another port with ${choose} in the config`);
}

function describeLmtpPortError(e: NodeJS.ErrnoException, config: Config): unknown {
  const { host, port } = config.lmtp;
  const choose = `--lmtp-port ${port < 1024 ? port + 1000 : port + 1} / lmtp.port in the config (0 turns TCP LMTP off)`;
  if (e.code === 'EADDRNOTAVAIL') return new CliError(`cannot listen for LMTP on ${host}: no such address on this machine; pick another with --lmtp-host / lmtp.host in the config`);
  if (e.code === 'EACCES' && port < 1024) return new CliError(`cannot listen for LMTP on port ${port}: ports below 1024 need root; run as root, or pick another port with ${choose}`);
  if (e.code === 'EACCES') return new CliError(`cannot listen for LMTP on port ${port}: permission denied; pick another port with ${choose}`);
  if (e.code === 'EADDRINUSE') return new CliError(`cannot listen for LMTP on port ${port}: ${hostPort(host, port)} is already in use (is another LMTP server, e.g. Dovecot, running?); stop it, or pick another port with ${choose}`);
  return e;
}

function describeSocketError(e: NodeJS.ErrnoException, socket: string): unknown {
  const choose = 'pick another path with --lmtp-socket / lmtp.socket in the config ("none" turns the socket off)';
  if (e.code === 'EADDRINUSE') return new CliError(`cannot listen on the LMTP socket ${socket}: another process listens on it (is another letterbox serve running on this data directory?); stop it, or ${choose}`);
  if (e.code === 'ENOTSOCK') return new CliError(`cannot listen on the LMTP socket ${socket}: the path exists and is not a socket; remove it, or ${choose}`);
  if (e.code === 'ENOENT') return new CliError(`cannot listen on the LMTP socket ${socket}: its directory does not exist; create it, or ${choose}`);
  if (e.code === 'EACCES') return new CliError(`cannot listen on the LMTP socket ${socket}: permission denied; ${choose}`);
  return new CliError(`cannot listen on the LMTP socket ${socket}: ${e.message}; ${choose}`);
}

function lmtpWhere(a: LmtpAddress): string {
  return 'socket' in a ? a.socket : hostPort(a.host, a.port);
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
