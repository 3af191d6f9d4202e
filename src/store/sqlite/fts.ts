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
 * 2^31, body ids below 2^32); the table is contentless (the text is in search_text already).
 *
 * The index is written lazily, off the path that acknowledges a message (as Dovecot's fts_autoindex): the
 * transaction that stores a body only queues it in fts_pending, and indexPending() (run in the background by
 * each serving process, FtsIndexer) moves queued bodies into search_fts in batches, where FTS5's segment
 * writes and merges cost once per batch instead of once per APPEND. Deleted bodies are queued in
 * fts_removed likewise (an index entry of a deleted body matches no message: body ids are never reused).
 * SEARCH stays exact: the candidates are the index's matches plus every message whose body is still queued.
 */
import { partHeaderText } from '../../mime/part-headers.js';
import type { MimePart } from '../../mime/types.js';
import type { SearchTextPart } from '../types.js';
import { exec, many, rows, type Rule } from '../mail/rule.js';
import { foldForIndex } from '../search-fold.js';
import type { Db } from './db.js';

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

/** FTS_SCHEMA creates the index (migration 2): one column, the decoded header block, body text and MIME header fields of the parts, folded. */
export const FTS_SCHEMA = `
CREATE VIRTUAL TABLE search_fts USING fts5(
  text,
  content = '', contentless_delete = 1, detail = none,
  tokenize = 'trigram case_sensitive 1'
);
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

/** unindexAccount removes every body of the account from the index and its queues. */
export function* unindexAccount(accountId: number): Rule<void> {
  yield* exec('DELETE FROM search_fts WHERE rowid BETWEEN (? << 32) AND (? << 32) + 4294967295', accountId, accountId);
  yield* exec('DELETE FROM fts_pending WHERE account_id = ?', accountId);
  yield* exec('DELETE FROM fts_removed WHERE account_id = ?', accountId);
}

/** INDEX_BATCH: the most bodies one indexPending() indexes, and the most removals it makes. */
export const INDEX_BATCH = 200;

/** INDEX_SLICE_MS: indexPending() stops adding bodies after this long (ms), so the event loop is held briefly. */
const INDEX_SLICE_MS = 15;

/**
 * indexPending indexes up to INDEX_BATCH queued bodies (for about INDEX_SLICE_MS) and makes up to
 * INDEX_BATCH queued removals, in the caller's write transaction; returns how many of each it did, and
 * whether more are queued (run it again then).
 */
export function* indexPending(): Rule<{ indexed: number; removed: number; more: boolean }> {
  type Row = { account_id: number; body_id: number; headers: string; body: string; structure: string };
  const removed = yield* rows<[number, number]>('SELECT account_id, body_id FROM fts_removed LIMIT ?', INDEX_BATCH);
  for (const [account, body] of removed) {
    yield* exec('DELETE FROM search_fts WHERE rowid = (? << 32) + ?', account, body);
    yield* exec('DELETE FROM fts_removed WHERE account_id = ? AND body_id = ?', account, body);
  }
  const queued = yield* many<Row>(
    `SELECT p.account_id, p.body_id, s.headers, s.body, b.structure
       FROM fts_pending p
       JOIN search_text s ON s.account_id = p.account_id AND s.body_id = p.body_id
       JOIN bodies b ON b.account_id = p.account_id AND b.id = p.body_id
      LIMIT ?`,
    INDEX_BATCH,
  );
  const start = performance.now();
  let indexed = 0;
  for (const r of queued) {
    yield* exec(INDEX_BODY_SQL, r.account_id, r.body_id, indexedText(r, JSON.parse(r.structure) as MimePart));
    yield* exec('DELETE FROM fts_pending WHERE account_id = ? AND body_id = ?', r.account_id, r.body_id);
    indexed++;
    if (performance.now() - start > INDEX_SLICE_MS) break;
  }
  // A queued body whose rows are gone (cannot happen through the store, which unqueues what it deletes) would stay queued for ever.
  if (queued.length === 0) yield* exec('DELETE FROM fts_pending WHERE NOT EXISTS (SELECT 1 FROM search_text s WHERE s.account_id = fts_pending.account_id AND s.body_id = fts_pending.body_id)');
  return { indexed, removed: removed.length, more: indexed < queued.length || queued.length === INDEX_BATCH || removed.length === INDEX_BATCH };
}

/** backfillIndex indexes every stored body (migration 2 runs it once, for bodies stored before the index existed). */
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
 * is still queued is one), or null when the index cannot narrow (needle under 3 characters).
 */
export function* searchTextCandidates(accountId: number, mailboxId: number, _part: SearchTextPart, needle: string): Rule<Set<number> | null> {
  const query = trigramQuery(needle);
  if (query === null) return null;
  const uids = yield* rows<[number]>(
    `SELECT m.uid FROM search_fts f
       JOIN messages m ON m.account_id = ? AND m.body_id = f.rowid - (? << 32)
      WHERE search_fts MATCH ? AND f.rowid BETWEEN (? << 32) AND (? << 32) + 4294967295 AND m.mailbox_id = ?`,
    accountId,
    accountId,
    query,
    accountId,
    accountId,
    mailboxId,
  );
  const queued = yield* rows<[number]>(
    `SELECT m.uid FROM fts_pending p JOIN messages m ON m.account_id = p.account_id AND m.body_id = p.body_id
      WHERE p.account_id = ? AND m.mailbox_id = ?`,
    accountId,
    mailboxId,
  );
  return new Set([...uids, ...queued].map((r) => r[0]));
}
