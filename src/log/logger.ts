/**
 * Structured logging for Letterbox: pino, one JSON object per line. Secrets never reach a log line:
 * the usual places a password could hide are redacted here, once, whatever the caller passes.
 */
import { pino } from 'pino';
import type { Config } from '../config/types.js';

/** Logger is pino's logger; every layer takes one (child loggers carry context such as a session id). */
export type Logger = pino.Logger;

/** LogLevel is one of pino's level names, as in Config.log.level ("silent" logs nothing). */
export type LogLevel = Config['log']['level'];

/** LOG_LEVELS lists every accepted level name, most verbose first. */
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Field names whose values are replaced by "[redacted]" wherever they appear (top level or one level down). */
const SECRET_KEYS = ['password', 'pass', 'passwd', 'secret', 'passwordHash', 'authorization', 'credentials'];

/** LoggerOptions chooses where log lines go: stdout (the default, for the server) or stderr (for admin commands, whose stdout is their output). */
export interface LoggerOptions {
  stream?: 'stdout' | 'stderr';
}

/**
 * createLogger returns a pino logger at `level` writing JSON lines synchronously (so nothing is lost when
 * the process exits right after a log call) to stdout, or stderr when `opts.stream` says so.
 * Lines carry an ISO-8601 `time`; password-like fields are redacted.
 */
export function createLogger(level: LogLevel, opts: LoggerOptions = {}): Logger {
  const dest = pino.destination({ dest: opts.stream === 'stderr' ? 2 : 1, sync: true });
  return pino(
    {
      level,
      name: 'letterbox',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: SECRET_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
    },
    dest,
  );
}
