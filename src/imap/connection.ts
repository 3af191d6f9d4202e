/**
 * Connection is one IMAP client connection: it frames the byte stream into commands (pipelined
 * commands are queued and answered strictly in order, RFC 9051 section 5.5), runs them one at a time
 * through the dispatcher, and implements the Session that command handlers see.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { CommandReader, type ReaderEvent } from '../protocol/reader.js';
import { AUTHENTICATED_TIMEOUT_MS, IDLE_TIMEOUT_MS, MAX_QUEUED_COMMANDS } from '../limits.js';
import type { LoginPenalty } from '../auth/penalty.js';
import { plaintextAuthAllowed } from '../auth/plaintext.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Admission } from '../net/admission.js';
import { no } from './errors.js';
import type { RawCommand } from '../protocol/types.js';
import type { Account, Store } from '../store/types.js';
import { liveSession, type LiveSession, type SessionRegistry } from '../sessions/registry.js';
import { capabilitiesFor } from './capabilities.js';
import type { DispatchedSession, Pending, SessionState, SessionStatus } from './session.js';
import { DeflateChannel } from './deflate.js';
import { dispatch } from './dispatch.js';
import type { SelectedMailbox } from './selected.js';
import { syncIfBehind } from './sync.js';
import { ChangeSignal } from './change-signal.js';
import type { MailboxTracker } from './tracker.js';
import { SocketWriter } from './writer.js';
import { CommandQueue, LineDeadline } from '../net/command-queue.js';
import { startServerTls } from '../tls/upgrade.js';

/** SessionLimits are the per-session limits a server may lower for tests (defaults in limits.ts); milliseconds. */
export interface SessionLimits {
  /** Inactivity before login (UNAUTHENTICATED_TIMEOUT_MS). */
  unauthenticatedTimeoutMs: number;
  /** A command line that has begun must end within this (COMMAND_COMPLETION_TIMEOUT_MS). */
  commandCompletionTimeoutMs: number;
  /** Replies not read by the client for this long end the session (OUTPUT_STALL_TIMEOUT_MS). */
  outputStallTimeoutMs: number;
}

/** ConnectionOptions: what the server gives each connection. */
export interface ConnectionOptions {
  store: Store;
  config: Config;
  log: Logger;
  /** The current secure context for STARTTLS (it changes when the certificate is reloaded), or null when TLS is not configured. */
  secureContext: () => tls.SecureContext | null;
  limits: SessionLimits;
  /** Counts logins per user and IP (MAX_CONNECTIONS_PER_USER_IP). */
  admission: Admission;
  /** The server's failed-login penalty. */
  penalty: LoginPenalty;
  /** Where the server counts logins and commands. */
  metrics: Metrics;
  /** True for connections accepted on the implicit-TLS port. */
  implicitTls: boolean;
  /** The logged-in sessions of the server (which `letterbox user delete` ends, through the store's control messages). */
  sessions: SessionRegistry;
  /** Routes the store's changes to the sessions that have the changed mailbox selected (tracker.ts). */
  tracker: MailboxTracker;
  /** Called once when the connection has closed. */
  onClose: (c: Connection) => void;
}

const NOT_AUTHENTICATED: SessionStatus = { state: 'not-authenticated' };
const LOGOUT: SessionStatus = { state: 'logout' };

/** Connection implements the Session (and what the dispatcher needs of it, DispatchedSession) over one socket. */
export class Connection implements DispatchedSession {
  status: SessionStatus = NOT_AUTHENTICATED;
  readonly enabled = new Set<string>();
  readonly out: SocketWriter;
  log: Logger;
  readonly store: Store;
  readonly config: Config;
  readonly remoteAddress: string;

