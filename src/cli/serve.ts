/**
 * `letterbox serve`: config, logger, store, TLS material, the node (server/node.ts: the IMAP, POP3 and LMTP
 * listeners sharing the store, the failed-login penalty and the session registry, as the library's), the admin port; one "ready" log line naming every
 * address; SIGHUP reloads the TLS certificate and key without dropping sessions; SIGTERM/SIGINT stop
 * accepting, end every session once its running command has finished, close the store and end the
 * process with status 0; SIGUSR1 reopens the log file. The server's layers are loaded by serve() itself.
 */
import cluster from 'node:cluster';
import { Command, InvalidArgumentError } from 'commander';
import { isSmtpUrl } from '../config/defaults.js';
import type { Config } from '../config/types.js';
import type { RunningNode } from '../server/node.js';
import { SessionRegistry } from '../sessions/registry.js';
import { addCommonOptions, CliError, EXIT, parsePort, parseWorkers, resolveConfig, type CommonOptions } from './context.js';
import { describeAddresses, describeListenError, handleSignals, listenerPorts, prepareDataDir, startAdmin, workerMetrics, type AdminState } from './serve-setup.js';

interface ServeOptions extends CommonOptions {
  host?: string;
  imapPort?: number;
  imapsPort?: number;
  pop3Port?: number;
  pop3sPort?: number;
  lmtpHost?: string;
  lmtpPort?: number;
  lmtpSocket?: string;
  adminHost?: string;
  adminPort?: number;
  workers?: number;
  managesievePort?: number;
  outgoingSmtp?: string;
}

/** serveCommand builds the `serve` command; its action resolves when the server has shut down after a signal. */
export function serveCommand(): Command {
  return addCommonOptions(
    new Command('serve')
      .summary('run the IMAP server (143 with STARTTLS, 993 with TLS), POP3 (110 with STLS, 995 with TLS), ManageSieve (4190) and LMTP delivery (127.0.0.1:24 and <data-dir>/lmtp.sock)')
      .description(
        'run the IMAP server: port 143 with STARTTLS and port 993 with TLS (a self-signed certificate is generated when none is configured); ' +
          'POP3 on the same mailboxes: port 110 with STLS and port 995 with TLS; ' +
          "ManageSieve (RFC 5804) for users' Sieve scripts: port 4190 with STARTTLS; " +
          'and LMTP (RFC 2033) for mail from an MTA such as Postfix, on 127.0.0.1:24 and on the unix socket <data-dir>/lmtp.sock',
      )
      .option('--host <addr>', 'address the IMAP, POP3 and ManageSieve listeners bind to, e.g. 0.0.0.0, 127.0.0.1 or :: (default 0.0.0.0)')
      .option('--imap-port <n>', 'cleartext IMAP port with STARTTLS, 0 = off (default 143)', parsePort)
      .option('--imaps-port <n>', 'IMAP over TLS port, 0 = off (default 993)', parsePort)
      .option('--pop3-port <n>', 'cleartext POP3 port with STLS, 0 = off (default 110)', parsePort)
      .option('--pop3s-port <n>', 'POP3 over TLS port, 0 = off (default 995)', parsePort)
      .option('--lmtp-host <addr>', 'address of the LMTP listener (default 127.0.0.1)')
      .option('--lmtp-port <n>', 'LMTP port, 0 = off (default 24)', parsePort)
      .option('--lmtp-socket <path>', 'LMTP unix socket, "none" = off (default <data-dir>/lmtp.sock)')
      .option('--admin-host <addr>', 'address of the admin HTTP listener, GET /health and /metrics (default 127.0.0.1)')
      .option('--admin-port <n>', 'admin HTTP port, 0 = off (default 0)', parsePort)
      .option('--workers <n>', 'worker processes sharing the ports and the store (default: one per core but one, at least one; config serve.workers)', parseWorkers)
      .option('--managesieve-port <n>', 'ManageSieve port with STARTTLS, 0 = off (default 4190)', parsePort)
      .option('--outgoing-smtp <url>', 'relay for Sieve redirect and vacation, smtp://host:port or smtps://host:port (default none: no outgoing mail)', parseSmtpUrl),
  ).action(async (opts: ServeOptions) => {
    const config = await resolveConfig(opts, {
      imap: { ...(opts.host !== undefined && { host: opts.host }), ...(opts.imapPort !== undefined && { port: opts.imapPort }), ...(opts.imapsPort !== undefined && { tlsPort: opts.imapsPort }) },
      pop3: { ...(opts.host !== undefined && { host: opts.host }), ...(opts.pop3Port !== undefined && { port: opts.pop3Port }), ...(opts.pop3sPort !== undefined && { tlsPort: opts.pop3sPort }) },
      lmtp: {
        ...(opts.lmtpHost !== undefined && { host: opts.lmtpHost }),
        ...(opts.lmtpPort !== undefined && { port: opts.lmtpPort }),
        ...(opts.lmtpSocket !== undefined && { socket: opts.lmtpSocket }),
      },
      admin: { ...(opts.adminHost !== undefined && { host: opts.adminHost }), ...(opts.adminPort !== undefined && { port: opts.adminPort }) },
      managesieve: { ...(opts.host !== undefined && { host: opts.host }), ...(opts.managesievePort !== undefined && { port: opts.managesievePort }) },
      ...(opts.outgoingSmtp !== undefined && { outgoing: { smtp: opts.outgoingSmtp } }),
      ...(opts.workers !== undefined && { serve: { workers: opts.workers } }),
    });
    await serve(config);
  });
}

/** parseSmtpUrl is the --outgoing-smtp parser: an smtp:// or smtps:// URL; throws InvalidArgumentError. */
function parseSmtpUrl(value: string): string {
  if (!isSmtpUrl(value)) throw new InvalidArgumentError('expected smtp://host:port or smtps://host:port');
  return value;
}

