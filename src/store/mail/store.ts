/**
 * The Store (types.ts) over a Driver: every method is one mail rule run in a read or a write of the
 * driver, so both backends share one implementation of what the store does and when it announces a change.
 *
 * Folder rule: src/store/mail may import src/store/* shared files (types, flags, quota-rules, listing and
 * sort-date caches, nodes-sql, record, mailbox-names), src/mime and src/protocol types; never
 * src/store/sqlite, src/store/postgres, src/imap or anything above the store. Backends import it, not the
 * other way round.
 */
import type {
  Account,
  BackgroundOptions,
  ChangeListener,
  Changes,
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
  SearchTextPart,
  SearchTextRecord,
  ServerNode,
  SieveScriptInfo,
  SieveScriptLimits,
  ServerNodeState,
  SortFields,
  SortRecord,
  SpecialUse,
  Store,
} from '../types.js';
import { StoreError } from '../types.js';
import { LRUCache } from 'lru-cache';
import { BODY_CACHE_MAX_BODY_OCTETS, BODY_CACHE_OCTETS } from '../../limits.js';
import { ListingCache } from '../listing-cache.js';
import { SortDateCache, type SortDates } from '../sort-dates.js';
import { StructureCache } from '../structure-cache.js';
import * as accounts from './accounts.js';
import { appendMessages } from './append.js';
import { readBody, storedBodies } from './bodies.js';
import type { Driver } from './driver.js';
import { requireMailbox } from './locks.js';
import * as mailboxes from './mailboxes.js';
import * as messages from './messages.js';
import * as nodes from './nodes.js';
import * as penalty from './penalty.js';
import * as quota from './quota.js';
import * as sieve from './sieve.js';
import { renameMailbox } from './rename.js';
import * as updates from './updates.js';

export type { Driver, WriteOptions } from './driver.js';
export type { Dialect } from './dialect.js';
export type { CopyResult, FlagsResult } from './updates.js';

/** MailStore implements Store over a Driver; see the Store interface for each method's contract. */
export class MailStore implements Store {
  readonly kind: string;
  /** The listings of large mailboxes, for the next SELECT (listing-cache.ts). */
  private readonly listings = new ListingCache();
  /**
   * The bytes of the bodies read last, by "account/body": a body never changes and its id is never given
   * to another (ids only grow per account, accounts' too), so an entry is never stale; what a deleted body
   * leaves here no message names. Clients read a message more than once (its header, then its text; or on
   * each of a user's devices), and each FETCH of a section reads the whole body.
   */
  private readonly bodies = new LRUCache<string, Buffer>({
    maxSize: BODY_CACHE_OCTETS,
    maxEntrySize: BODY_CACHE_MAX_BODY_OCTETS,
    sizeCalculation: (b) => Math.max(1, b.length),
  });
  /** The parsed body structures read last (structure-cache.ts). */
  private readonly structures = new StructureCache();
  /** The \Recent claims under way on this node, by "account/mailbox" (claimRecent). */
  private readonly claims = new Map<string, { upTo: number; done: Promise<number> }>();
  /** SORT by ARRIVAL, DATE and SIZE of large mailboxes from memory, brought up to date on each read. */
  private readonly sortDates: SortDateCache;

  /** @param quotaDefaults the limits of accounts without their own */
  constructor(
    protected readonly driver: Driver,
    private readonly quotaDefaults: QuotaDefaults,
  ) {
    this.kind = driver.kind;
    const sql = driver.sql;
    this.sortDates = new SortDateCache({
      mailbox: async (a, m) => {
        const mb = await driver.read(() => requireMailbox(sql, a, m));
        return { uidValidity: mb.uid_validity, highestModseq: mb.highest_modseq, uidNext: mb.uid_next };
      },
      expunged: (a, m, after, upTo) => driver.read(() => messages.expungedBetween(a, m, after, upTo)),
      rows: (a, m, from, below) => driver.read(() => messages.sortDateRows(a, m, from, below)),
    });
  }

  async createAccount(email: string, passwordHash: string): Promise<Account> {
    return this.driver.write(() => accounts.createAccount(this.driver.sql, email, passwordHash));
  }

  async getAccount(email: string): Promise<Account | null> {
    return this.driver.read(() => accounts.getAccount(email));
  }

  async listAccounts(): Promise<Account[]> {
    return this.driver.read(() => accounts.listAccounts());
  }

  async setPasswordHash(accountId: number, passwordHash: string): Promise<void> {
    await this.driver.write(() => accounts.setPasswordHash(accountId, passwordHash));
  }

