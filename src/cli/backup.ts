/**
 * `letterbox backup DIR` and `letterbox restore DIR`: a consistent copy of a SQLite store, taken while the
 * server runs (store/sqlite/backup.ts), into a new data directory that `--data-dir DIR` can use at once;
 * and putting one back, keeping the database it replaces. PostgreSQL has its own tools (pg_dump).
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import type { Config } from '../config/types.js';
import { SQLITE_FILE } from '../store/open.js';
import { addCommonOptions, adminLogger, CliError, EXIT, resolveConfig, type CommonOptions } from './context.js';
import { refuseWhileServing } from './migrate.js';
import { startProgress } from './progress.js';
import { confirm } from './prompt.js';

/** PG_HINT tells what to use instead for PostgreSQL. */
const PG_HINT = 'the store is PostgreSQL: back it up with pg_dump and restore it with pg_restore (see "Data" in the README)';

/** backupCommand builds the `backup` command. */
export function backupCommand(): Command {
  return addCommonOptions(
    new Command('backup')
      .summary('copy the SQLite store, while the server runs, into a new data directory')
      .description(
        'copy letterbox.db (with SQLite\'s online backup, consistent while the server runs) and the generated TLS certificate into DIR, ' +
          'a new or empty directory (mode 0700, files 0600) that is a data directory at once: letterbox serve --data-dir DIR. ' +
          'The copy is checked (PRAGMA quick_check). For PostgreSQL use pg_dump.',
      )
      .argument('<dir>', 'where to put the copy: a directory that does not exist yet, or is empty'),
  ).action(async (dir: string, opts: CommonOptions) => {
    const config = await resolveConfig(opts);
    if (config.storage.kind !== 'sqlite') throw new CliError(PG_HINT, EXIT.USAGE);
    const source = sqliteFile(config);
    const target = path.resolve(dir);
    await mkdir(target, { recursive: true, mode: 0o700 });
    const present = await readdir(target);
    if (present.length > 0) throw new CliError(`${target} is not empty: back up into a new or empty directory`, EXIT.CANTCREAT);
    const { copySqlite } = await import('../store/sqlite/backup.js');
    const progress = await startProgress({ verb: 'backing up', total: 0, unit: 'octets' });
    let result;
    try {
      result = await copySqlite(source, path.join(target, SQLITE_FILE), (done, total) => {
        progress.setTotal(total);
        progress.update(done);
      });
    } finally {
      progress.stop();
    }
    if (result.check !== 'ok') throw new CliError(`the copy in ${target} does not pass SQLite's check (${result.check}); is ${source} damaged?`, EXIT.DATAERR);
    const tls = path.join(config.dataDir, 'tls');
    if (existsSync(tls)) await cp(tls, path.join(target, 'tls'), { recursive: true, preserveTimestamps: true });
    process.stdout.write(`backed up ${source} (${(result.octets / 1048576).toFixed(1)} MiB, checked) to ${target}; use it with --data-dir ${target}\n`);
  });
}

/** restoreCommand builds the `restore` command. */
export function restoreCommand(): Command {
  return addCommonOptions(
    new Command('restore')
      .summary('put a backup back into the data directory (the server stopped)')
      .description(
        'replace letterbox.db of the data directory with the one of BACKUP (a directory `letterbox backup` wrote), after checking it. ' +
          'The database it replaces is kept beside it as letterbox.db.replaced-<time>. Refuses while a server runs on the data directory; ' +
          'asks for confirmation unless --yes. The TLS certificate of the backup is restored only where the data directory has none.',
      )
      .argument('<backup>', 'the directory the backup is in')
      .option('-y, --yes', 'do not ask (required when stdin is not a terminal)'),
  ).action(async (backup: string, opts: CommonOptions & { yes?: boolean }) => {
    const config = await resolveConfig(opts);
    if (config.storage.kind !== 'sqlite') throw new CliError(PG_HINT, EXIT.USAGE);
    const from = path.join(path.resolve(backup), SQLITE_FILE);
    if (!existsSync(from)) throw new CliError(`no backup at ${from} (give the directory \`letterbox backup\` wrote)`, EXIT.NOINPUT);
    const target = path.join(config.dataDir, SQLITE_FILE);
    if (!opts.yes && !process.stdin.isTTY) throw new CliError('refusing to replace the database without --yes when stdin is not a terminal', EXIT.USAGE);
    const { accountCount, checkpointSqlite, copySqlite, removeSearchIndex } = await import('../store/sqlite/backup.js');
    let accounts: number;
    try {
      accounts = accountCount(from);
    } catch (err) {
      throw new CliError(`${from} is not a Letterbox database (${(err as Error).message})`, EXIT.DATAERR);
    }
    const replaced = existsSync(target);
    if (replaced) await refuseWhileServing(config.dataDir, adminLogger(opts), 'it would go on writing to the database being replaced');
    if (!opts.yes && !(await confirm(`Replace ${target}${replaced ? '' : ' (there is none)'} with the backup ${from} (${accounts} accounts)?`))) {
      process.stdout.write('not restored\n');
      return;
    }
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    // Restored into a new name first: a failure halfway leaves the data directory as it was.
    const incoming = `${target}.restoring-${process.pid}`;
    await rm(incoming, { force: true });
    const result = await copySqlite(from, incoming);
    if (result.check !== 'ok') {
      await rm(incoming, { force: true });
      throw new CliError(`the backup ${from} does not pass SQLite's check (${result.check}); nothing was changed`, EXIT.DATAERR);
    }
    let kept: string | null = null;
    if (replaced) {
      // Everything of the old database into its file, so that the file alone can be kept aside.
      checkpointSqlite(target);
      kept = `${target}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(target, kept);
      await rm(`${target}-wal`, { force: true });
      await rm(`${target}-shm`, { force: true });
    }
    await rename(incoming, target);
    // The index of the replaced database; the restored one's is built again when the store next opens.
    removeSearchIndex(target);
    const tls = path.join(config.dataDir, 'tls');
    if (!existsSync(tls) && existsSync(path.join(path.resolve(backup), 'tls'))) await cp(path.join(path.resolve(backup), 'tls'), tls, { recursive: true, preserveTimestamps: true });
    process.stdout.write(`restored ${from} (${accounts} accounts) into ${target}${kept ? `; the database it replaced is kept as ${kept}` : ''}\n`);
  });
}

/** sqliteFile is the data directory's letterbox.db; throws CliError (66) when there is none. */
function sqliteFile(config: Config): string {
  const file = path.join(config.dataDir, SQLITE_FILE);
  if (!existsSync(file)) throw new CliError(`no SQLite store at ${file} (--data-dir names the data directory)`, EXIT.NOINPUT);
  return file;
}
