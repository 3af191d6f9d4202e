/**
 * Letterbox as a library: `import { startServer } from 'letterbox'` starts a real mail server in this
 * process (IMAP with STARTTLS and over TLS, POP3, LMTP) for a test suite: the node `letterbox serve` runs
 * (server/node.ts), on ports the OS picks, with a temporary data directory and an in-memory certificate,
 * so any number of servers start in parallel in one process, each in a few tens of milliseconds.
 *
 * The rule of this file: it is the package's public surface; it imports server/, store/open, tls/, log/,
 * auth/, delivery/ and config types, and exports only the types below (no internal type in a signature).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { normalizeEmail } from './auth/email.js';
import { hashPassword } from './auth/password.js';
import { isPostgresUrl } from './config/defaults.js';
import { loadConfig } from './config/load.js';
import { stripEnvelopeLine } from './import/eml.js';
import { addTraceFields, deliverLocal, resolveRecipient } from './delivery/recipient.js';
import { createLogger } from './log/logger.js';
import { toCrlf } from './mime/crlf.js';
import { MAX_MESSAGE_OCTETS } from './limits.js';
import { startNode, type TcpListenerName } from './server/node.js';
import { openStore } from './store/open.js';
import { StoreError } from './store/types.js';
import { inMemoryTlsMaterial } from './tls/material.js';

/** Listener is where a listener of a started server accepts connections. */
export interface Listener {
  host: string;
  port: number;
}

/** LogLevel names how much is logged (on stderr), most verbose first; "silent" logs nothing. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** A listener's port: a number, 0 for one the OS picks (the default), or false to turn the listener off. */
export type PortOption = number | false;

/** ServerOptions configures startServer; every key is optional. */
export interface ServerOptions {
  /** Data directory (created when missing, kept by close()); default: a new temporary directory, removed by close(). */
  dataDir?: string;
  /** "sqlite" (default: a file in the data directory) or a postgres://user:password@host:port/db URL (kept by close()). */
  storage?: string;
  /** Address every listener binds to; default "127.0.0.1". */
  host?: string;
  /** Ports; each defaults to 0, a port the OS picks (read it from the server's `imap`, `imaps`, ...). */
  ports?: { imap?: PortOption; imaps?: PortOption; pop3?: PortOption; pop3s?: PortOption; managesieve?: PortOption; lmtp?: PortOption };
  /** PEM key and certificate (chain) for TLS; default: a self-signed ECDSA certificate for localhost made in memory (server.certificate). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Log level (default "error"): one JSON line per event on stderr, as `letterbox serve` writes them. */
  logLevel?: LogLevel;
  /**
   * Seconds a failed login delays the next answers to that address (the failed-login penalty, doubling up
   * to 15 s); default 0, off, so tests of a wrong password stay fast. `letterbox serve` defaults to 2.
   */
  loginPenalty?: number;
}

/** DeliverOptions: `from` adds `Return-Path: <from>` as an MTA's envelope sender would; `mailbox` picks the mailbox (INBOX when it does not exist). */
export interface DeliverOptions {
  from?: string;
  mailbox?: string;
}

