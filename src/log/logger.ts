/**
 * Structured logging for Letterbox: pino, one event per line, as JSON (the default, for journald and log
 * collectors) or as text a person reads (pino-pretty), to standard output/error or to a file that SIGUSR1
 * reopens (after logrotate moved it). Secrets never reach a log line: the usual places a password could
 * hide are redacted here, once, whatever the caller passes.
 *
 * pino and pino-pretty are loaded when the first logger is made, not when this module is imported, so a
 * command that never logs (`letterbox --version`) does not pay for them.
 */
import { openSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { pino as Pino } from 'pino';
import { LOG_LEVELS } from '../config/defaults.js';
import type { Config } from '../config/types.js';

const require = createRequire(import.meta.url);

/** Logger is pino's logger; every layer takes one (child loggers carry context such as a session id). */
export type Logger = Pino.Logger;

/** LogLevel is one of pino's level names, as in Config.log.level ("silent" logs nothing). */
export type LogLevel = Config['log']['level'];

export { LOG_LEVELS };

/** Field names whose values are replaced by "[redacted]" wherever they appear (top level or one level down). */
const SECRET_KEYS = ['password', 'pass', 'passwd', 'secret', 'passwordHash', 'authorization', 'credentials'];

/** LoggerOptions: where lines go (stdout, the default for the server; stderr for admin commands, whose stdout is their output; or a file) and their format. */
export interface LoggerOptions {
  stream?: 'stdout' | 'stderr';
  /** Absolute path of a file to append to instead of `stream`. */
  file?: string | null;
  format?: 'json' | 'text';
}

/** LogHandle is a logger and the means to reopen its file (SIGUSR1) and to flush it before exit. */
export interface LogHandle {
  log: Logger;
  /** Reopens the log file at its path (a no-op for stdout/stderr). */
  reopen(): void;
}

/** LogFileError is a log file that cannot be opened; the message names it. */
export class LogFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogFileError';
  }
}

/**
 * openLogger returns a pino logger at `level` writing synchronously (so nothing is lost when the process
 * exits right after a log call), as JSON lines with an ISO-8601 `time`, or as text lines; password-like
 * fields are redacted. Throws LogFileError when `opts.file` cannot be opened for appending.
 */
export function openLogger(level: LogLevel, opts: LoggerOptions = {}): LogHandle {
  const { pino } = require('pino') as typeof import('pino');
  if (opts.file) checkWritable(opts.file);
  const dest = pino.destination({ dest: opts.file ?? (opts.stream === 'stderr' ? 2 : 1), sync: true, append: true });
  let stream: Pino.DestinationStream = dest;
  if (opts.format === 'text') {
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    stream = pretty.build({
      destination: dest,
      sync: true,
      colorize: !opts.file && Boolean(opts.stream === 'stderr' ? process.stderr.isTTY : process.stdout.isTTY),
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l o',
      ignore: 'pid,hostname,name',
      singleLine: true,
    });
  }
  const log = pino(
    {
      level,
      name: 'letterbox',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: SECRET_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
    },
    stream,
  );
  return {
    log,
    reopen() {
      if (opts.file) dest.reopen();
    },
  };
}

/** createLogger is openLogger's logger alone (for loggers that never reopen: admin commands, tests). */
export function createLogger(level: LogLevel, opts: LoggerOptions = {}): Logger {
  return openLogger(level, opts).log;
}

function checkWritable(file: string): void {
  try {
    closeSync(openSync(file, 'a', 0o640));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its directory does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new LogFileError(`cannot open the log file ${file} (log.file): ${why}`);
  }
}