  private socket: net.Socket;
  private reader = new CommandReader();
  /** Commands sent ahead, answered in order; reading pauses while too many wait (MAX_QUEUED_COMMANDS). */
  private readonly queue: CommandQueue<Pending>;
  /** Set when the selected mailbox may have changed (by the server's MailboxTracker); awaited by IDLE (change-signal.ts). */
  private readonly change = new ChangeSignal();
  /** Ends the tracking of the selected mailbox (MailboxTracker.track), or null without a selection. */
  private untrack: (() => void) | null = null;
  private after: Array<() => Promise<void> | void> = [];
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private tlsActive: boolean;
  /** The DEFLATE layer once COMPRESS is on (RFC 4978), else null. */
  private deflate: DeflateChannel | null = null;
  /** BAD replies in a row (the dispatcher resets it on OK or NO; MAX_BAD_COMMANDS ends the session). */
  badInRow = 0;
  /** Set while IDLE runs, so the inactivity timer uses the IDLE limit. */
  private idling = false;
  /** Runs while a command line is incomplete (slowloris). */
  private readonly lineDeadline: LineDeadline;
  /** True while dispatch runs a command. */
  private running = false;
  /** True while the running command waits for a client line (AUTHENTICATE response, IDLE's DONE). */
  private awaitingLine = false;
  /** Set by shutdown(): the BYE text to send once the running command has finished. */
  private stopping: string | null = null;
  /** The account whose per-user-and-IP slot of the admission this session holds, if any. */
  private loginCounted: Account | null = null;
  private readonly doneWaiters: Array<() => void> = [];
  /** This session's id in every log line (`session`), as Dovecot's session=<...>. */
  readonly sessionId = randomBytes(6).toString('base64url');
  /** Octets received from the client (after TLS and COMPRESS), for the disconnect line. */
  private octetsIn = 0;
  /** Why the session ended, for the disconnect line (the first reason given wins). */
  private endReason: string | null = null;
  /** This session in the server's registry while logged in. */
  private registered: LiveSession | null = null;
  /** When the client connected (ms since epoch), for `letterbox who`. */
  readonly connectedAt = Date.now();

  constructor(
    socket: net.Socket,
    private readonly opts: ConnectionOptions,
  ) {
    this.socket = socket;
    this.store = opts.store;
    this.config = opts.config;
    this.tlsActive = opts.implicitTls;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.log = opts.log.child({ session: this.sessionId, remote: this.remoteAddress, port: socket.localPort });
    this.log.info({ local: `${socket.localAddress}:${socket.localPort}`, tls: opts.implicitTls }, 'connect');
    this.queue = new CommandQueue<Pending>(MAX_QUEUED_COMMANDS, {
      pause: () => {
        this.socket.pause();
        this.deflate?.pause();
      },
      resume: () => {
        this.socket.resume();
        this.deflate?.resume();
      },
    });
    this.lineDeadline = new LineDeadline(opts.limits.commandCompletionTimeoutMs, () => {
      this.log.info('closing a connection whose command line did not complete in time');
      this.bye('Command not completed in time.');
    });
    this.out = new SocketWriter(socket, {
      timeoutMs: opts.limits.outputStallTimeoutMs,
      onStall: () => {
        this.log.info('closing a connection whose client does not read its replies');
        this.endReason ??= 'client does not read its replies';
        this.destroy();
      },
    });
    this.attach(socket);
  }

  get state(): SessionState {
    return this.status.state;
  }

  get rev2(): boolean {
    return this.enabled.has('IMAP4REV2');
  }

  get utf8(): boolean {
    return this.enabled.has('IMAP4REV2') || this.enabled.has('UTF8=ACCEPT');
  }

  get secure(): boolean {
    return this.tlsActive;
  }

  get compressed(): boolean {
    return this.deflate !== null;
  }

  /**
   * Starts COMPRESS=DEFLATE (RFC 4978 section 3) right after the tagged OK: later responses are compressed
   * and later input is inflated. Input that arrived with or after the COMPRESS command is discarded (the
   * client must wait for the OK), so uncompressed bytes are never taken for compressed ones.
   */
  startCompression(): void {
    if (this.deflate || this.closed) return;
    this.socket.removeAllListeners('data');
    this.queue.clear();
    this.reader = new CommandReader();
    const channel = new DeflateChannel(
      this.socket,
      (chunk) => this.onData(chunk),
      (err) => {
        this.log.info({ err: err.message }, 'COMPRESS stream failed');
        this.endReason ??= 'COMPRESS stream failed';
        this.out.close();
        this.close();
      },
    );
    this.deflate = channel;
    this.out.compress(channel);
    this.socket.on('data', (chunk: Buffer) => channel.input(chunk));
  }

  get canStartTls(): boolean {
    return !this.tlsActive && this.opts.secureContext() !== null;
  }

  /** Octets written to the socket that it has not yet passed to the kernel. */
  get bufferedOutput(): number {
    return this.socket.writableLength;
  }