/** LetterboxServer is a started server. */
export interface LetterboxServer {
  /** IMAP on its cleartext port with STARTTLS (RFC 9051), or null when off. LOGIN works without TLS from loopback addresses. */
  readonly imap: Listener | null;
  /** IMAP over TLS (RFC 8314), or null when off. */
  readonly imaps: Listener | null;
  /** POP3 with STLS (RFC 1939, RFC 2595), or null when off. */
  readonly pop3: Listener | null;
  /** POP3 over TLS, or null when off. */
  readonly pop3s: Listener | null;
  /** ManageSieve with STARTTLS (RFC 5804), where users keep their Sieve scripts, or null when off. */
  readonly managesieve: Listener | null;
  /** LMTP (RFC 2033) for an MTA, or null when off. */
  readonly lmtp: Listener | null;
  /** The PEM certificate the TLS listeners present: give it to clients as their trusted CA (its names are localhost, 127.0.0.1 and ::1). */
  readonly certificate: string;
  /** The data directory. */
  readonly dataDir: string;
  /** Creates a user (log-in name: the address) with INBOX, Sent, Drafts, Trash, Junk and Archive. Rejects for an invalid address or a user that exists. */
  createUser(email: string, password: string): Promise<void>;
  /**
   * Delivers one message (bytes or text; bare LF becomes CRLF, a leading mbox "From " line is dropped) to
   * `recipient`'s INBOX, or the mailbox that "user+mailbox@domain" or `opts.mailbox` names, as LMTP does:
   * sessions in IDLE see the new message at once. Resolves with the mailbox and the message's UID. Rejects
   * for an unknown user, an empty message or one over 64 MiB, or a full quota.
   */
  deliver(recipient: string, message: string | Uint8Array, opts?: DeliverOptions): Promise<{ mailbox: string; uid: number }>;
  /** Ends every session (`* BYE`), closes the listeners and the store, and removes a temporary data directory. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * startServer starts a Letterbox server in this process and resolves once every listener accepts
 * connections. Rejects when a port is taken (EADDRINUSE), the data directory cannot be created, or the
 * store cannot be opened; nothing is left running then.
 */
export async function startServer(opts: ServerOptions = {}): Promise<LetterboxServer> {
  const temporary = opts.dataDir === undefined ? await mkdtemp(path.join(os.tmpdir(), 'letterbox-')) : null;
  const cleanup = async () => {
    if (temporary) await rm(temporary, { recursive: true, force: true });
  };
  try {
    return await start(opts, temporary);
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function start(opts: ServerOptions, temporary: string | null): Promise<LetterboxServer> {
  const host = opts.host ?? '127.0.0.1';
  const ports = opts.ports ?? {};
  const ephemeral: TcpListenerName[] = [];
  // In the config a port of 0 turns a listener off; here 0 asks for one the OS picks.
  const port = (name: TcpListenerName): number => {
    const p = ports[name] ?? 0;
    if (p === false) return 0;
    if (p === 0) ephemeral.push(name);
    return p === 0 ? 1 : p;
  };
  if (opts.storage !== undefined && opts.storage !== 'sqlite' && !isPostgresUrl(opts.storage)) {
    throw new Error(`storage: expected "sqlite" or a postgres:// URL, got ${JSON.stringify(opts.storage)}`);
  }
  const config = await loadConfig({
    overrides: {
      dataDir: temporary ?? opts.dataDir,
      storage: opts.storage === undefined || opts.storage === 'sqlite' ? { kind: 'sqlite' } : { kind: 'postgres', url: opts.storage },
      imap: { host, port: port('imap'), tlsPort: port('imaps') },
      pop3: { host, port: port('pop3'), tlsPort: port('pop3s') },
      managesieve: { host, port: port('managesieve') },
      lmtp: { host, port: port('lmtp'), socket: 'none' },
      log: { level: opts.logLevel ?? 'error' },
    },
  });
  const penaltySeconds = opts.loginPenalty ?? 0;
  config.auth = { ...config.auth, penaltyDelayMs: penaltySeconds * 1000, penaltyMaxDelayMs: Math.max(penaltySeconds * 1000, config.auth.penaltyMaxDelayMs) };
  const log = createLogger(config.log.level, { stream: 'stderr' });
  const tls = opts.tls ? { key: Buffer.from(opts.tls.key), cert: Buffer.from(opts.tls.cert) } : await inMemoryTlsMaterial();
  const store = await openStore(config, log);
  let node;
  try {
    node = await startNode({ config, store, log, tls, ephemeral });
  } catch (err) {
    await store.close();
    throw err;
  }
  const running = node;
  const address = (name: TcpListenerName): Listener | null => {
    const a = running.addresses.find((x) => x.name === name && 'port' in x);
    return a && 'port' in a ? { host: a.host, port: a.port } : null;
  };
  let closing: Promise<void> | null = null;
  return {
    imap: address('imap'),
    imaps: address('imaps'),
    pop3: address('pop3'),
    pop3s: address('pop3s'),
    managesieve: address('managesieve'),
    lmtp: address('lmtp'),
    certificate: tls.cert.toString(),
    dataDir: config.dataDir,
    async createUser(email, password) {
      await store.createAccount(normalizeEmail(email), await hashPassword(password));
    },
    async deliver(recipient, message, deliverOpts = {}) {
      const bytes = toCrlf(stripEnvelopeLine(typeof message === 'string' ? Buffer.from(message, 'utf8') : Buffer.from(message)).message);
      if (bytes.length === 0) throw new RangeError('deliver: the message is empty');
      if (bytes.length > MAX_MESSAGE_OCTETS) throw new RangeError(`deliver: the message is larger than ${MAX_MESSAGE_OCTETS} octets`);
      const found = await resolveRecipient(store, recipient);
      if (!found) throw new StoreError('NONEXISTENT', `no such user: ${recipient}`);
      if (deliverOpts.mailbox !== undefined) found.detail = deliverOpts.mailbox;
      return deliverLocal(store, found, addTraceFields(bytes, deliverOpts.from !== undefined ? { returnPath: deliverOpts.from } : {}));
    },
    close() {
      closing ??= (async () => {
        try {
          await running.close();
        } finally {
          await store.close();
          if (temporary) await rm(temporary, { recursive: true, force: true });
        }
      })();
      return closing;
    },
  };
}
