/**
 * Pop3Connection is one POP3 client connection: it frames the byte stream into lines (PIPELINING, RFC
 * 2449 section 6.6: commands sent ahead are queued and answered strictly in order), runs them one at a time
 * through the dispatcher, keeps the autologout and slowloris timers, and implements the Pop3Session that
 * command handlers see.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import { plaintextAuthAllowed } from '../auth/plaintext.js';
import { randomBytes } from 'node:crypto';
import type { LoginPenalty } from '../auth/penalty.js';
import type { Metrics } from '../metrics/metrics.js';
import { liveSession, type LiveSession, type SessionRegistry } from '../sessions/registry.js';
import { INBOX } from '../store/mailbox-names.js';
import type { Config } from '../config/types.js';
import type { Admission } from '../net/admission.js';
import { MAX_QUEUED_COMMANDS } from '../limits.js';
import type { Account, Store } from '../store/types.js';
import { startServerTls } from '../tls/upgrade.js';
import { CommandQueue, LineDeadline } from '../net/command-queue.js';
import type { DispatchedPop3Session, Transaction } from './command.js';
import { dispatch } from './dispatch.js';
import { refuse } from './errors.js';
import { LineReader, type LineEvent } from './line-reader.js';
import { Maildrop } from './maildrop.js';
import { Pop3Writer } from './writer.js';

/** Pop3SessionLimits are the per-session limits (defaults in src/limits.ts; tests lower them); milliseconds. */
export interface Pop3SessionLimits {
  /** Inactivity before login (UNAUTHENTICATED_TIMEOUT_MS). */
  unauthenticatedTimeoutMs: number;
  /** Inactivity after login (POP3_AUTHENTICATED_TIMEOUT_MS: RFC 1939's 10 minutes). */
  authenticatedTimeoutMs: number;
  /** A line that has begun must end within this (COMMAND_COMPLETION_TIMEOUT_MS). */
  commandCompletionTimeoutMs: number;
  /** Replies not read by the client for this long end the session (OUTPUT_STALL_TIMEOUT_MS). */
  outputStallTimeoutMs: number;
}

/** Pop3ConnectionOptions: what the server gives each connection. */
export interface Pop3ConnectionOptions {
  store: Store;
  config: Config;
  log: Logger;
  /** The current secure context for STLS (it changes when the certificate is reloaded). */
  secureContext: () => tls.SecureContext;
  /** True for connections accepted on the implicit-TLS port (995). */
  implicitTls: boolean;
  limits: Pop3SessionLimits;
  /** Counts logins per user and IP (pop3.max_connections_per_user_ip). */
  admission: Admission;
  /** The failed-login penalty, shared with IMAP. */
  penalty: LoginPenalty;
  /** Where logins are counted. */
  metrics: Metrics;
  /** The node's logged-in sessions, shared with IMAP (which `letterbox user delete` ends). */
  sessions: SessionRegistry;
  /** Called once when the connection has closed. */
  onClose: () => void;
}

/** Pop3Connection implements the Pop3Session (and what the dispatcher needs of it, DispatchedPop3Session) over one socket. */
export class Pop3Connection implements DispatchedPop3Session {
  user: string | null = null;
  transaction: Transaction | null = null;
  readonly out: Pop3Writer;
  log: Logger;
  readonly store: Store;
  readonly config: Config;
  readonly remoteAddress: string;
  /** Bad commands in a row (the dispatcher counts them; MAX_BAD_COMMANDS ends the session). */
  badInRow = 0;

  private socket: net.Socket;
  private reader = new LineReader();
  /** Lines from the client, or lines that were too long (answered -ERR in their turn); reading pauses while too many wait. */
  private readonly queue: CommandQueue<LineEvent>;
  private after: Array<() => Promise<void> | void> = [];
  private closed = false;
  private tlsActive: boolean;
  private timer: NodeJS.Timeout | null = null;
  /** Runs while a line is incomplete (slowloris). */
  private readonly lineDeadline: LineDeadline;
  /** True while dispatch runs a command. */
  private running = false;
  /** True while the running command waits for a client line (a SASL response). */
  private awaitingLine = false;
  /** Set by shutdown(): the reason to send once the running command has finished. */
  private stopping: string | null = null;
  private loginCounted = false;
  private readonly doneWaiters: Array<() => void> = [];
  /** This session's id in every log line (`session`). */
  readonly sessionId = randomBytes(6).toString('base64url');
  /** This session in the registry while logged in. */
  private registered: LiveSession | null = null;
  /** When the client connected (ms since epoch), for `letterbox who`. */
  readonly connectedAt = Date.now();

