/**
 * The embedded SQLite backend of Store: one file, one connection, WAL, every write one transaction.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type {
  Account,
  ChangeListener,
  Changes,
  CommitObserver,
  ControlListener,
  ControlMessage,
  ExpungeOptions,
  FlagOperation,
  Mailbox,
  MailboxCounts,
  MessageMeta,
  MessageRecord,
  NewMessage,
  PenaltyEntry,
  PenaltyReservation,
  Quota,
  QuotaDefaults,
  QuotaLimit,
  RecordParts,
  SortFields,
  SortRecord,
  SearchTextPart,
  SearchTextRecord,
  ServerNode,
  ServerNodeState,
  SpecialUse,
  Store,
} from '../types.js';
import { ANSWER_NODE_SQL, LIST_NODES_SQL, nodeParams, nodeState, PUT_NODE_SQL, type NodeRow } from '../nodes-sql.js';
import { StoreOpenError } from '../types.js';
import * as accounts from './accounts.js';
import { readBody } from './bodies.js';
import { changesSince } from './changes.js';
import { insertControl, readControl } from './control.js';
import { Db } from './db.js';
import { searchTextCandidates } from './fts.js';
import { GroupCommit } from './group-commit.js';
import * as mailboxes from './mailboxes.js';
import * as messages from './messages.js';
import { SortDateCache, type SortDates } from '../sort-dates.js';
import { migrate } from './migrations.js';
import { Notifier } from './notify.js';
import * as penalty from './penalty.js';
import * as quota from './quota.js';
import { renameMailbox } from './rename.js';
import * as updates from './updates.js';

/** SqliteStore implements Store over a Db; see the Store interface for each method's contract. */
class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly notifier: Notifier;
  /** The message writes sessions make all the time (APPEND, STORE, EXPUNGE, COPY, MOVE) share commits. */
  private readonly group: GroupCommit;
  /** SORT by ARRIVAL, DATE and SIZE of large mailboxes from memory, brought up to date on each read. */
  private readonly sortDates: SortDateCache;

  constructor(
    private readonly db: Db,
    private readonly quotaDefaults: QuotaDefaults,
    log?: Logger,
    onCommit?: CommitObserver,
  ) {
    this.notifier = new Notifier(
      () => db.dataVersion(),
      (afterId) => readControl(db, afterId),
      log,
    );
    this.group = new GroupCommit(db, onCommit);
    this.sortDates = new SortDateCache(messages.sortDateSource(db));
  }

  async createAccount(email: string, passwordHash: string): Promise<Account> {
    const account = accounts.createAccount(this.db, email, passwordHash);
    this.notifier.emit(account.id, null);
    return account;
  }

  async getAccount(email: string): Promise<Account | null> {
    return accounts.getAccount(this.db, email);
  }

  async listAccounts(): Promise<Account[]> {
    return accounts.listAccounts(this.db);
  }

  async setPasswordHash(accountId: number, passwordHash: string): Promise<void> {
    accounts.setPasswordHash(this.db, accountId, passwordHash);
  }

  async deleteAccount(accountId: number): Promise<void> {
    accounts.deleteAccount(this.db, accountId);
    this.notifier.emit(accountId, null);
  }

  async getQuota(accountId: number): Promise<Quota> {
    return quota.getQuota(this.db, accountId, this.quotaDefaults);
  }

  async setQuota(accountId: number, limits: { storage?: QuotaLimit; messages?: QuotaLimit }): Promise<void> {
    quota.setQuota(this.db, accountId, limits);
  }

  async recomputeQuota(accountId: number): Promise<Quota> {
    return quota.recomputeQuota(this.db, accountId, this.quotaDefaults);
  }

  async listMailboxes(accountId: number): Promise<Mailbox[]> {
    return mailboxes.listMailboxes(this.db, accountId);
  }

  async getMailbox(accountId: number, name: string): Promise<Mailbox | null> {
    return mailboxes.getMailbox(this.db, accountId, name);
  }

  async createMailbox(accountId: number, name: string, specialUse?: SpecialUse | null): Promise<Mailbox> {
    const mailbox = mailboxes.createMailbox(this.db, accountId, name, specialUse ?? null);
    this.notifier.emit(accountId, null);
    return mailbox;
  }

  async claimRecent(accountId: number, mailboxId: number, upTo: number): Promise<number> {
    // Most calls find nothing left to claim (another session was first): a read, no commit to wait for.
    const seen = mailboxes.requireMailbox(this.db, accountId, mailboxId).first_recent_uid;
    if (seen >= upTo) return seen;
    // Losing a claim in a power cut only makes messages recent once more: no fsync to wait for.
    return this.db.writeUnsynced(() => mailboxes.claimRecent(this.db, accountId, mailboxId, upTo));
  }

  async deleteMailbox(accountId: number, name: string): Promise<void> {
    mailboxes.deleteMailbox(this.db, accountId, name);
    this.notifier.emit(accountId, null);
  }

  async renameMailbox(accountId: number, from: string, to: string): Promise<void> {
    renameMailbox(this.db, accountId, from, to);
    this.notifier.emit(accountId, null);
  }

  async setSubscribed(accountId: number, name: string, subscribed: boolean): Promise<void> {
    mailboxes.setSubscribed(this.db, accountId, name, subscribed);
  }

  async listSubscriptions(accountId: number): Promise<string[]> {
    return mailboxes.listSubscriptions(this.db, accountId);
  }

  async mailboxCounts(accountId: number, mailboxId: number): Promise<MailboxCounts> {
    return mailboxes.mailboxCounts(this.db, accountId, mailboxId);
  }

  async listMessages(accountId: number, mailboxId: number): Promise<MessageMeta[]> {
    return messages.listMessages(this.db, accountId, mailboxId);
  }

  async getMessages(accountId: number, mailboxId: number, uids: number[], parts?: RecordParts): Promise<MessageRecord[]> {
    return messages.getMessages(this.db, accountId, mailboxId, uids, parts);
  }

  async getSortRecords(accountId: number, mailboxId: number, uids: number[], fields: SortFields): Promise<SortRecord[]> {
    return messages.getSortRecords(this.db, accountId, mailboxId, uids, fields);
  }

  async getSortDates(accountId: number, mailboxId: number): Promise<SortDates> {
    return this.sortDates.get(accountId, mailboxId);
  }

  async readBody(accountId: number, bodyId: number): Promise<Buffer> {
    return readBody(this.db, accountId, bodyId);
  }

  getSearchText(accountId: number, mailboxId: number, uids: number[], withBody?: true): Promise<Map<number, { headers: string; body: string }>>;
  getSearchText(accountId: number, mailboxId: number, uids: number[], withBody: boolean): Promise<Map<number, SearchTextRecord>>;
  async getSearchText(accountId: number, mailboxId: number, uids: number[], withBody = true): Promise<Map<number, SearchTextRecord>> {
    return messages.getSearchText(this.db, accountId, mailboxId, uids, withBody);
  }

  async searchTextCandidates(accountId: number, mailboxId: number, part: SearchTextPart, needle: string): Promise<Set<number> | null> {
    return searchTextCandidates(this.db, accountId, mailboxId, part, needle);
  }

  async appendMessages(accountId: number, mailboxId: number, msgs: NewMessage[]): Promise<{ uidValidity: number; uids: number[] }> {
    const result = await this.group.run(() => messages.appendMessages(this.db, accountId, mailboxId, msgs, this.quotaDefaults));
    if (result.uids.length > 0) this.notifier.emit(accountId, mailboxId);
    return result;
  }

  async storeFlags(
    accountId: number,
    mailboxId: number,
    uids: number[],
    op: FlagOperation,
    flags: string[],
    unchangedSince?: number,
  ): Promise<updates.FlagsResult> {
    const result = await this.group.run(() => updates.storeFlags(this.db, accountId, mailboxId, uids, op, flags, unchangedSince));
    if (result.updated.length > 0) this.notifier.emit(accountId, mailboxId);
    return result;
  }

  async expunge(accountId: number, mailboxId: number, uids?: number[], opts: ExpungeOptions = {}): Promise<number[]> {
    const expunged = await this.group.run(() => updates.expunge(this.db, accountId, mailboxId, uids, opts.deletedOnly ?? true));
    if (expunged.length > 0) this.notifier.emit(accountId, mailboxId);
    return expunged;
  }

  async copyMessages(accountId: number, fromMailboxId: number, uids: number[], toMailboxId: number): Promise<updates.CopyResult> {
    const result = await this.group.run(() => updates.copyMessages(this.db, accountId, fromMailboxId, uids, toMailboxId, this.quotaDefaults));
    if (result.destUids.length > 0) this.notifier.emit(accountId, toMailboxId);
    return result;
  }

  async moveMessages(accountId: number, fromMailboxId: number, uids: number[], toMailboxId: number): Promise<updates.CopyResult> {
    const result = await this.group.run(() => updates.moveMessages(this.db, accountId, fromMailboxId, uids, toMailboxId));
    if (result.destUids.length > 0) {
      this.notifier.emit(accountId, fromMailboxId);
      if (toMailboxId !== fromMailboxId) this.notifier.emit(accountId, toMailboxId);
    }
    return result;
  }

  async replaceMessage(
    accountId: number,
    fromMailboxId: number,
    uid: number,
    toMailboxId: number,
    message: NewMessage,
  ): Promise<{ uidValidity: number; uid: number } | null> {
    const result = updates.replaceMessage(this.db, accountId, fromMailboxId, uid, toMailboxId, message, this.quotaDefaults);
    if (result) {
      this.notifier.emit(accountId, fromMailboxId);
      if (toMailboxId !== fromMailboxId) this.notifier.emit(accountId, toMailboxId);
    }
    return result;
  }

  async changesSince(accountId: number, mailboxId: number, since: number): Promise<Changes> {
    return changesSince(this.db, accountId, mailboxId, since);
  }

  async highestModseq(accountId: number, mailboxId: number): Promise<number | null> {
    return mailboxes.highestModseq(this.db, accountId, mailboxId);
  }

  onChange(listener: ChangeListener): () => void {
    return this.notifier.add(listener);
  }

  async sendControl(message: ControlMessage): Promise<void> {
    await this.group.run(() => insertControl(this.db, message, Date.now()));
    this.notifier.emitControl(message);
  }

  onControl(listener: ControlListener): () => void {
    return this.notifier.addControl(listener);
  }

  async putNode(node: ServerNode): Promise<void> {
    await this.group.run(() => this.db.run(PUT_NODE_SQL, ...nodeParams(node)));
  }

  async deleteNodes(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.group.run(() => this.db.run('DELETE FROM server_nodes WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(ids)));
  }

  async listNodes(): Promise<ServerNodeState[]> {
    return this.db.all<NodeRow>(LIST_NODES_SQL).map(nodeState);
  }

  async answerNode(id: string, requestId: string, answer: string): Promise<void> {
    await this.group.run(() => this.db.run(ANSWER_NODE_SQL, requestId, answer, id));
  }

  async reservePenalty(remote: string, user: string, now: number, expireMs: number, plan: (s: PenaltyReservation) => number): Promise<PenaltyReservation> {
    return this.group.run(() => penalty.reservePenalty(this.db, remote, user, now, expireMs, plan));
  }

  async recordPenaltyFailure(remote: string, user: string, now: number, expireMs: number): Promise<void> {
    await this.group.run(() => penalty.recordPenaltyFailure(this.db, remote, user, now, expireMs));
  }

  async clearPenaltyPair(remote: string, user: string): Promise<void> {
    // Most logins have no row to delete: a read spares them a commit.
    if (!this.db.get('SELECT 1 FROM auth_penalty WHERE remote = ? AND user_key = ?', remote, user)) return;
    await this.group.run(() => this.db.run('DELETE FROM auth_penalty WHERE remote = ? AND user_key = ?', remote, user));
  }

  async listPenalties(now: number, expireMs: number): Promise<PenaltyEntry[]> {
    return penalty.listPenalties(this.db, now, expireMs);
  }

  async clearPenalties(remote: string | null): Promise<number> {
    return this.group.run(() => {
      const n = remote === null
        ? this.db.get<{ n: number }>('SELECT COUNT(DISTINCT remote) AS n FROM auth_penalty')!.n
        : this.db.get<{ n: number }>('SELECT COUNT(DISTINCT remote) AS n FROM auth_penalty WHERE remote = ?', remote)!.n;
      if (remote === null) this.db.run('DELETE FROM auth_penalty');
      else this.db.run('DELETE FROM auth_penalty WHERE remote = ?', remote);
      return n;
    });
  }

  async purgePenalties(before: number): Promise<void> {
    await this.group.run(() => this.db.run('DELETE FROM auth_penalty WHERE last_failure < ? AND next_at < ?', before, before));
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
    this.group.flush();
    this.notifier.close();
    this.db.close();
  }
}

/**
 * describeOpenError turns what opening `file` threw into a StoreOpenError naming the file when it is a
 * damaged database or a permission problem; anything else is returned unchanged.
 */
function describeOpenError(err: unknown, file: string): unknown {
  const code = String((err as { code?: unknown })?.code ?? '');
  const message = (err as Error)?.message ?? String(err);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new StoreOpenError('damaged', `the database ${file} is damaged or is not a SQLite database (${message}); restore it from a backup`);
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')) {
    const user = process.getuid?.() ?? '?';
    return new StoreOpenError('access', `cannot open the database ${file} for writing as uid ${user}: ${message}; run letterbox as the owner of the data directory`);
  }
  return err;
}

/**
 * openSqliteStore opens (creating if missing, with its directory, mode 0600) the SQLite database `file`,
 * brings its schema up to date and returns the Store. Throws Error if the file's schema is newer than this
 * code, or if it cannot be opened. ":memory:" gives a private in-memory store (for tests). `quota` is the
 * limits of accounts without their own (default: none).
 */
export async function openSqliteStore(file: string, opts: { log?: Logger; quota?: QuotaDefaults; onCommit?: CommitObserver } = {}): Promise<Store> {
  let db: Db;
  try {
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // Mail and password hashes: readable by the server's user only (SQLite gives -wal/-shm the same mode).
      closeSync(openSync(file, 'a', 0o600));
    }
    db = new Db(file);
  } catch (err) {
    throw describeOpenError(err, file);
  }
  try {
    const from = migrate(db, opts.log);
    opts.log?.debug({ file, schemaVersionAtOpen: from }, 'sqlite store open');
  } catch (err) {
    db.close();
    throw describeOpenError(err, file);
  }
  return new SqliteStore(db, opts.quota ?? { storage: null, messages: null }, opts.log, opts.onCommit);
}
