/**
 * The primary process of `letterbox serve` with several workers (serve.workers > 1): it checks the data
 * directory, migrates the store and makes the TLS material once, so the workers do not race at it; binds
 * every listener; then forks the workers (server/cluster.ts), which each run a node on the connections it
 * hands them, runs the store's upkeep once for all of them (SQLite: the full-text indexer thread), and logs the one ready line. It serves the admin port itself: /health says whether every worker is up, /metrics sums the
 * workers'. Signals go on to the workers: SIGTERM and SIGINT stop them (each finishes its running
 * commands) and then the primary; SIGHUP reloads their TLS material; SIGUSR1 reopens every log file.
 */
import type { Health } from '../admin/server.js';
import type { Config } from '../config/types.js';
import { CliError, EXIT } from './context.js';
import { describeAddresses, describeListenError, handleSignals, prepareDataDir } from './serve-setup.js';

/** servePrimary runs the primary until SIGTERM or SIGINT. Throws CliError when the server cannot start; a worker's own error is on its standard error. */
export async function servePrimary(config: Config): Promise<void> {
  await prepareDataDir(config);
  const { openLogger } = await import('../log/logger.js');
  const logHandle = openLogger(config.log.level, { file: config.log.file, format: config.log.format });
  const log = logHandle.log.child({ worker: 'primary' });
  const [{ describeStorage, openStore }, { ensureTlsMaterial }, { bindListeners, forkWorkers }, { startAdminServer }, { clusterMetrics }] = await Promise.all([
    import('../store/open.js'),
    import('../tls/material.js'),
    import('../server/cluster.js'),
    import('../admin/server.js'),
    import('../metrics/prometheus.js'),
  ]);
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting');
    process.exit(EXIT.SOFTWARE);
  });

  let phase: 'starting' | 'ready' | 'stopping' = 'starting';
  let pool: Awaited<ReturnType<typeof forkWorkers>> | null = null;
  // The store is opened here first: it migrates the schema once, and /health asks it.
  const store = await openStore(config, log);
  // The checks of a single process (serve-setup.ts startAdmin), each listener "ok" once every worker listens.
  const wanted = {
    imap: config.imap.port !== 0 || config.imap.tlsPort !== 0,
    pop3: config.pop3.port !== 0 || config.pop3.tlsPort !== 0,
    managesieve: config.managesieve.port !== 0,
    lmtp: config.lmtp.port !== 0 || config.lmtp.socket !== null,
  };
  const health = async (): Promise<Health> => {
    const ready = pool?.ready() ?? 0;
    const listening = phase === 'stopping' ? 'not listening' : ready === config.serve.workers ? 'ok' : `${ready} of ${config.serve.workers} workers listening`;
    const checks: Record<string, string> = { server: phase === 'ready' ? 'ok' : phase };
    for (const [name, on] of Object.entries(wanted)) if (on) checks[name] = listening;
    checks.store = (await store.health()) ?? 'ok';
    return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
  };
  let admin: Awaited<ReturnType<typeof startAdminServer>> | null = null;
  let listeners: Awaited<ReturnType<typeof bindListeners>> = [];
  try {
    if (config.admin.port !== 0) admin = await startAdminServer({ host: config.admin.host, port: config.admin.port, health, metrics: clusterMetrics(), log });
    const imapOn = config.imap.port !== 0 || config.imap.tlsPort !== 0;
    const pop3On = config.pop3.port !== 0 || config.pop3.tlsPort !== 0;
    // A self-signed certificate is generated here, once, not by every worker at the same time.
    if (imapOn || pop3On || config.managesieve.port !== 0) await ensureTlsMaterial(config, log);
    // Every listener is bound here: the workers get their connections from this process.
    listeners = await bindListeners(config);
  } catch (err) {
    await admin?.close();
    await store.close();
    throw describeListenError(err, config);
  }

  try {
    pool = await forkWorkers(config.serve.workers, log, listeners, { oneLmtpWorker: config.storage.kind === 'sqlite' });
  } catch (err) {
    await admin?.close();
    await store.close();
    // A worker that exits with a status has said why on the standard error it shares with this process;
    // its status (78 for configuration, 1 for a port in use) is ours. One killed by a signal said nothing.
    const code = (err as { exitCode?: number | null }).exitCode;
    if (typeof code === 'number' && code !== 0) throw new CliError('', code);
    throw new CliError((err as Error).message, EXIT.ERROR);
  }
  const running = pool;
  // The store's upkeep runs once, here, not in every worker (SQLite: the one full-text indexer thread).
  const stopBackground = store.startBackground();
  const stopped = handleSignals({
    log,
    watch: 'npm',
    async stop() {
      phase = 'stopping';
      stopBackground();
      await running.stop();
      try {
        await store.close();
      } catch (err) {
        log.error({ err }, 'error while closing the store');
      }
      await admin?.close();
    },
    reloadTls: () => running.signal('SIGHUP'),
    reopenLog() {
      logHandle.reopen();
      log.info({ file: config.log.file }, 'log file reopened');
      running.signal('SIGUSR1');
    },
  });
  phase = 'ready';
  const addresses = listeners.map((l) => l.address);
  const admins = admin ? [{ name: 'admin' as const, ...admin.address }] : [];
  log.info(
    { addresses: [...addresses, ...admins], dataDir: config.dataDir, store: store.kind, workers: config.serve.workers },
    `Letterbox ready: ${describeAddresses(addresses, admins[0] ?? null).join(', ')}, data in ${config.dataDir}${config.storage.kind === 'postgres' ? `, mail in ${describeStorage(config)}` : ''}`,
  );
  return stopped;
}
