/**
 * The PostgreSQL driver of the Store facade (mail/store.ts): runs mail rules over the pool, awaiting each
 * statement; a write is one transaction (db.ts: BEGIN/COMMIT, retried after a deadlock) whose changes are
 * sent with pg_notify before COMMIT and reach this node's listeners after it; other nodes' changes and
 * control messages arrive on the listening connection (notify.ts).
 */
import type { Logger } from 'pino';
import { purgeBodies, purgeQueued } from '../mail/bodies.js';
import { insertControl } from '../mail/control.js';
import type { Driver } from '../mail/driver.js';
import type { Dialect } from '../mail/dialect.js';
import { perform, type Connection, type Rule } from '../mail/rule.js';
import type { ChangeListener, ControlListener, ControlMessage } from '../types.js';
import { CONTROL_CHANNEL, type Db, type Q, type Tx } from './db.js';
import type { Notifier } from './notify.js';

/** ANALYZED_TABLES: the tables whose statistics decide the plans of reads (messages by UID, bodies, the text index). */
const ANALYZED_TABLES = ['mailboxes', 'messages', 'bodies', 'envelopes', 'search_text', 'search_index', 'expunged'];

/** analyzeTables runs ANALYZE on the tables reads plan on (after a bulk load; autovacuum does it later otherwise). */
export async function analyzeTables(db: { run(sql: string): Promise<number> }): Promise<void> {
  await db.run(`ANALYZE ${ANALYZED_TABLES.join(', ')}`);
}

/**
 * runRule runs `rule` to its end through `q` (the pool, or a transaction), awaiting each statement, and
 * returns its result. Its changes are recorded on `tx` for NOTIFY; a rule that announces without a
 * transaction throws.
 */
export async function runRule<T>(q: Q, rule: Rule<T>, tx: Tx | null = null): Promise<T> {
  const announce = (accountId: number, mailboxId: number | null): void => {
    if (!tx) throw new Error('a read announced a change');
    tx.notify(accountId, mailboxId);
  };
  let step = rule.next();
  while (!step.done) step = rule.next(await perform(q as Connection<Promise<unknown>>, step.value, announce));
  return step.value;
}

/** PURGE_POLL_MS: how long a node's upkeep waits before it looks for queued bodies again when none were (ms). */
const PURGE_POLL_MS = 1000;

/** PURGE_RETRY_MS: how long it waits after a failed purge (ms). */
const PURGE_RETRY_MS = 5000;

/** PURGE_BATCH: the most queued bodies one purge transaction deletes. */
const PURGE_BATCH = 64;

/** PgDriver is the Driver over a pool and a listening connection. */
export class PgDriver implements Driver {
  readonly kind = 'postgres';

  /** The purge under way (startBackground), which close() waits for. */
  private purging: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly notifier: Notifier,
    readonly sql: Dialect,
    private readonly log?: Logger,
  ) {
    db.afterCommit = (a, m) => notifier.emit(a, m);
  }

  /** listenerName is the application_name of this node's LISTEN connection (tests terminate it to test reconnection). */
  get listenerName(): string {
    return this.notifier.applicationName;
  }

  // A claim that may be lost (durable: false) is committed as any other: PostgreSQL's synchronous_commit is the operator's.
  async write<T>(start: () => Rule<T>): Promise<T> {
    return this.db.write((tx) => runRule(tx, start(), tx));
  }

  async read<T>(start: () => Rule<T>, snapshot = false): Promise<T> {
    if (snapshot) return this.db.read((tx) => runRule(tx, start()));
    return runRule(this.db, start());
  }

  onChange(listener: ChangeListener): () => void {
    return this.notifier.add(listener);
  }

  async sendControl(message: ControlMessage): Promise<void> {
    // The row is for a node that was not listening (notify.ts catches up on reconnecting); the NOTIFY, sent at
    // commit, carries the row's id so a message read both ways is given to the listeners once.
    await this.db.write(async (tx) => {
      const id = await runRule(tx, insertControl(message, Date.now()));
      await tx.run('SELECT pg_notify(?, ?)', CONTROL_CHANNEL, JSON.stringify({ id, message }));
    });
  }

  onControl(listener: ControlListener): () => void {
    return this.notifier.addControl(listener);
  }

  startBackground(): () => void {
    // PostgreSQL's index is written in the storing transaction (search.ts); the upkeep deletes the bodies
    // expunges left without a message (mail/bodies.ts). Every node does: two purging one account wait for
    // each other on its row lock, and the second finds nothing left.
    let stopped = false;
    let timer: NodeJS.Timeout | null = null;
    const turn = (): void => {
      timer = null;
      this.purging = this.purgeRound().then(
        (more) => (more ? 0 : PURGE_POLL_MS),
        (err: unknown) => {
          this.log?.warn({ err }, 'deleting the bodies of expunged messages failed; retrying later');
          return PURGE_RETRY_MS;
        },
      ).then((waitMs) => {
        if (stopped) return;
        timer = setTimeout(turn, waitMs);
        timer.unref();
      });
    };
    turn();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }

  /** purgeRound runs one purgeBodies transaction when a body is queued (a read first: no transaction when none is) and tells whether more are. */
  private async purgeRound(): Promise<boolean> {
    if (!(await runRule(this.db, purgeQueued()))) return false;
    return (await this.db.write((tx) => runRule(tx, purgeBodies(this.sql, PURGE_BATCH), tx))).more;
  }

  leaveBackground(): () => void {
    return () => {};
  }

  async finishBackground(): Promise<void> {
    while (await this.purgeRound());
  }

  async analyze(): Promise<void> {
    await analyzeTables(this.db);
  }

  async health(): Promise<string | null> {
    try {
      await this.db.run('SELECT 1');
    } catch (err) {
      return `PostgreSQL: ${(err as Error).message}`;
    }
    return this.notifier.listening ? null : 'PostgreSQL: not listening for the other nodes\' changes (reconnecting)';
  }

  async close(): Promise<void> {
    await this.purging;
    await this.notifier.close();
    await this.db.close();
  }
}