  constructor(
    socket: net.Socket,
    private readonly opts: Pop3ConnectionOptions,
  ) {
    this.socket = socket;
    this.store = opts.store;
    this.config = opts.config;
    this.tlsActive = opts.implicitTls;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.log = opts.log.child({ protocol: 'pop3', session: this.sessionId, remote: this.remoteAddress, port: socket.localPort });
    this.log.info({ local: `${socket.localAddress}:${socket.localPort}`, tls: opts.implicitTls }, 'connect');
    this.queue = new CommandQueue<LineEvent>(MAX_QUEUED_COMMANDS, { pause: () => this.socket.pause(), resume: () => this.socket.resume() });
    this.lineDeadline = new LineDeadline(opts.limits.commandCompletionTimeoutMs, () => {
      this.log.info('closing a connection whose command line did not complete in time');
      this.sayGoodbye('Command not completed in time.');
    });
    this.out = new Pop3Writer(socket, {
      timeoutMs: opts.limits.outputStallTimeoutMs,
      onStall: () => {
        this.log.info('closing a connection whose client does not read its replies');
        this.destroy();
      },
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'socket error'));
    socket.on('close', () => {
      this.close();
      this.log.info('disconnect');
      this.opts.onClose();
      for (const w of this.doneWaiters.splice(0)) w();
    });
  }

  get secure(): boolean {
    return this.tlsActive;
  }

  get canStartTls(): boolean {
    return !this.tlsActive;
  }

  get plaintextAuthAllowed(): boolean {
    return plaintextAuthAllowed(this.config.pop3.plaintextAuth, this.tlsActive, this.remoteAddress);
  }

  get penalty(): LoginPenalty {
    return this.opts.penalty;
  }

  get metrics(): Metrics {
    return this.opts.metrics;
  }

