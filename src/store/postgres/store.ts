/**
 * The PostgreSQL backend of Store, for running several stateless Letterbox nodes on one database: a
 * connection pool for queries, one listening connection for other nodes' changes, bodies in a BlobStore.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { BlobStore } from '../blobs.js';
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
  SearchTextPart,
  SearchTextRecord,
  SortFields,
  SortRecord,
  Quota,
  QuotaDefaults,
  QuotaLimit,
  RecordParts,
  ServerNode,
  ServerNodeState,
  SpecialUse,
  Store,
} from '../types.js';
import { ANSWER_NODE_SQL, LIST_NODES_SQL, nodeParams, nodeState, PUT_NODE_SQL, type NodeRow } from '../nodes-sql.js';
import * as accounts from './accounts.js';
import { PgBlobStore, readBody } from './bodies.js';
import { changesSince } from './changes.js';
import { CONTROL_CHANNEL, Db, openPool, redactUrl, StorageUnavailableError, type Tx } from './db.js';
import * as mailboxes from './mailboxes.js';
import * as messages from './messages.js';
import { SortDateCache, type SortDates } from '../sort-dates.js';
import { migrate } from './migrations.js';
import { Notifier } from './notify.js';
import * as penalty from './penalty.js';
import * as quota from './quota.js';
import { renameMailbox } from './rename.js';
import { searchTextCandidates } from './search.js';
import * as updates from './updates.js';

/** ANALYZED_TABLES: the tables whose statistics decide the plans of reads (messages by UID, bodies, the text index). */
const ANALYZED_TABLES = ['mailboxes', 'messages', 'bodies', 'envelopes', 'search_text', 'search_index', 'expunged'];

/** analyzeTables runs ANALYZE on the tables reads plan on (after a bulk load; autovacuum does it later otherwise). */
export async function analyzeTables(db: { run(sql: string): Promise<number> }): Promise<void> {
  await db.run(`ANALYZE ${ANALYZED_TABLES.join(', ')}`);
}

