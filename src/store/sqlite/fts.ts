/**
 * The full-text index that narrows SEARCH BODY/TEXT/header keys (RFC 9051 section 6.4.4) before the exact
 * evaluation: an FTS5 table with the trigram tokenizer over the search text of every body.
 *
 * The index only ever answers "which messages may contain this string": it returns a superset, and the
 * IMAP layer checks each candidate against the stored text exactly as it would without the index. So the
 * index may be coarse but must never miss a message: it keeps one text per body (header block, body text
 * and the parts' MIME header fields together) and no positions (detail=none, about a third of the size of
 * detail=column and faster to write); a string matches when all its trigrams occur, in any order, anywhere
 * in that text, whichever part was asked for. To that end the indexed text and the needle are
 * folded the same way the evaluator compares (NFC, then lower-case), and a final sigma is folded to sigma,
 * because JavaScript lower-cases a capital sigma by its context and a header field value is lower-cased
 * apart from the header block it was indexed in.
 *
 * Row ids are (account id << 32) + body id, so an account's rows are one rowid range (account ids below
 * 2^31, body ids below 2^32; neither is ever used again); the table is contentless (the text is in
 * search_text already).
 *
 * The index is a file of its own beside the store (searchIndexFile: letterbox-search.db beside
 * letterbox.db), written lazily and off the serving threads (as Dovecot's fts_autoindex): the transaction
 * that stores a body only queues it in the store's fts_pending, and indexPending() (run by one indexer per
 * server, fts-indexer.ts, on a thread of its own) moves queued bodies into the index in batches. In a file
 * of its own, the index's write lock is not the store's: tokenising a batch holds up no APPEND or STORE of
 * another thread or process. Deleted bodies and accounts are queued in fts_removed and
 * fts_removed_accounts likewise (an index entry of a deleted body matches no message).
 * SEARCH stays exact: the candidates are the index's matches plus every message whose body is still queued.
 *
 * The index can always be built again from the store, so it is disposable: the store and its index carry
 * the same token (fts_state, fts_meta); an index file that is missing, new or of another store is emptied
 * and every body queued again when the store opens (openSearchIndex). `letterbox restore` removes it.
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, extname, join } from 'node:path';
import { partHeaderText } from '../../mime/part-headers.js';
import type { MimePart } from '../../mime/types.js';
import type { SearchTextPart } from '../types.js';
import { call, exec, rows, type Rule } from '../mail/rule.js';
import { foldForIndex } from '../search-fold.js';
import { Db, idList } from './db.js';

/** FTS_QUEUE_SCHEMA creates the queues of the lazy index (migration 11): bodies to add, index entries to remove. IF NOT EXISTS: a database taken back to an older version (the migration tests) may still have them. */
export const FTS_QUEUE_SCHEMA = `
CREATE TABLE IF NOT EXISTS fts_pending (
  account_id INTEGER NOT NULL,
  body_id INTEGER NOT NULL,
  PRIMARY KEY (account_id, body_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fts_removed (
  account_id INTEGER NOT NULL,
  body_id INTEGER NOT NULL,
  PRIMARY KEY (account_id, body_id)
) WITHOUT ROWID;
`;

/**
 * FTS_FILE_MIGRATION moves the index out of the store into its own file (migration 12): the accounts whose
 * entries are to be removed, the token the index file must carry (set by openSearchIndex), every body queued
 * again for the new file, and the index of the store dropped.
 */
export const FTS_FILE_MIGRATION = `
CREATE TABLE IF NOT EXISTS fts_removed_accounts (account_id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS fts_state (token TEXT NOT NULL);
DELETE FROM fts_state;
INSERT OR IGNORE INTO fts_pending (account_id, body_id) SELECT account_id, body_id FROM search_text;
DELETE FROM fts_removed;
DROP TABLE IF EXISTS search_fts;
`;

/** FTS_SCHEMA created the index inside the store (migration 3; migration 12 drops it). Shipped: never edit. */
export const FTS_SCHEMA = `
CREATE VIRTUAL TABLE search_fts USING fts5(
  text,
  content = '', contentless_delete = 1, detail = none,
  tokenize = 'trigram case_sensitive 1'
);
`;