  async deleteAccount(accountId: number): Promise<void> {
    await this.driver.write(() => accounts.deleteAccount(this.driver.sql, accountId));
  }

  async getQuota(accountId: number): Promise<Quota> {
    return this.driver.read(() => quota.getQuota(this.driver.sql, accountId, this.quotaDefaults));
  }

  async setQuota(accountId: number, limits: { storage?: QuotaLimit; messages?: QuotaLimit }): Promise<void> {
    await this.driver.write(() => quota.setQuota(this.driver.sql, accountId, limits));
  }

  async recomputeQuota(accountId: number): Promise<Quota> {
    return this.driver.write(() => quota.recomputeQuota(this.driver.sql, accountId, this.quotaDefaults));
  }

  async listMailboxes(accountId: number): Promise<Mailbox[]> {
    return this.driver.read(() => mailboxes.listMailboxes(accountId));
  }

  async getMailbox(accountId: number, name: string): Promise<Mailbox | null> {
    return this.driver.read(() => mailboxes.getMailbox(this.driver.sql, accountId, name));
  }

  async createMailbox(accountId: number, name: string, specialUse?: SpecialUse | null): Promise<Mailbox> {
    return this.driver.write(() => mailboxes.createMailbox(this.driver.sql, accountId, name, specialUse ?? null));
  }

  async claimRecent(accountId: number, mailboxId: number, upTo: number, seen?: number): Promise<number> {
    const key = `${accountId}/${mailboxId}`;
    const read = async (): Promise<number> => (await this.driver.read(() => requireMailbox(this.driver.sql, accountId, mailboxId))).first_recent_uid;
    // Most calls find nothing left to claim (another session was first): a read (or the caller's), no commit to wait for.
    let first = seen ?? (await read());
    for (;;) {
      if (first >= upTo) return first;
      // One new message wakes every session that has the mailbox selected, and each reads before any has
      // claimed: the others wait for the claim under way on this node, so one commits.
      const running = this.claims.get(key);
      if (!running) break;
      // Once it has committed, first_recent_uid is at least its upTo: when that covers ours, nothing is left.
      const claimed = await running.done.then(
        () => running.upTo,
        () => 0,
      );
      if (claimed >= upTo) return claimed;
      first = await read();
    }
    // Losing a claim in a power cut only makes messages recent once more: no fsync to wait for.
    const done = this.driver.write(() => mailboxes.claimRecent(this.driver.sql, accountId, mailboxId, upTo), { durable: false });
    const claim = { upTo, done };
    this.claims.set(key, claim);
    try {
      return await done;
    } finally {
      if (this.claims.get(key) === claim) this.claims.delete(key);
    }
  }

  async deleteMailbox(accountId: number, name: string): Promise<void> {
    await this.driver.write(() => mailboxes.deleteMailbox(this.driver.sql, accountId, name));
  }

  async renameMailbox(accountId: number, from: string, to: string): Promise<void> {
    await this.driver.write(() => renameMailbox(this.driver.sql, accountId, from, to));
  }

  async setSubscribed(accountId: number, name: string, subscribed: boolean): Promise<void> {
    await this.driver.write(() => mailboxes.setSubscribed(accountId, name, subscribed));
  }

  async listSubscriptions(accountId: number): Promise<string[]> {
    return this.driver.read(() => mailboxes.listSubscriptions(accountId));
  }

  async mailboxCounts(accountId: number, mailboxId: number): Promise<MailboxCounts> {
    return this.driver.read(() => mailboxes.mailboxCounts(this.driver.sql, accountId, mailboxId), true);
  }

  async listMessages(accountId: number, mailboxId: number): Promise<MessageMeta[]> {
    return this.driver.read(() => messages.listMessages(this.driver.sql, this.listings, accountId, mailboxId));
  }

  async getMessages(accountId: number, mailboxId: number, uids: number[], parts?: RecordParts): Promise<MessageRecord[]> {
    return this.driver.read(() => messages.getMessages(this.driver.sql, accountId, mailboxId, uids, parts, this.structures));
  }

  async getSortRecords(accountId: number, mailboxId: number, uids: number[], fields: SortFields): Promise<SortRecord[]> {
    return this.driver.read(() => messages.getSortRecords(this.driver.sql, accountId, mailboxId, uids, fields));
  }

  async getSortDates(accountId: number, mailboxId: number): Promise<SortDates> {
    return this.sortDates.get(accountId, mailboxId);
  }