  /** Octets written to the socket that it has not yet passed to the kernel. */
  get bufferedOutput(): number {
    return this.socket.writableLength;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends the greeting (RFC 1939 section 4) and starts the command loop. */
  start(): void {
    this.out.ok('Letterbox ready.');
    this.resetTimer();
    void this.loop();
  }

  /**
   * shutdown ends the session for a server shutdown: at once when no command runs, else after the running
   * command's reply; the client is told `-ERR [SYS/TEMP] reason`. Nothing is deleted (no UPDATE state).
   * Resolves when the socket has closed.
   */
  shutdown(reason: string): Promise<void> {
    const done = new Promise<void>((resolve) => (this.socket.destroyed ? resolve() : this.doneWaiters.push(resolve)));
    if (!this.running || this.awaitingLine) this.sayGoodbye(reason);
    else this.stopping = reason;
    return done;
  }

  /** destroy drops the connection without flushing (a client that does not read, or a shutdown that waited long enough). */
  destroy(): void {
    this.close();
    this.socket.destroy();
  }

  /** Closes the connection after flushing what was written. A session that ends here without QUIT deletes nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.lineDeadline.stop();
    if (this.loginCounted && this.transaction) this.opts.admission.releaseLogin(this.transaction.account.id, this.remoteAddress);
    if (this.registered) this.opts.sessions.remove(this.registered);
    this.loginCounted = false;
    this.out.close();
    this.socket.end();
    // A peer that never reads must not keep the socket (and its buffers) forever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
    this.queue.wake();
  }

  async readLine(): Promise<string | null> {
    for (;;) {
      const item = this.queue.shift();
      if (item) {
        if (item.kind === 'line') return item.text;
        continue; // an over-long SASL response: drop it, the next line is the answer
      }
      if (this.closed) return null;
      this.awaitingLine = true;
      await this.queue.wait();
      this.awaitingLine = false;
    }
  }

  afterReply(fn: () => Promise<void> | void): void {
    this.after.push(fn);
  }

  /** Runs the callbacks registered with afterReply, in order. */
  async runAfterReply(): Promise<void> {
    const fns = this.after;
    this.after = [];
    for (const fn of fns) await fn();
  }

  async login(account: Account): Promise<void> {
    if (!this.opts.admission.acceptLogin(account.id, this.remoteAddress)) {
      this.log.warn({ user: account.email }, 'login refused: too many sessions of this user from this address');
      throw refuse('Too many sessions of this user from this address.', 'IN-USE');
    }
    let maildrop: Maildrop;
    try {
      maildrop = await Maildrop.load(this.store, account.id);
    } catch (err) {
      this.opts.admission.releaseLogin(account.id, this.remoteAddress);
      throw err;
    }
    if (this.closed) {
      this.opts.admission.releaseLogin(account.id, this.remoteAddress);
      return;
    }
    this.loginCounted = true;
    this.transaction = { account, maildrop };
    this.log = this.log.child({ user: account.email });
    // The maildrop is the account's INBOX (RFC 1939 section 3).
    this.registered = liveSession('pop3', this, account, () => INBOX);
    this.opts.sessions.add(this.registered);
    this.resetTimer();
  }

  /**
   * Upgrades the cleartext socket to TLS (STLS, RFC 2595 section 4). Anything the client pipelined after
   * STLS is discarded, so no cleartext command can be injected into the TLS session.
   */
  async upgradeToTls(): Promise<void> {
    this.socket.removeAllListeners('data');
    this.queue.clear();
    this.reader = new LineReader();
    const secure = await startServerTls(this.socket, this.opts.secureContext(), (err) => this.log.info({ err: err.message }, 'STLS handshake failed'));
    if (!secure) {
      this.close();
      return;
    }
    this.tlsActive = true;
    this.socket = secure;
    this.out.setSocket(secure);
    secure.on('data', (chunk: Buffer) => this.onData(chunk));
    secure.on('error', (err) => this.log.debug({ err: err.message }, 'TLS socket error'));
    secure.on('close', () => this.close());
  }

  /**
   * Tells the client why the session ends (one -ERR line, RFC 3206 SYS/TEMP) and closes. While a command
   * is writing its reply (a RETR in progress) the line waits until the reply is complete, so it never
   * lands inside message data.
   */
  private sayGoodbye(reason: string): void {
    if (this.closed) return;
    if (this.running && !this.awaitingLine) {
      this.stopping ??= reason;
      return;
    }
    this.out.err(`[SYS/TEMP] ${reason}`);
    this.close();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    const lines = this.reader.push(chunk);
    this.lineDeadline.watch(this.reader.midLine);
    this.queue.push(lines);
  }

  /** Autologout (RFC 1939 section 3): the unauthenticated limit before login, 10 minutes after. */
  private resetTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.closed) return;
    const ms = this.transaction ? this.opts.limits.authenticatedTimeoutMs : this.opts.limits.unauthenticatedTimeoutMs;
    this.timer = setTimeout(() => {
      // A session sending a long RETR to a slow reader is not idle (a reader that stops is cut by the
      // output stall timeout instead).
      if (this.running && !this.awaitingLine) return this.resetTimer();
      this.log.info('closing idle connection');
      this.sayGoodbye('Autologout; idle for too long.');
    }, ms);
    this.timer.unref();
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      const item = this.queue.shift();
      if (!item) {
        await this.queue.wait();
        continue;
      }
      // Backpressure: while the client does not read what was already written, produce nothing more;
      // the queue then fills and reading pauses (MAX_QUEUED_COMMANDS).
      await this.out.drain();
      if (this.closed) break;
      this.resetTimer();
      this.running = true;
      try {
        await dispatch(this, item);
      } catch (err) {
        this.log.error({ err }, 'unexpected error in command loop');
        this.sayGoodbye('Internal error.');
      }
      this.running = false;
      if (this.stopping !== null) this.sayGoodbye(this.stopping);
      this.resetTimer();
    }
  }
}
