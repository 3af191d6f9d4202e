/**
 * What every command shares: the --config/--data-dir/--log-level options, turning them (with the
 * environment and the config file) into a Config, opening the store, and errors with exit codes.
 */
import { access, mkdir } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { normalizeEmail } from '../auth/email.js';
import { loadConfig, type ConfigOverrides } from '../config/load.js';
import { isPostgresUrl, MAX_WORKERS } from '../config/defaults.js';
import type { Config, StorageConfig } from '../config/types.js';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from '../log/logger.js';
import { openStore } from '../store/open.js';
import type { Account, Store } from '../store/types.js';

/** EXIT names the process exit codes (sysexits.h where one fits; 1 for other errors). */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 64,
  DATAERR: 65,
  NOINPUT: 66,
  NOUSER: 67,
  UNAVAILABLE: 69,
  SOFTWARE: 70,
  CANTCREAT: 73,
  IOERR: 74,
  TEMPFAIL: 75,
  NOPERM: 77,
  CONFIG: 78,
} as const;

/** CliError is an error to report to the operator as one line (no stack), exiting with `exitCode`. */
export class CliError extends Error {
  /** @param message one line for stderr; empty when the error has been told already (main.ts then prints nothing) */
  constructor(
    message: string,
    readonly exitCode: number = EXIT.ERROR,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** CommonOptions are the options every command takes (commander's camelCase names). */
export interface CommonOptions {
  config?: string;
  dataDir?: string;
  storage?: string;
  logLevel?: LogLevel;
}

/** STORAGE_HELP describes the --storage option every command takes. */
export const STORAGE_HELP = 'storage: "sqlite" (in the data directory, the default) or a postgres://user:password@host:port/db URL (env LETTERBOX_STORAGE)';

/**
 * addCommonOptions adds --config, --data-dir, --storage and --log-level to `cmd` and returns it. With
 * `storage: false` the command declares --storage itself (`user quota`, where --storage is also the storage limit).
 */
export function addCommonOptions(cmd: Command, opts: { storage?: boolean } = {}): Command {
  cmd.option('-c, --config <file>', 'config file, .yaml/.yml or .toml (env LETTERBOX_CONFIG)').option('-d, --data-dir <dir>', 'data directory (env LETTERBOX_DATA_DIR; default ./data)');
  if (opts.storage !== false) cmd.option('-s, --storage <backend>', STORAGE_HELP);
  return cmd.addOption(new Option('--log-level <level>', 'log level (default info for serve, warn otherwise)').choices([...LOG_LEVELS]));
}

/** isStorageBackend tells whether a --storage value names a backend ("sqlite" or a PostgreSQL URL) rather than a size. */
export function isStorageBackend(value: string): boolean {
  return value === 'sqlite' || isPostgresUrl(value);
}

/** parsePort is a commander argument parser for a TCP port 0-65535; throws InvalidArgumentError. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a number from 0 to 65535 (0 turns the listener off)');
  return n;
}

/** parseWorkers parses --workers: a whole number of worker processes from 1 to MAX_WORKERS. Throws InvalidArgumentError. */
export function parseWorkers(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_WORKERS) throw new InvalidArgumentError(`expected a whole number of worker processes from 1 to ${MAX_WORKERS}`);
  return n;
}

/**
 * parseStorage turns a --storage / LETTERBOX_STORAGE value into a StorageConfig: "sqlite", or a postgres://
 * or postgresql:// URL. Throws CliError (usage) for anything else.
 */
export function parseStorage(value: string, from: string): StorageConfig {
  if (value === 'sqlite') return { kind: 'sqlite' };
  if (isPostgresUrl(value)) return { kind: 'postgres', url: value };
  throw new CliError(`${from}: expected "sqlite" or a postgres://user:password@host:port/database URL`, EXIT.USAGE);
}

/**
 * resolveConfig builds the Config for a command: flags, then LETTERBOX_DATA_DIR / LETTERBOX_CONFIG /
 * LETTERBOX_STORAGE from `env`, then the config file, then defaults. `extra` carries command-specific
 * overrides (serve's ports). Throws ConfigError, CliError for a bad --storage.
 */
export async function resolveConfig(opts: CommonOptions, extra: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const file = opts.config ?? (env.LETTERBOX_CONFIG || undefined);
  const dataDir = opts.dataDir ?? (env.LETTERBOX_DATA_DIR || undefined);
  const overrides: ConfigOverrides = { ...extra };
  if (dataDir !== undefined) {
    overrides.dataDir = dataDir;
    overrides.dataDirSource = opts.dataDir !== undefined ? '--data-dir' : 'LETTERBOX_DATA_DIR';
  }
  if (opts.storage !== undefined) overrides.storage = parseStorage(opts.storage, '--storage');
  else if (env.LETTERBOX_STORAGE) overrides.storage = parseStorage(env.LETTERBOX_STORAGE, 'LETTERBOX_STORAGE');
  if (opts.logLevel !== undefined) overrides.log = { level: opts.logLevel };
  return loadConfig({ file, overrides });
}

/**
 * adminLogger is the logger of a command other than serve: stderr (stdout is the command's output), warn
 * unless --log-level says otherwise. pino is loaded when something is first logged through it: most runs of
 * `letterbox deliver` log nothing and should not pay for it.
 */
export function adminLogger(opts: CommonOptions): Logger {
  const level = opts.logLevel ?? 'warn';
  const threshold = LOG_LEVELS.indexOf(level);
  let real: Logger | null = null;
  const get = (): Logger => (real ??= createLogger(level, { stream: 'stderr' }));
  const quiet = () => {};
  return new Proxy({} as Logger, {
    get(_target, prop) {
      // A call below the level logs nothing: answer it without loading pino.
      const rank = typeof prop === 'string' ? LOG_LEVELS.indexOf(prop as LogLevel) : -1;
      if (rank >= 0 && prop !== 'silent' && rank < threshold && !real) return quiet;
      if (prop === 'level' && !real) return level;
      const v: unknown = Reflect.get(get(), prop);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(get()) : v;
    },
  });
}

/**
 * withStore opens the store of `config`, runs `fn`, and closes the store whatever happens.
 * With `create` false, a missing data directory is an error for SQLite (a typo in --data-dir must not
 * create an empty one); PostgreSQL needs no data directory.
 */
export async function withStore<T>(config: Config, log: Logger, create: boolean, fn: (store: Store) => Promise<T>): Promise<T> {
  if (config.storage.kind !== 'sqlite') {
    // nothing on disk to check
  } else if (create) await mkdir(config.dataDir, { recursive: true });
  else {
    try {
      await access(config.dataDir);
    } catch {
      throw new CliError(`no data directory at ${config.dataDir} (add a user first with "letterbox user add", or pass --data-dir)`, EXIT.NOINPUT);
    }
  }
  const store = await openStore(config, log);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** requireAccount returns the account for `email` or throws CliError (exit 67) naming it. */
export async function requireAccount(store: Store, email: string): Promise<Account> {
  const account = await store.getAccount(email);
  if (!account) throw new CliError(`no such user: ${email} (create it with "letterbox user add ${email}")`, EXIT.NOUSER);
  return account;
}

/** checkedEmail normalizes a user's address given on the command line (auth/email.ts); throws CliError (usage) naming what is wrong. */
export function checkedEmail(address: string): string {
  try {
    return normalizeEmail(address);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.USAGE);
  }
}