  /** The server's failed-login penalty (Session.penalty). */
  get penalty(): LoginPenalty {
    return this.opts.penalty;
  }

  /** The server's metrics (Session.metrics). */
  get metrics(): Metrics {
    return this.opts.metrics;
  }

  /** True when LOGIN/AUTHENTICATE may be used on this connection now (RFC 9051 section 6.2.3, LOGINDISABLED). */
  get plaintextAuthAllowed(): boolean {
    return plaintextAuthAllowed(this.config.imap.plaintextAuth, this.tlsActive, this.remoteAddress);
  }

  capabilities(): string[] {
    return capabilitiesFor(this);
  }

  /** Sends the greeting and starts the command loop. */
  start(): void {
    this.out.untagged(`OK [CAPABILITY ${this.capabilities().join(' ')}] Letterbox ready.`);
    this.resetTimer();
    void this.loop();
  }

  /** Ends the session with `* BYE text` (server shutdown, timeouts, too many errors). */
  bye(text: string): void {
    if (this.closed) return;
    this.endReason ??= text;
    this.out.untagged(`BYE ${text}`);
    this.close();
  }

  /**
   * shutdown ends the session for a server shutdown: at once when no command runs (or in IDLE), else
   * after the running command's tagged reply. Resolves when the socket has closed.
   */
  shutdown(text: string): Promise<void> {
    const done = new Promise<void>((resolve) => (this.socket.destroyed ? resolve() : this.doneWaiters.push(resolve)));
    if (!this.running || this.idling || this.awaitingLine) this.bye(text);
    else this.stopping = text;
    return done;
  }

  /** destroy drops the connection without flushing (a client that does not read, or a shutdown that waited long enough). */
  destroy(): void {
    this.endReason ??= 'connection dropped';
    this.close();
    this.socket.destroy();
  }

