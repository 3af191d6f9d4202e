/**
 * `letterbox migrate` (bring the store's schema up to date, e.g. before starting upgraded nodes) and
 * `letterbox migrate-storage --from DATA_DIR --to postgres://...` (copy an embedded SQLite installation
 * to PostgreSQL, keeping UIDs, flags and modseqs so clients do not download everything again).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { isPostgresUrl } from '../config/defaults.js';
import type { Logger } from '../log/logger.js';
import type { CopySummary } from '../store/migrate-storage.js';
import { describeStorage, migrateStore, SQLITE_FILE } from '../store/open.js';
import { addCommonOptions, adminLogger, CliError, EXIT, resolveConfig, type CommonOptions } from './context.js';
import { startProgress } from './progress.js';

/** migrateCommand builds the `migrate` command. */
export function migrateCommand(): Command {
  return addCommonOptions(
    new Command('migrate')
      .summary("create or upgrade the store's schema")
      .description(
        "create or upgrade the store's schema (forward-only migrations) and exit. `serve` does the same at start; " +
          'with several nodes on one PostgreSQL, run it once before starting upgraded nodes.',
      ),
  ).action(async (opts: CommonOptions) => {
    const config = await resolveConfig(opts);
    const { from, to } = await migrateStore(config, adminLogger(opts));
    const where = describeStorage(config);
    process.stdout.write(from === to ? `${where}: schema is current (version ${to})\n` : `${where}: schema upgraded from version ${from} to ${to}\n`);
  });
}

/** migrateStorageCommand builds the `migrate-storage` command. */
export function migrateStorageCommand(): Command {
  return addCommonOptions(
    new Command('migrate-storage')
      .summary('copy an embedded SQLite installation to PostgreSQL')
      .description(
        'copy every account of an embedded installation (letterbox.db in the data directory) to a PostgreSQL database, keeping ' +
          'UIDVALIDITY, UIDs, flags, modseqs, internal dates and save dates, so clients keep their caches. ' +
          'Refuses while a server runs on the data directory (mail delivered during the copy would stay behind), and if the target ' +
          'already holds any of the accounts. The source is --from, else the data directory (--data-dir, LETTERBOX_DATA_DIR, data_dir); ' +
          'the target is --to, else the PostgreSQL storage configured (--storage, LETTERBOX_STORAGE, storage.url): so with the config ' +
          'file of the new installation, `letterbox migrate-storage -c FILE` copies the old data into it.',
      )
      .option('--from <dir>', 'data directory of the SQLite installation (default: the data directory)')
      .option('--to <url>', 'target database, postgres://user:password@host:port/database (default: the PostgreSQL storage configured)'),
  ).action(async (opts: CommonOptions & { from?: string; to?: string }) => {
    const config = await resolveConfig(opts);
    const to = opts.to ?? (config.storage.kind === 'postgres' ? config.storage.url : undefined);
    if (to === undefined) throw new CliError('no target: give --to postgres://user:password@host:port/database, or configure PostgreSQL storage (--storage, storage.url)', EXIT.USAGE);
    if (!isPostgresUrl(to)) throw new CliError('--to: expected a postgres://user:password@host:port/database URL', EXIT.USAGE);
    const from = opts.from !== undefined ? path.resolve(opts.from) : config.dataDir;
    const file = path.join(from, SQLITE_FILE);
    if (!existsSync(file)) throw new CliError(`no SQLite store at ${file} (--from names the data directory)`, EXIT.NOINPUT);
    const log = adminLogger(opts);
    await refuseWhileServing(from, log, 'mail delivered during the copy would stay behind');
    const { copySqliteToPostgres, StorageCopyError } = await import('../store/migrate-storage.js');
    const progress = await startProgress({ verb: 'copying', total: 0, unit: 'messages' });
    let summary: CopySummary;
    try {
      summary = await copySqliteToPostgres(file, to, {
        log,
        onProgress: (p) => {
          if (p.messages === 0) progress.setTotal(p.totalMessages);
          progress.update(p.messages, p.account);
        },
      });
    } catch (err) {
      if (err instanceof StorageCopyError) throw new CliError(err.message);
      throw err;
    } finally {
      progress.stop();
    }
    const where = describeStorage({ dataDir: '', storage: { kind: 'postgres', url: to } });
    process.stdout.write(
      `copied ${summary.accounts} accounts, ${summary.mailboxes} mailboxes, ${summary.messages} messages ` +
        `(${summary.bodies} distinct bodies, ${(summary.octets / 1048576).toFixed(1)} MiB) to ${where}\n`,
    );
  });
}

/**
 * refuseWhileServing throws CliError when a server runs on the SQLite data directory `dataDir`
 * (sessions/presence.ts: its heartbeat is recent and its process alive), naming it and saying `why` it
 * must be stopped first.
 */
export async function refuseWhileServing(dataDir: string, log: Logger, why: string): Promise<void> {
  const [{ openStore }, { liveNodes }] = await Promise.all([import('../store/open.js'), import('../sessions/presence.js')]);
  const store = await openStore({ dataDir, storage: { kind: 'sqlite' } }, log);
  let running;
  try {
    running = await liveNodes(store);
  } finally {
    await store.close();
  }
  if (running.length === 0) return;
  const names = running.map((n) => `${n.host} pid ${n.pid}, started ${new Date(n.startedAt).toISOString()}`).join('; ');
  throw new CliError(`a server is running on ${dataDir} (${names}): stop it first; ${why}`);
}
