/**
 * ManageSieveConnection is one ManageSieve client connection (RFC 5804): it frames the byte stream into
 * commands (reader.ts), runs them one at a time through the dispatcher (commands sent ahead are queued and
 * answered in order), keeps the idle and slowloris timers, and implements the session command handlers see.
 */
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import type { LoginPenalty } from '../auth/penalty.js';
import { plaintextAuthAllowed } from '../auth/plaintext.js';
import type { ManageSieveConfig } from '../config/types.js';
import { MAX_QUEUED_COMMANDS } from '../limits.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Admission } from '../net/admission.js';
import { waitForDrain, type StallPolicy } from '../net/backpressure.js';
import { CommandQueue, LineDeadline } from '../net/command-queue.js';
import { liveSession, type LiveSession, type SessionRegistry } from '../sessions/registry.js';
import type { Account, SieveScriptLimits, Store } from '../store/types.js';
import { startServerTls } from '../tls/upgrade.js';
import { capabilityLines } from './capabilities.js';
import { dispatch, type DispatchedSession } from './dispatch.js';
import { refuse } from './errors.js';
import { CommandReader, type ReaderEvent, type Token } from './reader.js';
import { encodeResponse } from './wire.js';

/** ManageSieveSessionLimits are the per-session limits (defaults in src/limits.ts; tests lower them); milliseconds. */
export interface ManageSieveSessionLimits {
  /** Inactivity before login (UNAUTHENTICATED_TIMEOUT_MS). */
  unauthenticatedTimeoutMs: number;
  /** Inactivity after login (AUTHENTICATED_TIMEOUT_MS, as IMAP's). */
  authenticatedTimeoutMs: number;
  /** A command (line or literal) that has begun must end within this (COMMAND_COMPLETION_TIMEOUT_MS). */
  commandCompletionTimeoutMs: number;
  /** Replies not read by the client for this long end the session (OUTPUT_STALL_TIMEOUT_MS). */
  outputStallTimeoutMs: number;
}

/** ManageSieveConnectionOptions: what the server gives each connection. */
export interface ManageSieveConnectionOptions {
  store: Store;
  config: ManageSieveConfig;
  /** Whether outgoing mail is possible (config outgoing.smtp set). */
  outgoing: boolean;
  scriptLimits: SieveScriptLimits;
  log: Logger;
  /** The current secure context for STARTTLS (it changes when the certificate is reloaded). */
  secureContext: () => tls.SecureContext;
  limits: ManageSieveSessionLimits;
  /** Counts logins per user and IP (managesieve.max_connections_per_user_ip). */
  admission: Admission;
  /** The failed-login penalty, shared with IMAP and POP3. */
  penalty: LoginPenalty;
  metrics: Metrics;
  /** The node's logged-in sessions (`letterbox who`, `kick`, `user delete` reach ManageSieve sessions through it). */
  sessions: SessionRegistry;
  /** Called once when the connection has closed. */
  onClose: () => void;
}

/** Writer writes replies to a socket that can be swapped (STARTTLS); writes after close are dropped. */
class Writer {
  private closed = false;

  constructor(
    private socket: Duplex,
    private readonly stall: StallPolicy,
  ) {}

  setSocket(socket: Duplex): void {
    this.socket = socket;
  }

  close(): void {
    this.closed = true;
  }

  write(data: string): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(data);
  }

  async drain(): Promise<void> {
    if (this.closed) return;
    await waitForDrain(this.socket, this.stall);
  }
}

/** ManageSieveConnection implements the session over one socket; see the module comment. */
export class ManageSieveConnection implements DispatchedSession {
  account: Account | null = null;
  log: Logger;
  readonly store: Store;
  readonly config: ManageSieveConfig;
  readonly outgoing: boolean;
  readonly scriptLimits: SieveScriptLimits;
  readonly remoteAddress: string;
  badInRow = 0;
  /** This session's id in every log line (`session`). */
  readonly sessionId = randomBytes(6).toString('base64url');
  /** When the client connected (ms since epoch), for `letterbox who`. */
  readonly connectedAt = Date.now();

  private socket: net.Socket;
  private reader: CommandReader;
  private readonly queue: CommandQueue<ReaderEvent>;
  private readonly out: Writer;
  private after: Array<() => Promise<void> | void> = [];
  private closed = false;
  private tlsActive = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly lineDeadline: LineDeadline;
  private running = false;
  private awaitingLine = false;
  private stopping: string | null = null;
  private registered: LiveSession | null = null;
  private readonly doneWaiters: Array<() => void> = [];