  async readBody(accountId: number, bodyId: number): Promise<Buffer> {
    for await (const data of this.readBodies(accountId, [bodyId])) if (data) return data;
    throw new StoreError('NONEXISTENT', 'Message does not exist');
  }

  async *readBodies(accountId: number, bodyIds: readonly number[]): AsyncGenerator<Buffer | null, void, undefined> {
    // A body deleted since (by any process) is null as without the cache: the kept ones are checked in one
    // read, which costs no read of their bytes.
    const kept = new Set(bodyIds.filter((id) => this.bodies.has(`${accountId}/${id}`)));
    const stored = kept.size > 0 ? await this.driver.read(() => storedBodies(this.driver.sql, accountId, [...kept])) : new Set<number>();
    for (const bodyId of bodyIds) {
      const key = `${accountId}/${bodyId}`;
      if (kept.has(bodyId) && !stored.has(bodyId)) {
        this.bodies.delete(key);
        yield null;
        continue;
      }
      // Evicted since the check, or never kept: its bytes are read (and kept).
      const data = (kept.has(bodyId) ? this.bodies.get(key) : undefined) ?? (await this.readStored(accountId, bodyId));
      yield data;
    }
  }

  /** readStored reads a body's bytes from the store and keeps them; null when it is no longer stored. */
  private async readStored(accountId: number, bodyId: number): Promise<Buffer | null> {
    try {
      const data = await this.driver.read(() => readBody(this.driver.sql, accountId, bodyId));
      this.bodies.set(`${accountId}/${bodyId}`, data);
      return data;
    } catch (err) {
      if (err instanceof StoreError && err.kind === 'NONEXISTENT') return null;
      throw err;
    }
  }

  getSearchText(accountId: number, mailboxId: number, uids: number[], withBody?: true): Promise<Map<number, { headers: string; body: string }>>;
  getSearchText(accountId: number, mailboxId: number, uids: number[], withBody: boolean): Promise<Map<number, SearchTextRecord>>;
  async getSearchText(accountId: number, mailboxId: number, uids: number[], withBody = true): Promise<Map<number, SearchTextRecord>> {
    return this.driver.read(() => messages.getSearchText(this.driver.sql, accountId, mailboxId, uids, withBody));
  }

  async searchTextCandidates(accountId: number, mailboxId: number, part: SearchTextPart, needle: string): Promise<Set<number> | null> {
    const sql = this.driver.sql;
    return this.driver.read(function* () {
      yield* requireMailbox(sql, accountId, mailboxId);
      return yield* sql.searchCandidates(accountId, mailboxId, part, needle);
    });
  }

  async appendMessages(accountId: number, mailboxId: number, msgs: NewMessage[]): Promise<{ uidValidity: number; uids: number[] }> {
    return this.driver.write(() => appendMessages(this.driver.sql, accountId, mailboxId, msgs, this.quotaDefaults));
  }

  async storeFlags(
    accountId: number,
    mailboxId: number,
    uids: number[],
    op: FlagOperation,
    flags: string[],
    unchangedSince?: number,
  ): Promise<updates.FlagsResult> {
    return this.driver.write(() => updates.storeFlags(this.driver.sql, accountId, mailboxId, uids, op, flags, unchangedSince));
  }

  async expunge(accountId: number, mailboxId: number, uids?: number[], opts: ExpungeOptions = {}): Promise<number[]> {
    return this.driver.write(() => updates.expunge(this.driver.sql, accountId, mailboxId, uids, opts.deletedOnly ?? true));
  }

  async copyMessages(accountId: number, fromMailboxId: number, uids: number[], toMailboxId: number): Promise<updates.CopyResult> {
    return this.driver.write(() => updates.copyMessages(this.driver.sql, accountId, fromMailboxId, uids, toMailboxId, this.quotaDefaults));
  }

  async moveMessages(accountId: number, fromMailboxId: number, uids: number[], toMailboxId: number): Promise<updates.CopyResult> {
    return this.driver.write(() => updates.moveMessages(this.driver.sql, accountId, fromMailboxId, uids, toMailboxId));
  }

  async replaceMessage(
    accountId: number,
    fromMailboxId: number,
    uid: number,
    toMailboxId: number,
    message: NewMessage,
  ): Promise<{ uidValidity: number; uid: number } | null> {
    return this.driver.write(() => updates.replaceMessage(this.driver.sql, accountId, fromMailboxId, uid, toMailboxId, message, this.quotaDefaults));
  }

