/**
 * Change notifications across nodes: every write transaction NOTIFYs (db.ts) on NOTIFY_CHANNEL with the
 * payload "node:account:mailbox"; each node LISTENs on one dedicated connection and calls its listeners.
 * Its own changes reach its listeners directly after commit (Db.afterCommit), so they are not doubled.
 *
 * pg does not reconnect a dropped client: when the listening connection fails (PostgreSQL restarted, a
 * network cut, pg_terminate_backend), Notifier reconnects with backoff, LISTENs again, and calls every
 * listener with (null, null): notifications sent while it was away are lost, so sessions re-read the change
 * feed by modseq. Control messages sent while it was away are read from session_control (mail/control.ts);
 * each NOTIFY of one carries its row id, so a message that arrives both ways is given to the listeners once.
 * A periodic query on the connection finds a connection that died silently.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { CONTROL_KEEP_MS, type StoredControl } from '../mail/control.js';
import { Listeners } from '../listeners.js';
import type { ChangeListener, ControlListener, ControlMessage } from '../types.js';
import { clientConfig, CONTROL_CHANNEL, NOTIFY_CHANNEL } from './db.js';

/** RECONNECT_MIN_MS and RECONNECT_MAX_MS bound the backoff between reconnection attempts (ms). */
export const RECONNECT_MIN_MS = 100;
export const RECONNECT_MAX_MS = 5000;
/** HEARTBEAT_MS is how often the listening connection is checked with a query (ms). */
export const HEARTBEAT_MS = 15_000;

/** ControlReader reads session_control (mail/control.ts rules over the pool). */
export interface ControlReader {
  /** The highest id there is, 0 for none. */
  last(): Promise<number>;
  /** The messages with id above `afterId` sent at or after `since` (ms since epoch), ascending id. */
  after(afterId: number, since: number): Promise<StoredControl[]>;
}

/** Notifier keeps the change listeners of one node and the connection that LISTENs for the other nodes. */
export class Notifier extends Listeners {
  private client: pg.Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private delay = RECONNECT_MIN_MS;
  /** The highest control message id when this node first listened: older messages were not for it. */
  private controlBaseline: number | null = null;
  /** The control messages given to the listeners: id -> when (ms since epoch), forgotten after twice CONTROL_KEEP_MS. */
  private readonly controlSeen = new Map<number, number>();

  constructor(
    private readonly url: string,
    private readonly nodeId: string,
    private readonly control: ControlReader,
    log?: Logger,
  ) {
    super(log);
  }

  /** listening tells whether the LISTEN connection is up (false while it reconnects). */
  get listening(): boolean {
    return this.client !== null && !this.closed;
  }

  /** applicationName is the application_name of the listening connection (to find it in pg_stat_activity). */
  get applicationName(): string {
    return `letterbox-listen ${this.nodeId}`;
  }

  /** start connects and LISTENs; resolves when listening. Throws when the first connection fails. */
  async start(): Promise<void> {
    await this.connect();
    this.heartbeat = setInterval(() => void this.ping(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** add registers a listener and returns the function that removes it. */
  add(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** addControl registers a control listener and returns the function that removes it. */
  addControl(listener: ControlListener): () => void {
    this.controlListeners.add(listener);
    return () => {
      this.controlListeners.delete(listener);
    };
  }

  /**
   * emit tells every listener now that (accountId, mailboxId) changed: Db.write calls it after COMMIT and
   * before the writer's promise settles, so this node's sessions have been told before the writer is answered.
   */
  emit(accountId: number | null, mailboxId: number | null): void {
    this.call(accountId, mailboxId);
  }

  /** close stops listening and drops every listener. */
  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.controlListeners.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(clientConfig(this.url, this.applicationName));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (n) => {
      if (n.channel === NOTIFY_CHANNEL) this.received(n.payload ?? '');
      else if (n.channel === CONTROL_CHANNEL) this.receivedControl(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      await client.query(`LISTEN ${CONTROL_CHANNEL}`);
    } catch (err) {
      client.removeAllListeners('end');
      client.on('error', () => {});
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    // After LISTEN: a message sent from now on arrives as a notification, one sent before is in the table.
    if (this.controlBaseline === null) this.controlBaseline = await this.control.last();
  }

  /** catchUpControl gives the listeners the control messages sent while the listening connection was away. */
  private async catchUpControl(): Promise<void> {
    const rows = await this.control.after(this.controlBaseline ?? 0, Date.now() - CONTROL_KEEP_MS);
    const missed = rows.filter((r) => this.firstSeen(r.id)).map((r) => r.message);
    if (missed.length > 0) {
      this.log?.info({ messages: missed.length }, 'control messages sent while not listening');
      this.callControl(missed);
    }
  }

  /** firstSeen records control message `id` and tells whether it is new (not yet given to the listeners). */
  private firstSeen(id: number): boolean {
    if (this.controlSeen.has(id)) return false;
    const now = Date.now();
    // Insertion order is time order: forget from the oldest.
    for (const [old, at] of this.controlSeen) {
      if (at >= now - 2 * CONTROL_KEEP_MS) break;
      this.controlSeen.delete(old);
    }
    this.controlSeen.set(id, now);
    return true;
  }

  private received(payload: string): void {
    const [node, account, mailbox] = payload.split(':');
    if (node === this.nodeId) return;
    const accountId = Number(account);
    const mailboxId = mailbox ? Number(mailbox) : null;
    if (!Number.isSafeInteger(accountId) || (mailboxId !== null && !Number.isSafeInteger(mailboxId))) {
      this.call(null, null);
      return;
    }
    this.call(accountId, mailboxId);
  }

  /** receivedControl handles a NOTIFY of driver.ts's sendControl: `{"id": row id, "message": ControlMessage}`. */
  private receivedControl(payload: string): void {
    let sent: { id: number; message: ControlMessage };
    try {
      sent = JSON.parse(payload) as { id: number; message: ControlMessage };
      if (!Number.isSafeInteger(sent.id) || typeof sent.message !== 'object' || sent.message === null) throw new Error('not {id, message}');
    } catch {
      this.log?.warn({ payload: payload.slice(0, 200) }, 'unreadable control message');
      return;
    }
    if (this.firstSeen(sent.id)) this.callControl([sent.message]);
  }

  private lost(client: pg.Client, err: Error | null): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    client.removeAllListeners('notification');
    client.on('error', () => {});
    client.end().catch(() => {});
    this.log?.warn({ err }, 'lost the PostgreSQL connection that listens for changes; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.reconnect();
    }, this.delay);
    this.retryTimer.unref();
  }

  private async reconnect(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      this.delay = Math.min(this.delay * 2, RECONNECT_MAX_MS);
      this.log?.warn({ err, retryInMs: this.delay }, 'cannot reconnect to PostgreSQL to listen for changes');
      this.scheduleReconnect();
      return;
    }
    if (this.closed) return;
    this.delay = RECONNECT_MIN_MS;
    this.log?.info('listening for changes again; every session re-reads its mailbox');
    // Whatever was notified while we were away is lost: make everyone catch up from the change feed.
    this.call(null, null);
    try {
      await this.catchUpControl();
    } catch (err) {
      this.log?.warn({ err }, 'cannot read the control messages sent while not listening');
    }
  }

  private async ping(): Promise<void> {
    const c = this.client;
    if (!c) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      // A connection cut without a FIN or RST never errors; an unanswered query within the interval tells.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer to the heartbeat query')), HEARTBEAT_MS);
      });
      await Promise.race([c.query('SELECT 1'), timeout]);
    } catch (err) {
      this.lost(c, err as Error);
    } finally {
      clearTimeout(timer);
    }
  }
}
