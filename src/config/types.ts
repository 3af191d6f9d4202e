/**
 * Config is the validated server configuration (from the config file, environment and command line,
 * in increasing precedence). Durations are milliseconds, sizes octets, ports TCP ports (0 = listener off).
 *
 * Imports (src/config): zod and nothing from src/ but src/limits.ts (defaults.ts; eslint.config.js holds it),
 * so every folder may read the configuration and no arrow points back.
 */

/**
 * PlaintextAuthRule is the config value imap.plaintext_auth / pop3.plaintext_auth: "loopback", "always" or
 * "never"; src/auth/plaintext.ts applies it.
 */
export type PlaintextAuthRule = 'loopback' | 'always' | 'never';

/**
 * StorageConfig is the storage backend: "sqlite" (`<dataDir>/letterbox.db`) or "postgres" with a connection
 * URL, postgres://user:password@host:port/database (libpq parameters such as ?sslmode=require allowed).
 */
export type StorageConfig = { kind: 'sqlite' } | { kind: 'postgres'; url: string };

/** MailServiceConfig: the listeners and limits of one client protocol (config sections imap and pop3). */
export interface MailServiceConfig {
  /** Address to listen on, e.g. "0.0.0.0", "127.0.0.1", "::". */
  host: string;
  /** Cleartext port, with STARTTLS (IMAP, default 143) or STLS (POP3, default 110); 0 = off. */
  port: number;
  /** Implicit TLS port (IMAP default 993, POP3 default 995); 0 = off. */
  tlsPort: number;
  /**
   * When a password may be sent without TLS on the cleartext port (auth/plaintext.ts): "loopback"
   * (default: only from 127.0.0.0/8 and ::1, as Dovecot's disable_plaintext_auth does), "always", or "never".
   */
  plaintextAuth: PlaintextAuthRule;
  /** Open client connections at most (default MAX_CONNECTIONS, 5000); beyond them new ones are refused (IMAP `* BYE [UNAVAILABLE]`, POP3 `-ERR [SYS/TEMP]`). */
  maxConnections: number;
  /** Open connections from one IP address at most (default MAX_CONNECTIONS_PER_IP, 1000). */
  maxConnectionsPerIp: number;
  /** Logged-in sessions of one user from one IP address at most (default MAX_CONNECTIONS_PER_USER_IP, 10; Dovecot's mail_max_userip_connections). */
  maxConnectionsPerUserIp: number;
}

/**
 * ManageSieveConfig: the ManageSieve listener (RFC 5804) where users upload their Sieve scripts, and the
 * per-user script limits (config section managesieve).
 */
export interface ManageSieveConfig {
  /** Address to listen on (default "0.0.0.0", as imap's). */
  host: string;
  /** TCP port with STARTTLS (default 4190, RFC 5804 section 1.8); 0 = off. */
  port: number;
  /** When a password may be sent before STARTTLS (auth/plaintext.ts), as imap.plaintext_auth: default "loopback". */
  plaintextAuth: PlaintextAuthRule;
  /** Open connections at most (default MAX_CONNECTIONS). */
  maxConnections: number;
  /** Open connections from one IP address at most (default MAX_CONNECTIONS_PER_IP). */
  maxConnectionsPerIp: number;
  /** Logged-in sessions of one user from one IP address at most (default MAX_CONNECTIONS_PER_USER_IP). */
  maxConnectionsPerUserIp: number;
  /** Scripts one user may keep (default 20); PUTSCRIPT of one more answers NO (QUOTA/MAXSCRIPTS). */
  maxScripts: number;
  /** Largest script in octets, or null for the interpreter's limit (DEFAULT_SIEVE_LIMITS.maxScriptOctets, 64 KiB); larger answers NO (QUOTA/MAXSIZE). */
  maxScriptOctets: number | null;
}

export interface Config {
  /** Data directory: holds letterbox.db (SQLite), the generated TLS certificate, and the LMTP socket. */
  dataDir: string;
  /**
   * Where dataDir was given ("data_dir in FILE", "--data-dir", "LETTERBOX_DATA_DIR"), for messages; absent when
   * it is the default ./data, the one directory serve creates when it is missing.
   */
  dataDirSource?: string;
  /** Storage backend: embedded SQLite in dataDir, or a PostgreSQL database shared by several nodes. */
  storage: StorageConfig;
  imap: MailServiceConfig;
  /**
   * POP3 (RFC 1939) on the same mailboxes: the same keys as imap, ports 110 (STLS, RFC 2595) and 995
   * (implicit TLS, RFC 8314) by default. Each protocol has its own plaintext rule and connection limits.
   */
  pop3: MailServiceConfig;
  /** ManageSieve (RFC 5804): users' Sieve scripts, on port 4190 with STARTTLS. */
  managesieve: ManageSieveConfig;
  /**
   * Outgoing mail, for Sieve's redirect and vacation: `smtp` is the relay's URL (smtp://host:port, or
   * smtps:// for implicit TLS), or null (the default) when the server may not send mail; then scripts using
   * redirect or vacation are refused at upload and ManageSieve does not offer vacation.
   */
  outgoing: { smtp: string | null };
  lmtp: {
    /** Address of the LMTP TCP listener (default "127.0.0.1": LMTP has no authentication, keep it off the network). */
    host: string;
    /** LMTP TCP port (default 24); 0 = off. */
    port: number;
    /** Absolute path of the LMTP unix socket (default <dataDir>/lmtp.sock), or null = off. */
    socket: string | null;
  };
  tls: {
    /** PEM certificate chain path, or null to generate a self-signed one into dataDir at first start. */
    cert: string | null;
    /** PEM private key path, or null (with cert null). */
    key: string | null;
  };
  /**
   * Default quota of accounts without their own (RFC 9208; `letterbox user quota` sets one): storage in
   * octets (config file: a size such as "10G") and a message count; null means no limit (the default).
   */
  quota: { storage: number | null; messages: number | null };
  log: {
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
    /** "json": one JSON object per line (for machines: journald, Loki); "text": one readable line per event. */
    format: 'json' | 'text';
    /** Absolute path of the log file (reopened on SIGUSR1, for logrotate), or null for standard output. */
    file: string | null;
  };
  /** The admin HTTP listener: GET /health and GET /metrics (Prometheus). port 0 = off (the default). */
  admin: { host: string; port: number };
  serve: {
    /**
     * Worker processes of `letterbox serve` (config serve.workers, --workers; default "auto": one per core
     * but one, at least one: load.ts autoWorkers). With more than one, a primary process forks them (node:cluster), they share
     * the listening sockets and the store, and each counts its own connection limits (server/cluster.ts).
     */
    workers: number;
  };
  /**
   * Failed-login penalty (src/auth/penalty.ts): milliseconds. The n-th failure from an address within
   * penaltyExpireMs of the last delays that address's answers by penaltyDelayMs x 2^(n-1), at most
   * penaltyMaxDelayMs. penaltyDelayMs 0 turns the penalty off.
   */
  auth: { penaltyDelayMs: number; penaltyMaxDelayMs: number; penaltyExpireMs: number };
}
