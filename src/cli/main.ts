/**
 * The `letterbox` command line: builds the commander program from the command modules and turns every
 * error into one line on stderr and an exit status (no stack traces unless LETTERBOX_DEBUG=1).
 *
 * Start-up time matters (an MTA runs `letterbox deliver` once per message), so the command modules import
 * only commander, types and small helpers at the top; each command's action loads the layers it uses with
 * `await import()`, and libraries that only some paths need are loaded on first use (the store backends,
 * pino, the config validator, the charset libraries). `node --import tsx bench/startup.ts` measures it.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { ImportError } from '../import/types.js';
import { LogFileError } from '../log/logger.js';
import { StorageUnavailableError, StoreError, StoreOpenError } from '../store/types.js';
import { TlsError } from '../tls/material.js';
import { CliError, EXIT } from './context.js';
import { backupCommand, restoreCommand } from './backup.js';
import { deliverCommand } from './deliver.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { mailboxCommand } from './mailbox.js';
import { migrateCommand, migrateStorageCommand } from './migrate.js';
import { penaltyCommand } from './penalty.js';
import { serveCommand } from './serve.js';
import { sieveCommand } from './sieve.js';
import { kickCommand, whoCommand } from './sessions.js';
import { userCommand } from './user.js';

const EXIT_HELP = `
Environment:
  LETTERBOX_CONFIG     config file (like --config)
  LETTERBOX_DATA_DIR   data directory (like --data-dir)
  LETTERBOX_STORAGE    storage backend (like --storage): sqlite, or postgres://user:password@host:port/db
  Precedence: command-line flags, then environment, then the config file, then defaults.

Exit status:
  0 success, 1 error, 64 usage error, 65 damaged database, 66 input not found, 67 no such user,
  69 database unreachable, 73 cannot write the output (export, backup: the directory is not empty),
  78 configuration error (bad key, data directory, address, permission)
  (deliver: see letterbox deliver --help)`;

/** buildProgram returns the commander program with every command (exposed for tests of the help text). */
export function buildProgram(): Command {
  const program = new Command('letterbox')
    .description('Letterbox: an IMAP mailbox server')
    .version('0.1.0', '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_HELP)
    .exitOverride();
  program.addCommand(serveCommand());
  program.addCommand(userCommand());
  program.addCommand(mailboxCommand());
  program.addCommand(sieveCommand());
  program.addCommand(whoCommand());
  program.addCommand(kickCommand());
  program.addCommand(importCommand());
  program.addCommand(exportCommand());
  program.addCommand(deliverCommand());
  program.addCommand(backupCommand());
  program.addCommand(restoreCommand());
  program.addCommand(migrateCommand());
  program.addCommand(migrateStorageCommand());
  program.addCommand(penaltyCommand());
  // Subcommands copy exitOverride only when created through the parent; set it on every level.
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program)) c.exitOverride();
  return program;
}

/**
 * main runs the command line `argv` (as process.argv: node, script, args...) and resolves to the exit
 * status. Errors are printed as `letterbox: <message>` on stderr.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.OK;
  } catch (err) {
    return report(err);
  }
}

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.OK;
    if (err.code === 'commander.executeSubCommandAsync') return err.exitCode;
    return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  const line = (msg: string) => process.stderr.write(`letterbox: ${msg.split('\n')[0]}\n`);
  if (err instanceof CliError) {
    // An empty message: the error was told already (by a worker process of serve, on the same stderr).
    if (err.message !== '') line(err.message);
    return err.exitCode;
  }
  if (err instanceof StoreOpenError) {
    line(err.message);
    return err.reason === 'damaged' ? EXIT.DATAERR : EXIT.CONFIG;
  }
  if (err instanceof ConfigError || err instanceof TlsError || err instanceof LogFileError) {
    line(err.message);
    return EXIT.CONFIG;
  }
  if (err instanceof ImportError) {
    line(err.message);
    return EXIT.NOINPUT;
  }
  if (err instanceof StorageUnavailableError) {
    line(err.message);
    return EXIT.UNAVAILABLE;
  }
  if (err instanceof StoreError) {
    line(err.message);
    return EXIT.ERROR;
  }
  line(`unexpected error: ${(err as Error)?.message ?? String(err)} (set LETTERBOX_DEBUG=1 for details)`);
  if (process.env.LETTERBOX_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return EXIT.SOFTWARE;
}

/** run is what bin/letterbox.js calls: main, then exit with its status. */
export async function run(argv: string[]): Promise<never> {
  process.exit(await main(argv));
}
