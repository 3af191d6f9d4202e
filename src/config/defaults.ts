/**
 * The defaults of every config key, in the config file's shape (snake_case), in one place: schema.ts
 * validates a file against them, and load.ts uses them as they are when there is no file, without loading
 * the validator (zod and the YAML/TOML parsers cost `letterbox deliver` tens of milliseconds per message).
 * Imports nothing but limits.ts, so any command may load it.
 */
import { MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP, MAX_CONNECTIONS_PER_USER_IP } from '../limits.js';

/** LOG_LEVELS lists every accepted log level name, most verbose first ("silent" logs nothing). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** LOG_FORMATS: "json" (one JSON object per line, pino) or "text" (one line a person reads, pino-pretty). */
export const LOG_FORMATS = ['json', 'text'] as const;

/** MAX_WORKERS is the most worker processes serve.workers may ask for. */
export const MAX_WORKERS = 256;

/** isPostgresUrl tells whether `s` is a postgres:// or postgresql:// URL. */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\/./.test(s);
}

/** isSmtpUrl tells whether `s` is an smtp:// or smtps:// URL (outgoing.smtp). */
export function isSmtpUrl(s: string): boolean {
  return /^smtps?:\/\/[^/\s]/.test(s);
}

/** mailService is the defaults of a client protocol's section (imap, pop3) with its standard ports. */
function mailService(port: number, tlsPort: number) {
  return {
    host: '0.0.0.0',
    port,
    tls_port: tlsPort,
    plaintext_auth: 'loopback' as 'loopback' | 'always' | 'never',
    max_connections: MAX_CONNECTIONS,
    max_connections_per_ip: MAX_CONNECTIONS_PER_IP,
    max_connections_per_user_ip: MAX_CONNECTIONS_PER_USER_IP,
  };
}

/**
 * DEFAULTS is the config every key falls back to. Durations under auth are seconds; ports 0 turn a
 * listener off; null means "not set" (lmtp.socket: <data_dir>/lmtp.sock; tls: a self-signed certificate;
 * quota: no limit; log.file: standard output).
 */
export const DEFAULTS = {
  data_dir: './data',
  storage: { kind: 'sqlite' } as { kind: 'sqlite' } | { kind: 'postgres'; url: string },
  imap: mailService(143, 993),
  // POP3 (RFC 1939): the same keys as imap, its standard ports (110 with STLS, 995 with TLS).
  pop3: mailService(110, 995),
  // ManageSieve (RFC 5804 section 1.8: port 4190, STARTTLS). max_script_size null: the Sieve interpreter's limit.
  managesieve: {
    host: '0.0.0.0',
    port: 4190,
    plaintext_auth: 'loopback' as 'loopback' | 'always' | 'never',
    max_connections: MAX_CONNECTIONS,
    max_connections_per_ip: MAX_CONNECTIONS_PER_IP,
    max_connections_per_user_ip: MAX_CONNECTIONS_PER_USER_IP,
    max_scripts: 20,
    max_script_size: null as number | null,
  },
  // The relay for Sieve's redirect and vacation; null: no outgoing mail.
  outgoing: { smtp: null as string | null },
  lmtp: { host: '127.0.0.1', port: 24, socket: null as string | null },
  tls: { cert: null as string | null, key: null as string | null },
  quota: { storage: null as number | null, messages: null as number | null },
  log: { level: 'info' as (typeof LOG_LEVELS)[number], format: 'json' as (typeof LOG_FORMATS)[number], file: null as string | null },
  admin: { host: '127.0.0.1', port: 0 },
  // "auto": one worker process per core but one, at least one (load.ts autoWorkers).
  serve: { workers: 'auto' as number | 'auto' },
  // Dovecot's auth_failure_delay is 2 s and its penalty stops doubling at 15 s.
  auth: { penalty_delay: 2, penalty_max_delay: 15, penalty_expire: 15 * 60 },
};