  /** Closes the connection after flushing what was written. */
  close(): void {
    if (this.closed) return;
    this.endReason ??= 'logout';
    this.closed = true;
    this.status = LOGOUT;
    this.stopTracking();
    if (this.timer) clearTimeout(this.timer);
    this.lineDeadline.stop();
    if (this.loginCounted) this.opts.admission.releaseLogin(this.loginCounted.id, this.remoteAddress);
    if (this.registered) this.opts.sessions.remove(this.registered);
    this.loginCounted = null;
    this.out.close();
    // With COMPRESS, ending the compressed stream flushes it and then ends the socket.
    if (this.deflate) this.deflate.end();
    else this.socket.end();
    // A peer that never reads must not keep the socket (and its buffers) forever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
    this.queue.wake();
    this.change.wake();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  continuation(text: string): void {
    this.out.raw(`+ ${text}\r\n`);
  }

  async readLine(): Promise<RawCommand | null> {
    for (;;) {
      const item = this.queue.shift();
      if (item) {
        if (item.kind === 'command') return item.command;
        continue; // a framing error inside AUTHENTICATE/IDLE: drop it, the caller sees the next line
      }
      if (this.closed) return null;
      this.awaitingLine = true;
      await this.queue.wait();
      this.awaitingLine = false;
    }
  }

  hasPendingLine(): boolean {
    return this.queue.length > 0 || this.closed;
  }

  async waitForChange(): Promise<void> {
    await this.change.wait((changed) => (changed && this.status.state === 'selected') || this.queue.length > 0 || this.closed);
  }

  afterTagged(fn: () => Promise<void> | void): void {
    this.after.push(fn);
  }

  /** login throws NO [LIMIT] when the user already has MAX_CONNECTIONS_PER_USER_IP sessions from this address. */
  login(account: Account): void {
    if (!this.opts.admission.acceptLogin(account.id, this.remoteAddress)) {
      this.log.warn({ user: account.email }, 'login refused: too many sessions of this user from this address');
      throw no('Maximum number of connections from user+IP exceeded.', 'LIMIT');
    }
    this.loginCounted = account;
    this.status = { state: 'authenticated', account };
    this.log = this.log.child({ user: account.email });
    this.registered = liveSession('imap', this, account, () => (this.status.state === 'selected' ? this.status.view.mailbox.name : null));
    this.opts.sessions.add(this.registered);
    this.resetTimer();
  }

  select(view: SelectedMailbox): void {
    const status = this.status;
    if (status.state !== 'authenticated' && status.state !== 'selected') return;
    this.stopTracking();
    this.status = { state: 'selected', account: status.account, view };
    this.untrack = this.opts.tracker.track(status.account.id, view.mailbox.id, this.change);
  }

  deselect(): void {
    const status = this.status;
    if (status.state !== 'selected') return;
    this.stopTracking();
    this.status = { state: 'authenticated', account: status.account };
  }

  private stopTracking(): void {
    this.untrack?.();
    this.untrack = null;
  }

  async sync(allowExpunge: boolean): Promise<void> {
    // Taken even without a selection (nothing to report then), so IDLE does not spin on it.
    await syncIfBehind(this, this.change.take(), allowExpunge);
  }

  setIdling(on: boolean): void {
    this.idling = on;
    this.resetTimer();
  }

  /** Marks the view as possibly stale so the next sync queries the change feed. */
  markChanged(): void {
    this.change.mark();
  }

  /** Runs the callbacks registered with afterTagged, in order. */
  async runAfterTagged(): Promise<void> {
    const fns = this.after;
    this.after = [];
    for (const fn of fns) await fn();
  }

  /**
   * Upgrades the cleartext socket to TLS (STARTTLS, RFC 9051 section 6.2.1). Anything the client
   * pipelined after STARTTLS is discarded, so no cleartext command can be injected into the TLS session.
   */
  async upgradeToTls(): Promise<void> {
    const ctx = this.opts.secureContext();
    if (!ctx) return;
    // The OK to STARTTLS goes out in the clear, before the handshake.
    this.out.flush();
    this.socket.removeAllListeners('data');
    this.queue.clear();
    this.reader = new CommandReader();
    const secure = await startServerTls(this.socket, ctx, (err) => this.log.info({ err: err.message }, 'STARTTLS handshake failed'));
    if (!secure) {
      this.endReason ??= 'STARTTLS handshake failed';
      this.close();
      return;
    }
    this.tlsActive = true;
    this.socket = secure;
    this.out.setSocket(secure);
    this.attach(secure, false);
  }

  private attach(socket: net.Socket, first = true): void {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    if (first) {
      socket.on('error', (err) => this.log.debug({ err: err.message }, 'socket error'));
      socket.on('close', () => {
        this.endReason ??= 'client disconnected';
        this.close();
        this.log.info({ reason: this.endReason, in: this.octetsIn, out: this.out.octets }, 'disconnect');
        this.opts.onClose(this);
        for (const w of this.doneWaiters.splice(0)) w();
      });
    } else {
      socket.on('error', (err) => this.log.debug({ err: err.message }, 'TLS socket error'));
      socket.on('close', () => {
        this.endReason ??= 'client disconnected';
        this.close();
      });
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.octetsIn += chunk.length;
    let events: ReaderEvent[];
    try {
      events = this.reader.push(chunk);
    } catch (err) {
      this.log.error({ err }, 'command reader failed');
      this.bye('Internal error reading commands');
      return;
    }
    const framed: Pending[] = [];
    for (const ev of events) {
      if (ev.kind === 'continue') this.continuation('Ready for literal data');
      else if (ev.kind === 'command') framed.push({ kind: 'command', command: ev.command });
      else framed.push({ kind: 'error', tag: ev.tag, message: ev.message, code: ev.code, fatal: ev.fatal });
    }
    this.lineDeadline.watch(this.reader.midLine);
    this.queue.push(framed);
    // A line ends IDLE's wait too.
    if (this.queue.length > 0) this.change.wake();
  }

  /** Inactivity limit: 60 s before login, 30 minutes after (RFC 9051 section 5.4), IDLE its own. */
  resetTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.closed) return;
    const ms = this.idling ? IDLE_TIMEOUT_MS : this.state === 'not-authenticated' ? this.opts.limits.unauthenticatedTimeoutMs : AUTHENTICATED_TIMEOUT_MS;
    this.timer = setTimeout(() => {
      this.log.info('closing idle connection');
      this.bye('Autologout; idle for too long');
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
      await this.out.ready();
      if (this.closed) break;
      this.resetTimer();
      this.running = true;
      try {
        await dispatch(this, item);
      } catch (err) {
        this.log.error({ err }, 'unexpected error in command loop');
        this.bye('Internal error');
      }
      this.running = false;
      if (this.stopping !== null) this.bye(this.stopping);
      this.resetTimer();
    }
  }
}
