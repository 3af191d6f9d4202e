/**
 * loadConfig builds the Config: defaults, then the config file (YAML or TOML), then overrides from the
 * environment and the command line (the CLI merges those two, flags winning). Relative paths in the file
 * resolve against the file's directory; relative override paths against the working directory.
 * The validator (zod) and the YAML/TOML parsers are loaded only when there is a file to read.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULTS } from './defaults.js';
import type { FileConfig } from './schema.js';
import type { Config, MailServiceConfig } from './types.js';

/** ConfigOverrides are values that win over the config file (from flags or environment); paths may be relative to `cwd`. */
export interface ConfigOverrides {
  dataDir?: string;
  /** Where dataDir came from, for messages: "--data-dir" (the default) or "LETTERBOX_DATA_DIR". */
  dataDirSource?: string;
  storage?: Config['storage'];
  imap?: Partial<Config['imap']>;
  pop3?: Partial<Config['pop3']>;
  managesieve?: Partial<Config['managesieve']>;
  outgoing?: Partial<Config['outgoing']>;
  /** LMTP overrides; `socket` is a path, or "none" to turn the socket off. */
  lmtp?: { host?: string; port?: number; socket?: string };
  tls?: Partial<Config['tls']>;
  log?: Partial<Config['log']>;
  admin?: Partial<Config['admin']>;
  serve?: Partial<Config['serve']>;
}

/** ConfigError is an invalid or unreadable config; its message is one line naming the file and the key. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * loadConfig reads and validates `file` (when given: .yaml, .yml or .toml), applies `overrides` and
 * returns a Config whose paths (dataDir, tls.cert, tls.key) are absolute.
 * Throws ConfigError, e.g. `config error in /etc/letterbox.yaml: imap.port: expected a number from 0 to 65535`.
 * @param opts.cwd directory for relative override paths and defaults (default process.cwd())
 */
export async function loadConfig(opts: { file?: string; overrides?: ConfigOverrides; cwd?: string }): Promise<Config> {
  const cwd = opts.cwd ?? process.cwd();
  const overrides = opts.overrides ?? {};
  let file: FileConfig;
  let fileDir = cwd;
  let dataDirFromFile: string | null = null;
  if (opts.file) {
    const abs = path.resolve(cwd, opts.file);
    const raw = await parseFile(abs);
    const { FileConfigSchema, formatIssue } = await import('./schema.js');
    const result = FileConfigSchema.safeParse(raw ?? {});
    if (!result.success) {
      const first = result.error.issues[0];
      const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
      throw new ConfigError(`config error in ${abs}: ${first ? formatIssue(first, raw) : result.error.message}${more}`);
    }
    file = result.data;
    fileDir = path.dirname(abs);
    if (typeof raw === 'object' && raw !== null && 'data_dir' in raw) dataDirFromFile = `data_dir in ${abs}`;
    if ((file.tls.cert === null) !== (file.tls.key === null)) {
      const missing = file.tls.cert === null ? 'tls.cert' : 'tls.key';
      throw new ConfigError(`config error in ${abs}: ${missing}: missing (tls.cert and tls.key must be set together, or both left out for a self-signed certificate)`);
    }
  } else {
    file = DEFAULTS;
  }

  // The default ./data is relative to where letterbox runs (README: "data in ./data"), not to the config file.
  const dataDir = overrides.dataDir !== undefined
    ? path.resolve(cwd, overrides.dataDir)
    : path.resolve(dataDirFromFile ? fileDir : cwd, file.data_dir);
  const fromFile = (p: string | null) => (p === null ? null : path.resolve(fileDir, p));
  const fromCli = (p: string | null) => (p === null ? null : path.resolve(cwd, p));
  const dataDirSource = overrides.dataDir !== undefined ? (overrides.dataDirSource ?? '--data-dir') : (dataDirFromFile ?? undefined);
  return {
    dataDir,
    ...(dataDirSource !== undefined && { dataDirSource }),
    storage: overrides.storage ?? (file.storage.kind === 'postgres' ? { kind: 'postgres', url: file.storage.url } : { kind: 'sqlite' }),
    imap: mailService(file.imap, overrides.imap),
    pop3: mailService(file.pop3, overrides.pop3),
    managesieve: {
      host: overrides.managesieve?.host ?? file.managesieve.host,
      port: overrides.managesieve?.port ?? file.managesieve.port,
      plaintextAuth: overrides.managesieve?.plaintextAuth ?? file.managesieve.plaintext_auth,
      maxConnections: overrides.managesieve?.maxConnections ?? file.managesieve.max_connections,
      maxConnectionsPerIp: overrides.managesieve?.maxConnectionsPerIp ?? file.managesieve.max_connections_per_ip,
      maxConnectionsPerUserIp: overrides.managesieve?.maxConnectionsPerUserIp ?? file.managesieve.max_connections_per_user_ip,
      maxScripts: overrides.managesieve?.maxScripts ?? file.managesieve.max_scripts,
      maxScriptOctets: overrides.managesieve?.maxScriptOctets !== undefined ? overrides.managesieve.maxScriptOctets : file.managesieve.max_script_size,
    },
    outgoing: { smtp: overrides.outgoing?.smtp !== undefined ? overrides.outgoing.smtp : file.outgoing.smtp },
    lmtp: {
      host: overrides.lmtp?.host ?? file.lmtp.host,
      port: overrides.lmtp?.port ?? file.lmtp.port,
      socket: lmtpSocket(overrides.lmtp?.socket, file.lmtp.socket, { cwd, fileDir, dataDir }),
    },
    tls: {
      cert: overrides.tls?.cert !== undefined ? fromCli(overrides.tls.cert) : fromFile(file.tls.cert),
      key: overrides.tls?.key !== undefined ? fromCli(overrides.tls.key) : fromFile(file.tls.key),
    },
    quota: { storage: file.quota.storage, messages: file.quota.messages },
    log: {
      level: overrides.log?.level ?? file.log.level,
      format: overrides.log?.format ?? file.log.format,
      file: overrides.log?.file !== undefined ? fromCli(overrides.log.file) : fromFile(file.log.file),
    },
    admin: { host: overrides.admin?.host ?? file.admin.host, port: overrides.admin?.port ?? file.admin.port },
    serve: { workers: overrides.serve?.workers ?? (file.serve.workers === 'auto' ? autoWorkers() : file.serve.workers) },
    auth: {
      penaltyDelayMs: Math.round(file.auth.penalty_delay * 1000),
      penaltyMaxDelayMs: Math.round(file.auth.penalty_max_delay * 1000),
      penaltyExpireMs: Math.round(file.auth.penalty_expire * 1000),
    },
  };
}