/** PostgresStore implements Store over a Db; see the Store interface for each method's contract. */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  /** SORT by ARRIVAL, DATE and SIZE of large mailboxes from memory, brought up to date on each read. */
  private readonly sortDates: SortDateCache;

  constructor(
    private readonly db: Db,
    private readonly notifier: Notifier,
    private readonly blobs: BlobStore<Tx>,
    private readonly quotaDefaults: QuotaDefaults,
  ) {
    db.afterCommit = (a, m) => notifier.emit(a, m);
    this.sortDates = new SortDateCache(messages.sortDateSource(db));
  }

  /** listenerName is the application_name of this node's LISTEN connection (tests terminate it to test reconnection). */
  get listenerName(): string {
    return this.notifier.applicationName;
  }

  async createAccount(email: string, passwordHash: string): Promise<Account> {
    return accounts.createAccount(this.db, email, passwordHash);
  }

  async getAccount(email: string): Promise<Account | null> {
    return accounts.getAccount(this.db, email);
  }

  async listAccounts(): Promise<Account[]> {
    return accounts.listAccounts(this.db);
  }

  async setPasswordHash(accountId: number, passwordHash: string): Promise<void> {
    await accounts.setPasswordHash(this.db, accountId, passwordHash);
  }

  async deleteAccount(accountId: number): Promise<void> {
    await accounts.deleteAccount(this.db, this.blobs, accountId);
  }

  async getQuota(accountId: number): Promise<Quota> {
    return quota.getQuota(this.db, accountId, this.quotaDefaults);
  }

  async setQuota(accountId: number, limits: { storage?: QuotaLimit; messages?: QuotaLimit }): Promise<void> {
    await quota.setQuota(this.db, accountId, limits);
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
    return mailboxes.createMailbox(this.db, accountId, name, specialUse ?? null);
  }

  async claimRecent(accountId: number, mailboxId: number, upTo: number): Promise<number> {
    return mailboxes.claimRecent(this.db, accountId, mailboxId, upTo);
  }

  async deleteMailbox(accountId: number, name: string): Promise<void> {
    await mailboxes.deleteMailbox(this.db, this.blobs, accountId, name);
  }

  async renameMailbox(accountId: number, from: string, to: string): Promise<void> {
    await renameMailbox(this.db, accountId, from, to);
  }

  async setSubscribed(accountId: number, name: string, subscribed: boolean): Promise<void> {
    await mailboxes.setSubscribed(this.db, accountId, name, subscribed);
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

  async readBody(accountId: number, bodyId: number): Promise<Buffer> {
    return readBody(this.db, this.blobs, accountId, bodyId);
  }

  async getSortRecords(accountId: number, mailboxId: number, uids: number[], fields: SortFields): Promise<SortRecord[]> {
    return messages.getSortRecords(this.db, accountId, mailboxId, uids, fields);
  }

  async getSortDates(accountId: number, mailboxId: number): Promise<SortDates> {
    return this.sortDates.get(accountId, mailboxId);
  }

  async searchTextCandidates(accountId: number, mailboxId: number, part: SearchTextPart, needle: string): Promise<Set<number> | null> {
    return searchTextCandidates(this.db, accountId, mailboxId, part, needle);
  }

  getSearchText(accountId: number, mailboxId: number, uids: number[], withBody?: true): Promise<Map<number, { headers: string; body: string }>>;
  getSearchText(accountId: number, mailboxId: number, uids: number[], withBody: boolean): Promise<Map<number, SearchTextRecord>>;
  async getSearchText(accountId: number, mailboxId: number, uids: number[], withBody = true): Promise<Map<number, SearchTextRecord>> {
    return messages.getSearchText(this.db, accountId, mailboxId, uids, withBody);
  }

  async appendMessages(accountId: number, mailboxId: number, msgs: NewMessage[]): Promise<{ uidValidity: number; uids: number[] }> {
    return messages.appendMessages(this.db, this.blobs, accountId, mailboxId, msgs, this.quotaDefaults);
  }

  async storeFlags(
    accountId: number,
    mailboxId: number,
    uids: number[],
    op: FlagOperation,
    flags: string[],
    unchangedSince?: number,
  ): Promise<updates.FlagsResult> {
    return updates.storeFlags(this.db, accountId, mailboxId, uids, op, flags, unchangedSince);
  }

  async expunge(accountId: number, mailboxId: number, uids?: number[], opts: ExpungeOptions = {}): Promise<number[]> {
    return updates.expunge(this.db, this.blobs, accountId, mailboxId, uids, opts.deletedOnly ?? true);
  }

  async copyMessages(accountId: number, fromMailboxId: number, uids: number[], toMailboxId: number): Promise<updates.CopyResult> {
    return updates.copyMessages(this.db, accountId, fromMailboxId, uids, toMailboxId, this.quotaDefaults);
  }

  async moveMessages(accountId: number, fromMailboxId: number, uids: number[], toMailboxId: number): Promise<updates.CopyResult> {
    return updates.moveMessages(this.db, this.blobs, accountId, fromMailboxId, uids, toMailboxId);
  }

  async replaceMessage(
    accountId: number,
    fromMailboxId: number,
    uid: number,
    toMailboxId: number,
    message: NewMessage,
  ): Promise<{ uidValidity: number; uid: number } | null> {
    return updates.replaceMessage(this.db, this.blobs, accountId, fromMailboxId, uid, toMailboxId, message, this.quotaDefaults);
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
    await this.db.run('SELECT pg_notify(?, ?)', CONTROL_CHANNEL, JSON.stringify(message));
  }

  onControl(listener: ControlListener): () => void {
    return this.notifier.addControl(listener);
  }

  async putNode(node: ServerNode): Promise<void> {
    await this.db.run(PUT_NODE_SQL, ...nodeParams(node));
  }

  async deleteNodes(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.db.run('DELETE FROM server_nodes WHERE id = ANY(?::text[])', ids);
  }

  async listNodes(): Promise<ServerNodeState[]> {
    return (await this.db.all<NodeRow>(LIST_NODES_SQL)).map(nodeState);
  }

  async answerNode(id: string, requestId: string, answer: string): Promise<void> {
    await this.db.run(ANSWER_NODE_SQL, requestId, answer, id);
  }

  async reservePenalty(remote: string, user: string, now: number, expireMs: number, plan: (s: PenaltyReservation) => number): Promise<PenaltyReservation> {
    return penalty.reservePenalty(this.db, remote, user, now, expireMs, plan);
  }

  async recordPenaltyFailure(remote: string, user: string, now: number, expireMs: number): Promise<void> {
    await penalty.recordPenaltyFailure(this.db, remote, user, now, expireMs);
  }

  async clearPenaltyPair(remote: string, user: string): Promise<void> {
    await this.db.run('DELETE FROM auth_penalty WHERE remote = ? AND user_key = ?', remote, user);
  }

  async listPenalties(now: number, expireMs: number): Promise<PenaltyEntry[]> {
    return penalty.listPenalties(this.db, now, expireMs);
  }

  async clearPenalties(remote: string | null): Promise<number> {
    return penalty.clearPenalties(this.db, remote);
  }

  async purgePenalties(before: number): Promise<void> {
    await this.db.run('DELETE FROM auth_penalty WHERE last_failure < ? AND next_at < ?', before, before);
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
    await this.notifier.close();
    await this.db.close();
  }
}

/**
 * openPostgresStore connects to the PostgreSQL database at `url` (postgres://user:password@host:port/db),
 * brings its schema up to date, starts listening for other nodes' changes and returns the Store.
 * Throws Error (naming the URL without its password) if PostgreSQL cannot be reached, or if the schema is
 * newer than this code. `quota` is the limits of accounts without their own (default: none).
 */
export async function openPostgresStore(url: string, opts: { log?: Logger; quota?: QuotaDefaults; onCommit?: CommitObserver } = {}): Promise<PostgresStore> {
  const nodeId = randomBytes(6).toString('hex');
  const db = new Db(openPool(url, nodeId, opts.log), url, nodeId);
  db.onCommit = opts.onCommit ?? null;
  const notifier = new Notifier(url, nodeId, opts.log);
  try {
    const from = await migrate(db, opts.log);
    opts.log?.debug({ url: redactUrl(url), schemaVersionAtOpen: from }, 'postgres store open');
    await notifier.start();
  } catch (err) {
    await notifier.close();
    await db.close().catch(() => {});
    throw describeConnectError(err, url);
  }
  return new PostgresStore(db, notifier, new PgBlobStore(db), opts.quota ?? { storage: null, messages: null });
}

/** describeConnectError turns a connection failure into a StorageUnavailableError saying where it tried to connect; others pass unchanged. */
export function describeConnectError(err: unknown, url: string): unknown {
  const e = err as { code?: string; message?: string };
  if (typeof e?.message !== 'string') return err;
  const connectCodes = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '28P01', '28000', '3D000'];
  if (!connectCodes.includes(e.code ?? '')) return err;
  return new StorageUnavailableError(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${e.message}`);
}
