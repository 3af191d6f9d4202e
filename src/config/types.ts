/**
 * Config is the validated server configuration (from the config file, environment and command line,
 * in increasing precedence). Durations are milliseconds, sizes octets, ports TCP ports (0 = listener off).
 */
export interface Config {
  /** Data directory: holds letterbox.db (SQLite), the generated TLS certificate, and later the LMTP socket. */
  dataDir: string;
  /** Storage backend; only "sqlite" exists now (#5 adds postgres). */
  storage: { kind: 'sqlite' };
  imap: {
    /** Address to listen on, e.g. "0.0.0.0", "127.0.0.1", "::". */
    host: string;
    /** Cleartext port with STARTTLS (default 143); 0 = off. */
    port: number;
    /** Implicit TLS port (default 993); 0 = off. */
    tlsPort: number;
    /**
     * When LOGIN/AUTHENTICATE is allowed without TLS on the cleartext port: "loopback" (default: only
     * from 127.0.0.0/8 and ::1, as Dovecot's disable_plaintext_auth does), "always", or "never".
     */
    plaintextAuth: 'loopback' | 'always' | 'never';
    /** Open client connections at most (default MAX_CONNECTIONS, 5000); beyond it new ones get `* BYE [UNAVAILABLE]`. */
    maxConnections: number;
  };
  tls: {
    /** PEM certificate chain path, or null to generate a self-signed one into dataDir at first start. */
    cert: string | null;
    /** PEM private key path, or null (with cert null). */
    key: string | null;
  };
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' };
}