  constructor(
    socket: net.Socket,
    private readonly opts: ManageSieveConnectionOptions,
  ) {
    this.socket = socket;
    this.store = opts.store;
    this.config = opts.config;
    this.outgoing = opts.outgoing;
    this.scriptLimits = opts.scriptLimits;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.reader = this.newReader();
    this.log = opts.log.child({ protocol: 'managesieve', session: this.sessionId, remote: this.remoteAddress, port: socket.localPort });
    this.log.info({ local: `${socket.localAddress}:${socket.localPort}`, tls: false }, 'connect');
    this.queue = new CommandQueue<ReaderEvent>(MAX_QUEUED_COMMANDS, { pause: () => this.socket.pause(), resume: () => this.socket.resume() });
    this.lineDeadline = new LineDeadline(opts.limits.commandCompletionTimeoutMs, () => {
      this.log.info('closing a connection whose command did not complete in time');
      this.sayGoodbye('Command not completed in time.');
    });
    this.out = new Writer(socket, {
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
    return plaintextAuthAllowed(this.config.plaintextAuth, this.tlsActive, this.remoteAddress);
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

  /** Sends the greeting, the capability list and OK (RFC 5804 section 1.7), and starts the command loop. */
  start(): void {
    this.write(capabilityLines(this) + encodeResponse('OK', null, 'Letterbox ready.'));
    this.resetTimer();
    void this.loop();
  }

  write(data: string): void {
    this.out.write(data);
  }

  /** bye writes `BYE "text"` and closes (RFC 5804 section 1.2). */
  bye(text: string): void {
    if (this.closed) return;
    this.write(encodeResponse('BYE', null, text));
    this.close();
  }

  /**
   * shutdown ends the session (server shutdown, `letterbox kick`, a deleted account): at once when no command
   * runs, else after the running command's reply, with `BYE "reason"`. Resolves when the socket has closed.
   */
  shutdown(reason: string): Promise<void> {
    const done = new Promise<void>((resolve) => (this.socket.destroyed ? resolve() : this.doneWaiters.push(resolve)));
    this.sayGoodbye(reason);
    return done;
  }

  /** destroy drops the connection without flushing. */
  destroy(): void {
    this.close();
    this.socket.destroy();
  }

  /** Closes the connection after flushing what was written. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.lineDeadline.stop();
    this.forgetLogin();
    this.out.close();
    this.socket.end();
    // A peer that never reads must not keep the socket (and its buffers) forever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
    this.queue.wake();
  }

  async readLine(): Promise<Token[] | 'invalid' | null> {
    for (;;) {
      const item = this.queue.shift();
      if (item) {
        if (item.kind === 'command') return item.tokens;
        if (item.kind === 'fatal') {
          this.bye(item.message);
          return null;
        }
        return 'invalid';
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

  async runAfterReply(): Promise<void> {
    const fns = this.after;
    this.after = [];
    for (const fn of fns) await fn();
  }

  login(account: Account): void {
    if (this.closed) return;
    if (!this.opts.admission.acceptLogin(account.id, this.remoteAddress)) {
      this.log.warn({ user: account.email }, 'login refused: too many sessions of this user from this address');
      throw refuse('Too many sessions of this user from this address.', 'TRYLATER');
    }
    this.account = account;
    this.log = this.log.child({ user: account.email });
    this.registered = liveSession('managesieve', this, account, () => null);
    this.opts.sessions.add(this.registered);
    this.resetTimer();
  }

  logout(): void {
    this.forgetLogin();
    this.account = null;
    this.log = this.opts.log.child({ protocol: 'managesieve', session: this.sessionId, remote: this.remoteAddress, port: this.socket.localPort });
    this.resetTimer();
  }

  /**
   * Upgrades the cleartext socket to TLS (STARTTLS, RFC 5804 section 2.2) and sends the capabilities again
   * with OK. Anything the client pipelined after STARTTLS is discarded, so no cleartext command can be
   * injected into the TLS session.
   */
  async upgradeToTls(): Promise<void> {
    this.socket.removeAllListeners('data');
    this.queue.clear();
    this.reader = this.newReader();
    const secure = await startServerTls(this.socket, this.opts.secureContext(), (err) => this.log.info({ err: err.message }, 'STARTTLS handshake failed'));
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
    this.write(capabilityLines(this) + encodeResponse('OK', null, 'TLS negotiation successful.'));
  }

  private newReader(): CommandReader {
    // Names and SASL responses fit in 8 KiB; scripts up to the size limit.
    return new CommandReader(Math.max(this.opts.scriptLimits.maxOctets, 8192));
  }

  private forgetLogin(): void {
    if (this.account) this.opts.admission.releaseLogin(this.account.id, this.remoteAddress);
    if (this.registered) this.opts.sessions.remove(this.registered);
    this.registered = null;
  }

  /** sayGoodbye says BYE now, or after the running command's reply (never in the middle of it). */
  private sayGoodbye(reason: string): void {
    if (this.closed) return;
    if (this.running && !this.awaitingLine) {
      this.stopping ??= reason;
      return;
    }
    this.bye(reason);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    const events = this.reader.push(chunk);
    this.lineDeadline.watch(this.reader.midCommand);
    this.queue.push(events);
  }

  /** The idle timer: UNAUTHENTICATED_TIMEOUT_MS before login, AUTHENTICATED_TIMEOUT_MS after. */
  private resetTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.closed) return;
    const ms = this.account ? this.opts.limits.authenticatedTimeoutMs : this.opts.limits.unauthenticatedTimeoutMs;
    this.timer = setTimeout(() => {
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
      // Backpressure: while the client does not read what was already written, produce nothing more.
      await this.out.drain();
      if (this.closed) break;
      if (item.kind === 'fatal') {
        this.log.info({ reason: item.message }, 'closing a connection that sent what cannot be framed');
        this.bye(item.message);
        break;
      }
      this.resetTimer();
      this.running = true;
      try {
        await dispatch(this, item);
      } catch (err) {
        this.log.error({ err }, 'unexpected error in command loop');
        this.bye('Internal error.');
      }
      this.running = false;
      if (this.stopping !== null) this.bye(this.stopping);
      this.resetTimer();
    }
  }
}