/** mailService merges a protocol section of the file (imap, pop3) with its overrides. */
function mailService(file: FileConfig['imap'], over: Partial<MailServiceConfig> = {}): MailServiceConfig {
  return {
    host: over.host ?? file.host,
    port: over.port ?? file.port,
    tlsPort: over.tlsPort ?? file.tls_port,
    plaintextAuth: over.plaintextAuth ?? file.plaintext_auth,
    maxConnections: over.maxConnections ?? file.max_connections,
    maxConnectionsPerIp: over.maxConnectionsPerIp ?? file.max_connections_per_ip,
    maxConnectionsPerUserIp: over.maxConnectionsPerUserIp ?? file.max_connections_per_user_ip,
  };
}

/** NO_SOCKET is the value that turns the LMTP socket off, in the config file and on the command line. */
export const NO_SOCKET = 'none';

/**
 * autoWorkers is what serve.workers "auto" means: one worker process per core but one, and at least one
 * (os.availableParallelism()). The core left over is the full-text indexer's thread (SQLite: it takes a
 * core's worth while mail streams in), the primary's and the database's. Measured on 2 cores
 * (bench/RESULTS.md, 2026-12-07, two machines): one worker delivered over LMTP 15 to 30 % faster than two
 * and served imaptest's default mix (a login every few commands) 16 to 50 % faster; two served its
 * long-lived sessions (`logout=0`) 11 to 30 % faster on SQLite, and both mixes slower on PostgreSQL.
 */
export function autoWorkers(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/**
 * lmtpSocket resolves the LMTP socket path: the command line's (relative to `cwd`) wins over the file's
 * (relative to `fileDir`); neither given means <dataDir>/lmtp.sock; "none" means no socket (null).
 */
function lmtpSocket(cli: string | undefined, file: string | null, dirs: { cwd: string; fileDir: string; dataDir: string }): string | null {
  const chosen = cli ?? file;
  if (chosen === null) return path.join(dirs.dataDir, 'lmtp.sock');
  if (chosen === NO_SOCKET) return null;
  return path.resolve(cli !== undefined ? dirs.cwd : dirs.fileDir, chosen);
}

/** parseFile reads a config file and parses it by extension; throws ConfigError naming the file. */
async function parseFile(abs: string): Promise<unknown> {
  const ext = path.extname(abs).toLowerCase();
  if (ext !== '.yaml' && ext !== '.yml' && ext !== '.toml') {
    throw new ConfigError(`config error in ${abs}: the file name must end in .yaml, .yml or .toml`);
  }
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ConfigError(`cannot read config file ${abs}: ${why}`);
  }
  try {
    return ext === '.toml' ? (await import('smol-toml')).parse(text) : (await import('yaml')).parse(text);
  } catch (err) {
    const first = String((err as Error).message).split('\n')[0];
    throw new ConfigError(`config error in ${abs}: ${ext === '.toml' ? 'TOML' : 'YAML'} syntax: ${first}`);
  }
}