  async changesSince(accountId: number, mailboxId: number, since: number): Promise<Changes> {
    return this.driver.read(() => messages.changesSince(this.driver.sql, accountId, mailboxId, since), true);
  }

  async highestModseq(accountId: number, mailboxId: number): Promise<number | null> {
    return this.driver.read(() => mailboxes.highestModseq(accountId, mailboxId));
  }

  async listSieveScripts(accountId: number): Promise<SieveScriptInfo[]> {
    return this.driver.read(() => sieve.listSieveScripts(accountId));
  }

  async getSieveScript(accountId: number, name: string): Promise<string | null> {
    return this.driver.read(() => sieve.getSieveScript(accountId, name));
  }

  async getActiveSieveScript(accountId: number): Promise<{ name: string; source: string } | null> {
    return this.driver.read(() => sieve.getActiveSieveScript(accountId));
  }

  async putSieveScript(accountId: number, name: string, source: string, limits: SieveScriptLimits): Promise<void> {
    const now = Date.now();
    await this.driver.write(() => sieve.putSieveScript(this.driver.sql, accountId, name, source, limits, now));
  }

  async setActiveSieveScript(accountId: number, name: string | null): Promise<void> {
    await this.driver.write(() => sieve.setActiveSieveScript(this.driver.sql, accountId, name));
  }

  async deleteSieveScript(accountId: number, name: string): Promise<void> {
    await this.driver.write(() => sieve.deleteSieveScript(this.driver.sql, accountId, name));
  }

  async renameSieveScript(accountId: number, from: string, to: string): Promise<void> {
    await this.driver.write(() => sieve.renameSieveScript(this.driver.sql, accountId, from, to));
  }

  async sieveSeen(accountId: number, key: string, now: number): Promise<boolean> {
    return this.driver.read(() => sieve.sieveSeen(accountId, key, now));
  }

  async sieveRecord(accountId: number, key: string, expiresAt: number): Promise<void> {
    const now = Date.now();
    await this.driver.write(() => sieve.sieveRecord(accountId, key, expiresAt, now));
  }

  onChange(listener: ChangeListener): () => void {
    return this.driver.onChange(listener);
  }

  async sendControl(message: ControlMessage): Promise<void> {
    await this.driver.sendControl(message);
  }

  onControl(listener: ControlListener): () => void {
    return this.driver.onControl(listener);
  }

  async putNode(node: ServerNode): Promise<void> {
    await this.driver.write(() => nodes.putNode(node));
  }

  async deleteNodes(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.driver.write(() => nodes.deleteNodes(this.driver.sql, ids));
  }

  async listNodes(): Promise<ServerNodeState[]> {
    return this.driver.read(() => nodes.listNodes());
  }

  async answerNode(id: string, requestId: string, answer: string): Promise<void> {
    await this.driver.write(() => nodes.answerNode(id, requestId, answer));
  }

  async reservePenalty(remote: string, user: string, now: number, expireMs: number, plan: (s: PenaltyReservation) => number): Promise<PenaltyReservation> {
    return this.driver.write(() => penalty.reservePenalty(remote, user, now, expireMs, plan));
  }

  async recordPenaltyFailure(remote: string, user: string, now: number, expireMs: number): Promise<void> {
    await this.driver.write(() => penalty.recordPenaltyFailure(remote, user, now, expireMs));
  }

  async clearPenaltyPair(remote: string, user: string): Promise<void> {
    // Most logins have no row to delete: a read spares them a commit.
    if (!(await this.driver.read(() => penalty.hasPenaltyPair(remote, user)))) return;
    await this.driver.write(() => penalty.clearPenaltyPair(remote, user));
  }

  async listPenalties(now: number, expireMs: number): Promise<PenaltyEntry[]> {
    return this.driver.read(() => penalty.listPenalties(now, expireMs));
  }

  async clearPenalties(remote: string | null): Promise<number> {
    return this.driver.write(() => penalty.clearPenalties(remote));
  }

  async purgePenalties(before: number): Promise<void> {
    await this.driver.write(() => penalty.purgePenalties(before));
  }

  startBackground(opts?: BackgroundOptions): () => void {
    return this.driver.startBackground(opts);
  }

  leaveBackground(): () => void {
    return this.driver.leaveBackground();
  }

  finishBackground(): Promise<void> {
    return this.driver.finishBackground();
  }

  async analyze(): Promise<void> {
    await this.driver.analyze();
  }

  async health(): Promise<string | null> {
    return this.driver.health();
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