/** INDEX_FILE_SCHEMA creates the index file's tables: the index (one column, the folded text of a body) and the token of its store. */
const INDEX_FILE_SCHEMA = `
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
  text,
  content = '', contentless_delete = 1, detail = none,
  tokenize = 'trigram case_sensitive 1'
);
CREATE TABLE IF NOT EXISTS fts_meta (token TEXT NOT NULL);
`;

/** The most trigrams of one needle put in a query: more would narrow little and cost lookups. */
const MAX_TRIGRAMS = 24;

const INDEX_BODY_SQL = 'INSERT INTO search_fts (rowid, text) VALUES ((? << 32) + ?, ?)';

/** indexedText is what the index keeps of a body: its texts and the parts' MIME header fields, folded. */
function indexedText(text: { headers: string; body: string }, structure: MimePart): string {
  // "\n" between the parts: no needle spans it unless the message's own text has it there too (a header
  // block ends with one), and a superset is all the index must give.
  return foldForIndex(`${text.headers}\n${text.body}\n${partHeaderText(structure)}`);
}

/** searchIndexFile names the index file of the store `file`: letterbox-search.db beside letterbox.db; ":memory:" for ":memory:". */
export function searchIndexFile(file: string): string {
  if (file === ':memory:' || file === '') return ':memory:';
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}-search${ext}`);
}

/**
 * openSearchIndex opens (creating) the index of the store `store`, whose file is `file` (searchIndexFile),
 * and returns its connection. An index that does not carry the store's token (a new or missing file, one
 * left from another store) is emptied and every body of the store queued again, in the store's write
 * transaction. Throws what SQLite throws (SQLITE_CANTOPEN, SQLITE_BUSY after the busy timeout).
 */
export function openSearchIndex(store: Db, file: string): Db {
  const index = new Db(file);
  try {
    index.raw.exec(INDEX_FILE_SCHEMA);
    if (file === ':memory:') return index;
    store.write(() => {
      const token = store.get<{ token: string }>('SELECT token FROM fts_state')?.token;
      if (token !== undefined && index.get<{ token: string }>('SELECT token FROM fts_meta')?.token === token) return;
      const fresh = randomBytes(16).toString('hex');
      store.run('DELETE FROM fts_state');
      store.run('INSERT INTO fts_state (token) VALUES (?)', fresh);
      store.run('INSERT OR IGNORE INTO fts_pending (account_id, body_id) SELECT account_id, body_id FROM search_text');
      store.run('DELETE FROM fts_removed');
      store.run('DELETE FROM fts_removed_accounts');
      // Committed before the store's transaction: a crash between the two leaves the tokens apart, and the next open does this again.
      index.write(() => {
        index.run('DELETE FROM search_fts');
        index.run('DELETE FROM fts_meta');
        index.run('INSERT INTO fts_meta (token) VALUES (?)', fresh);
      });
    });
    return index;
  } catch (err) {
    index.close();
    throw err;
  }
}

/** queueBody queues body `bodyId` of the account for the index (in the transaction that inserts the body; indexPending indexes it). */
export function* queueBody(accountId: number, bodyId: number): Rule<void> {
  yield* exec('INSERT OR IGNORE INTO fts_pending (account_id, body_id) VALUES (?, ?)', accountId, bodyId);
}

/**
 * unindexBodies takes bodies `bodyIdsJson` (a JSON array, see idList) of the account out of the index: a
 * queued body leaves the queue; an indexed one is queued for removal (indexPending removes it).
 */
export function* unindexBodies(accountId: number, bodyIdsJson: string): Rule<void> {
  yield* exec(
    `INSERT OR IGNORE INTO fts_removed (account_id, body_id)
       SELECT ?, value FROM json_each(?) WHERE NOT EXISTS (SELECT 1 FROM fts_pending p WHERE p.account_id = ? AND p.body_id = value)`,
    accountId,
    bodyIdsJson,
    accountId,
  );
  yield* exec('DELETE FROM fts_pending WHERE account_id = ? AND body_id IN (SELECT value FROM json_each(?))', accountId, bodyIdsJson);
}

/** unindexAccount takes every body of the account out of the index's queues and queues the account's entries for removal. */
export function* unindexAccount(accountId: number): Rule<void> {
  yield* exec('DELETE FROM fts_pending WHERE account_id = ?', accountId);
  yield* exec('DELETE FROM fts_removed WHERE account_id = ?', accountId);
  yield* exec('INSERT OR IGNORE INTO fts_removed_accounts (account_id) VALUES (?)', accountId);
}

/** INDEX_BATCH: the most bodies one indexPending() indexes, and the most removals it makes. */
export const INDEX_BATCH = 200;

/** IndexRound is what one indexPending() did: bodies indexed, entries removed, and whether more are queued. */
export interface IndexRound {
  indexed: number;
  removed: number;
  more: boolean;
}

/**
 * indexPending moves up to INDEX_BATCH queued bodies (for about `sliceMs` milliseconds) from the store
 * `store` into the index `index` and makes up to INDEX_BATCH queued removals: the index's transaction
 * commits first (synchronous=FULL: on disk), then the store's, which takes the bodies off the queue. So a
 * crash between the two indexes a body twice (an entry is replaced), never loses one. A body deleted while
 * it was being indexed (its queue entry gone, and no removal queued, as it was not indexed yet) is queued
 * for removal then. Safe beside another indexPending on other connections. Throws what SQLite throws.
 */
export function indexPending(store: Db, index: Db, sliceMs: number): IndexRound {
  type Body = { headers: string; body: string; structure: string };
  const accounts = store.rows<[number]>('SELECT account_id FROM fts_removed_accounts LIMIT ?', INDEX_BATCH);
  const removed = store.rows<[number, number]>('SELECT account_id, body_id FROM fts_removed LIMIT ?', INDEX_BATCH);
  const queued = store.rows<[number, number]>('SELECT account_id, body_id FROM fts_pending LIMIT ?', INDEX_BATCH);
  if (accounts.length === 0 && removed.length === 0 && queued.length === 0) return { indexed: 0, removed: 0, more: false };
  const indexed: Array<[number, number]> = [];
  const start = performance.now();
  index.write(() => {
    for (const [account] of accounts) index.run('DELETE FROM search_fts WHERE rowid BETWEEN (? << 32) AND (? << 32) + 4294967295', account, account);
    for (const [account, body] of removed) index.run('DELETE FROM search_fts WHERE rowid = (? << 32) + ?', account, body);
    for (const [account, body] of queued) {
      const r = store.get<Body>(
        `SELECT s.headers, s.body, b.structure FROM search_text s JOIN bodies b ON b.account_id = s.account_id AND b.id = s.body_id
          WHERE s.account_id = ? AND s.body_id = ?`,
        account,
        body,
      );
      // Indexed once before (a crash after this commit and before the store's): the entry is replaced.
      index.run('DELETE FROM search_fts WHERE rowid = (? << 32) + ?', account, body);
      if (r) index.run(INDEX_BODY_SQL, account, body, indexedText(r, JSON.parse(r.structure) as MimePart));
      indexed.push([account, body]);
      if (performance.now() - start > sliceMs) break;
    }
  });
  // Not durable: a lost commit leaves bodies queued, to be indexed again.
  store.writeUnsynced(() => {
    for (const [account] of accounts) store.run('DELETE FROM fts_removed_accounts WHERE account_id = ?', account);
    for (const [account, body] of removed) store.run('DELETE FROM fts_removed WHERE account_id = ? AND body_id = ?', account, body);
    for (const [account, body] of indexed) {
      store.run('DELETE FROM fts_pending WHERE account_id = ? AND body_id = ?', account, body);
      if (!store.get('SELECT 1 FROM bodies WHERE account_id = ? AND id = ?', account, body)) {
        store.run('INSERT OR IGNORE INTO fts_removed (account_id, body_id) VALUES (?, ?)', account, body);
      }
    }
  });
  return {
    indexed: indexed.length,
    removed: removed.length + accounts.length,
    more: indexed.length < queued.length || queued.length === INDEX_BATCH || removed.length === INDEX_BATCH || accounts.length === INDEX_BATCH,
  };
}

/** INDEX_RETRY_MS: how long an upkeep loop waits after a failed round (the store busy for longer than its timeout, the disk full), ms. */
export const INDEX_RETRY_MS = 5000;

/** UpkeepTurn is one turn of an upkeep loop: the round run (null when it failed), its error, and how long to wait before the next (ms; 0: at once). */
export interface UpkeepTurn<R> {
  round: R | null;
  error: unknown;
  waitMs: number;
}

/**
 * upkeepTurn runs one round of an upkeep loop (the indexer thread's, fts-thread.ts, or the inline one of an
 * in-memory store, fts-indexer.ts): indexPending, or purgeRound (purge.ts). It says when to run the next: at
 * once while more is queued, after `pollMs` when the queue was emptied, after INDEX_RETRY_MS when the round
 * failed. Never throws.
 */
export function upkeepTurn<R extends { more: boolean }>(round: () => R, pollMs: number): UpkeepTurn<R> {
  try {
    const done = round();
    return { round: done, error: null, waitMs: done.more ? 0 : pollMs };
  } catch (error) {
    return { round: null, error, waitMs: INDEX_RETRY_MS };
  }
}

/** backfillIndex indexes every stored body into the store's own index (migration 3, for bodies stored before it; migration 12 drops that index). */
export function backfillIndex(db: Db): void {
  type Row = { account_id: number; body_id: number; headers: string; body: string; structure: string };
  // Pages by key: better-sqlite3 cannot write while a read is still iterating.
  let after = { account: 0, body: 0 };
  for (;;) {
    const batch = db.all<Row>(
      `SELECT s.account_id, s.body_id, s.headers, s.body, b.structure
         FROM search_text s JOIN bodies b ON b.account_id = s.account_id AND b.id = s.body_id
        WHERE (s.account_id, s.body_id) > (?, ?)
        ORDER BY s.account_id, s.body_id LIMIT 500`,
      after.account,
      after.body,
    );
    if (batch.length === 0) return;
    for (const r of batch) db.run(INDEX_BODY_SQL, r.account_id, r.body_id, indexedText(r, JSON.parse(r.structure) as MimePart));
    const last = batch[batch.length - 1]!;
    after = { account: last.account_id, body: last.body_id };
  }
}

/** Quotes one trigram as an FTS5 string (a double quote inside is doubled). */
function quote(t: string): string {
  return `"${t.replaceAll('"', '""')}"`;
}

