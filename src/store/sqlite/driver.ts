/**
 * The SQLite driver of the Store facade (mail/store.ts): runs mail rules synchronously on one connection,
 * writes inside group commits (group-commit.ts) so what is acknowledged is on disk (the WAL fsynced on the
 * thread pool, Db.durable),
 * and announces changes in-process after commit and to other processes through data_version (notify.ts).
 */
import type { Logger } from 'pino';
import { controlAfter, insertControl, lastControlId } from '../mail/control.js';
import type { Driver, WriteOptions } from '../mail/driver.js';
import type { Change, Rule } from '../mail/rule.js';
import type { BackgroundOptions, ChangeListener, ChangePeers, CommitObserver, ControlListener, ControlMessage } from '../types.js';
import type { Db } from './db.js';
import { sqliteDialect } from './dialect.js';
import { runRule } from './rules.js';
import { CHECKPOINT_BACKSTOP_FRAMES, indexAll, startIndexer } from './fts-indexer.js';
import { GroupCommit } from './group-commit.js';
import { Notifier } from './notify.js';

/** SqliteDriver is the Driver over one Db. */
export class SqliteDriver implements Driver {
  readonly kind = 'sqlite';
  readonly sql = sqliteDialect;
  private readonly notifier: Notifier;
  /** Every write shares a commit with the others of its turn of the event loop. */
  private readonly group: GroupCommit;
  /** The indexers started by startBackground, stopping or stopped: close() waits for their threads to end. */
  private readonly indexers = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly log?: Logger,
    onCommit?: CommitObserver,
    peers?: ChangePeers,
  ) {
    this.notifier = new Notifier(
      () => db.dataVersion(),
      { last: () => runRule(db, lastControlId()), after: (afterId) => runRule(db, controlAfter(afterId)) },
      log,
      undefined,
      peers,
    );
    // Commits write the WAL; the fsync that makes them durable runs off the event loop (Db.durable).
    db.syncInBackground();
    this.group = new GroupCommit(db, onCommit);
  }

  async write<T>(start: () => Rule<T>, opts: WriteOptions = {}): Promise<T> {
    const changes: Change[] = [];
    const result = await this.group.run(() => runRule(this.db, start(), changes), opts.durable !== false);
    // After the commit and before the writer's promise settles: the change reaches IDLE before the writer is answered.
    for (const [a, m] of changes) this.notifier.emit(a, m);
    return result;
  }

  async read<T>(start: () => Rule<T>, snapshot = false): Promise<T> {
    if (!snapshot || this.db.raw.inTransaction) return runRule(this.db, start());
    return this.db.snapshot(() => runRule(this.db, start()));
  }

  onChange(listener: ChangeListener): () => void {
    return this.notifier.add(listener);
  }

  async sendControl(message: ControlMessage): Promise<void> {
    const id = await this.group.run(() => runRule(this.db, insertControl(message, Date.now())));
    this.notifier.emitControl(message, id);
  }

  onControl(listener: ControlListener): () => void {
    return this.notifier.addControl(listener);
  }

  startBackground(opts: BackgroundOptions = {}): () => void {
    // The full-text index of the bodies written here and by other processes (import, deliver, other workers),
    // and the WAL's checkpoints.
    const stop = startIndexer(this.db, this.log, opts.index !== false);
    let stopping: Promise<void> | null = null;
    return () => {
      if (stopping) return;
      stopping = stop();
      this.indexers.add(stopping);
    };
  }

  leaveBackground(): () => void {
    // The other process's indexer thread checkpoints the file (fts-thread.ts); this connection is the backstop.
    return this.db.leaveCheckpoints(CHECKPOINT_BACKSTOP_FRAMES);
  }

  async finishBackground(): Promise<void> {
    this.group.flush();
    indexAll(this.db);
  }

  async analyze(): Promise<void> {
    this.group.flush();
    this.db.raw.pragma('optimize');
  }

  async health(): Promise<string | null> {
    try {
      this.db.get('SELECT 1');
      return null;
    } catch (err) {
      return `SQLite: ${(err as Error).message}`;
    }
  }

  async close(): Promise<void> {
    // An indexer thread still writing its last round would recreate files in a data directory being removed.
    await Promise.all(this.indexers);
    this.group.flush();
    this.notifier.close();
    this.db.close();
  }
}
