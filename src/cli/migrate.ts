/**
 * `letterbox migrate` (bring the store's schema up to date, e.g. before starting upgraded nodes) and
 * `letterbox migrate-storage --from DATA_DIR --to postgres://...` (copy an embedded SQLite installation
 * to PostgreSQL, keeping UIDs, flags and modseqs so clients do not download everything again).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { isPostgresUrl, LOG_LEVELS } from '../config/defaults.js';
import type { LogLevel } from '../log/logger.js';
import type { CopySummary } from '../store/migrate-storage.js';
import { describeStorage, migrateStore, SQLITE_FILE } from '../store/open.js';
import { addCommonOptions, adminLogger, CliError, EXIT, resolveConfig, type CommonOptions } from './context.js';

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
  return new Command('migrate-storage')
    .summary('copy an embedded SQLite installation to PostgreSQL')
    .description(
      'copy every account of an embedded installation (letterbox.db in DATA_DIR) to a PostgreSQL database, keeping ' +
        'UIDVALIDITY, UIDs, flags, modseqs, internal dates and save dates, so clients keep their caches. ' +
        'Refuses if the target already holds any of the accounts. Stop the server first: mail delivered during the copy stays behind.',
    )
    .requiredOption('--from <dir>', 'data directory of the SQLite installation')
    .requiredOption('--to <url>', 'target database, postgres://user:password@host:port/database')
    .addOption(new Option('--log-level <level>', 'log level (default warn)').choices([...LOG_LEVELS]))
    .action(async (opts: { from: string; to: string; logLevel?: LogLevel }) => {
      if (!isPostgresUrl(opts.to)) throw new CliError('--to: expected a postgres://user:password@host:port/database URL', EXIT.USAGE);
      const file = path.resolve(opts.from, SQLITE_FILE);
      if (!existsSync(file)) throw new CliError(`no SQLite store at ${file} (--from names the data directory)`, EXIT.NOINPUT);
      const log = adminLogger(opts);
      const { default: cliProgress } = await import('cli-progress');
      const { copySqliteToPostgres, StorageCopyError } = await import('../store/migrate-storage.js');
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { stream: process.stderr, format: 'copying [{bar}] {percentage}% | {value}/{total} messages | {account} | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
            cliProgress.Presets.shades_classic,
          )
        : null;
      let summary: CopySummary;
      try {
        summary = await copySqliteToPostgres(file, opts.to, {
          log,
          onProgress: (p) => {
            if (bar && !bar.isActive) bar.start(Math.max(p.totalMessages, 1), 0, { account: '' });
            bar?.update(p.messages, { account: p.account });
          },
        });
      } catch (err) {
        if (err instanceof StorageCopyError) throw new CliError(err.message);
        throw err;
      } finally {
        bar?.stop();
      }
      const where = describeStorage({ dataDir: '', storage: { kind: 'postgres', url: opts.to } });
      process.stdout.write(
        `copied ${summary.accounts} accounts, ${summary.mailboxes} mailboxes, ${summary.messages} messages ` +
          `(${summary.bodies} distinct bodies, ${(summary.octets / 1048576).toFixed(1)} MiB) to ${where}\n`,
      );
    });
}