/** trigramQuery returns the FTS5 query "all trigrams of the folded needle", or null under 3 characters. */
export function trigramQuery(needle: string): string | null {
  const chars = [...foldForIndex(needle)];
  if (chars.length < 3) return null;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length && grams.size < MAX_TRIGRAMS; i++) grams.add(chars.slice(i, i + 3).join(''));
  return [...grams].map(quote).join(' AND ');
}

/**
 * searchTextCandidates returns the UIDs of the mailbox's messages that may contain `needle` in `part`
 * (a superset of the exact answer: the index does not tell the parts apart, and every message whose body
 * is still queued is one), or null when the index cannot narrow (needle under 3 characters). The queue is
 * read before the index: a body that left the queue before that read was in the index before it
 * (indexPending commits the index first).
 */
export function* searchTextCandidates(accountId: number, mailboxId: number, _part: SearchTextPart, needle: string): Rule<Set<number> | null> {
  const query = trigramQuery(needle);
  if (query === null) return null;
  // CROSS JOIN keeps the queue first, whatever the statistics say: analysed while a large import was queued,
  // they had SQLite read every message of the mailbox for an empty queue (7.5 ms at 100,000 messages).
  const queued = yield* rows<[number]>(
    `SELECT m.uid FROM fts_pending p CROSS JOIN messages m ON m.account_id = p.account_id AND m.body_id = p.body_id
      WHERE p.account_id = ? AND m.mailbox_id = ?`,
    accountId,
    mailboxId,
  );
  const bodies = yield* call((db: Db) =>
    db.searchIndex().rows<[number]>(
      'SELECT rowid - (? << 32) FROM search_fts WHERE search_fts MATCH ? AND rowid BETWEEN (? << 32) AND (? << 32) + 4294967295',
      accountId,
      query,
      accountId,
      accountId,
    ),
  );
  const indexed = yield* rows<[number]>(
    'SELECT uid FROM messages WHERE account_id = ? AND mailbox_id = ? AND body_id IN (SELECT value FROM json_each(?))',
    accountId,
    mailboxId,
    idList(bodies.map((r) => r[0])),
  );
  return new Set([...queued, ...indexed].map((r) => r[0]));
}