/** serve runs the server for `config` until SIGTERM or SIGINT. Throws CliError when it cannot start (data directory, ports, TLS, store). */
export async function serve(config: Config): Promise<void> {
  const imapOn = config.imap.port !== 0 || config.imap.tlsPort !== 0;
  const pop3On = config.pop3.port !== 0 || config.pop3.tlsPort !== 0;
  const manageSieveOn = config.managesieve.port !== 0;
  if (!imapOn && !pop3On && !manageSieveOn && config.lmtp.port === 0 && config.lmtp.socket === null) {
    throw new CliError('nothing to serve: the IMAP, IMAPS, POP3, POP3S, ManageSieve and LMTP ports are 0 and the LMTP socket is "none" (off)', EXIT.CONFIG);
  }
  const ports = listenerPorts(config).filter((l) => l.port !== 0);
  for (const [i, a] of ports.entries()) {
    const b = ports.slice(i + 1).find((l) => l.port === a.port);
    if (b) throw new CliError(`the ${a.what} port and the ${b.what} port are both ${a.port}: choose different ports`, EXIT.CONFIG);
  }
  // Several workers: this process forks them and relays between them (serve-primary.ts); each of them runs the rest of this function.
  if (cluster.isPrimary && config.serve.workers > 1) return (await import('./serve-primary.js')).servePrimary(config);
  await prepareDataDir(config);

  const { openLogger } = await import('../log/logger.js');
  const logHandle = openLogger(config.log.level, { file: config.log.file, format: config.log.format });
  // The layers are loaded here, not at the top of the file, so that other commands do not load them (main.ts).
  const [{ startNode }, { describeStorage, openStore }, { ensureTlsMaterial }, { announceReady, workerConnections, workerId, workerPeers }] = await Promise.all([
    import('../server/node.js'),
    import('../store/open.js'),
    import('../tls/material.js'),
    import('../server/cluster.js'),
  ]);
  // In a worker of several, every log line says which one.
  const worker = workerId();
  const log = worker === null ? logHandle.log : logHandle.log.child({ worker });
  // One connection's stray promise must not end every other session; it is a bug to log and fix.
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled promise rejection'));
  // After an uncaught exception the process state is unknown: log it and exit so a supervisor restarts us.
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting');
    process.exit(EXIT.SOFTWARE);
  });
  // One registry of logged-in sessions for IMAP and POP3: `letterbox user delete` ends them all.
  const sessions = new SessionRegistry();
  // The admin port comes up first, so that /health says 503 while the store migrates and the listeners bind.
  const state: AdminState = { phase: 'starting', store: null, imap: null, pop3: null, managesieve: null, lmtp: null };
  // A worker's metrics are collected by the primary, which serves the admin port (serve-primary.ts).
  const admin = config.admin.port === 0 ? null : worker === null ? await startAdmin(config, log, state, sessions) : await workerMetrics(config, state, sessions);
  const metrics = admin ? { metrics: admin.metrics } : {};
  const store = await openStore(config, log, admin ? (s, w) => admin.metrics.commit(s, w) : undefined, worker === null ? undefined : workerPeers()).catch(async (err: unknown) => {
    await admin?.server?.close();
    throw err;
  });
  state.store = store;
  let node: RunningNode;
  try {
    const tls = imapOn || pop3On || manageSieveOn ? await ensureTlsMaterial(config, log) : null;
    node = await startNode({ config, store, log, tls, sessions, connections: worker === null ? undefined : workerConnections(), background: worker === null, ...metrics });
  } catch (err) {
    await store.close();
    await admin?.server?.close();
    throw describeListenError(err, config);
  }
  Object.assign(state, { imap: node.imap, pop3: node.pop3, managesieve: node.managesieve, lmtp: node.lmtp, phase: 'ready' });
  // The signal handlers are in place before the ready line, so a supervisor (or a test) that signals as
  // soon as it reads that line always gets the graceful shutdown.
  const stopped = handleSignals({
    log,
    // A worker whose primary has gone (killed) stops too, instead of serving on alone.
    watch: worker === null ? 'npm' : 'primary',
    async stop() {
      state.phase = 'stopping';
      try {
        await node.close();
      } catch (err) {
        log.error({ err }, 'error while closing the listeners');
      }
      try {
        await store.close();
      } catch (err) {
        log.error({ err }, 'error while closing the store');
      }
      await admin?.server?.close();
    },
    reloadTls() {
      const { imap, pop3, managesieve: sieve } = node;
      // LMTP alone has no TLS material to reload.
      if (!imap && !pop3 && !sieve) return;
      void (async () => {
        try {
          const material = await ensureTlsMaterial(config, log);
          node.reloadTls(material);
          if (!imap) log.info('TLS certificate reloaded');
        } catch (err) {
          // Keep serving the old certificate: a typo in a renewed file must not take the server down.
          log.error({ err: (err as Error).message }, 'TLS reload failed; still serving the previous certificate');
        }
      })();
    },
    reopenLog() {
      logHandle.reopen();
      log.info({ file: config.log.file }, 'log file reopened');
    },
  });
  if (worker !== null) {
    announceReady();
    log.debug({ pid: process.pid }, `worker ${worker} ready`);
    return stopped;
  }
  const admins = admin?.server ? [{ name: 'admin' as const, ...admin.server.address }] : [];
  log.info(
    { addresses: [...node.addresses, ...admins], dataDir: config.dataDir, store: store.kind },
    `Letterbox ready: ${describeAddresses(node.addresses, admins[0] ?? null).join(', ')}, data in ${config.dataDir}${config.storage.kind === 'postgres' ? `, mail in ${describeStorage(config)}` : ''}`,
  );
  return stopped;
}
