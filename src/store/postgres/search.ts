/**
 * The full-text index that narrows SEARCH BODY/TEXT/header keys (RFC 9051 section 6.4.4) before the exact
 * evaluation, on PostgreSQL: the search text of every body folded as SQLite's FTS5 index folds it
 * (foldForIndex, the same function, src/store/search-fold.ts), in search_index, under a GIN index of
 * pg_trgm trigrams, and asked with LIKE '%needle%'.
 *
 * As on SQLite the index only says "which messages may contain this string" (a superset; the IMAP layer
 * checks each candidate exactly). Unlike SQLite's one text per body, the header block, the body text and the
 * parts' MIME header fields are kept apart, so BODY names only messages whose body has the string, and the
 * GIN index's candidates are rechecked with LIKE on the folded text itself: a candidate contains the folded
 * needle as a substring of the part asked for.
 */
import type { MimePart } from '../../mime/types.js';
import { partHeaderText } from '../../mime/part-headers.js';
import { exec, rows, type Rule } from '../mail/rule.js';
import { foldForIndex } from '../search-fold.js';
import type { SearchTextPart } from '../types.js';
import { pgText, type Tx } from './db.js';

/** PG_TRGM_SQL makes the trigram operator classes available (a trusted extension since PostgreSQL 13: the database owner may create it). */
export const PG_TRGM_SQL = 'CREATE EXTENSION IF NOT EXISTS pg_trgm';

/**
 * SEARCH_INDEX_SQL creates search_index (migration 3): per body of an account, its header block, body text
 * and part MIME header fields (partHeaderText), each folded with foldForIndex (NUL as a space, see pgText).
 */
export const SEARCH_INDEX_SQL = `
CREATE TABLE search_index (
  account_id BIGINT NOT NULL,
  body_id BIGINT NOT NULL,
  headers TEXT NOT NULL,
  body TEXT NOT NULL,
  part_headers TEXT NOT NULL,
  PRIMARY KEY (account_id, body_id),
  FOREIGN KEY (account_id, body_id) REFERENCES bodies (account_id, id)
);
`;

/** SEARCH_GIN_SQL creates the trigram index over the three folded texts (after the backfill: one bulk build is faster than row by row). */
export const SEARCH_GIN_SQL = `
CREATE INDEX search_index_trgm ON search_index
  USING gin (headers gin_trgm_ops, body gin_trgm_ops, part_headers gin_trgm_ops);
`;

// Bodies per statement in the backfill: few round trips, bounded memory.
const BACKFILL_BATCH = 500;

/** FoldedText is what search_index holds of one body. */
interface FoldedText {
  headers: string;
  body: string;
  partHeaders: string;
}

function fold(text: { headers: string; body: string }, structure: MimePart): FoldedText {
  const f = (s: string) => pgText(foldForIndex(s));
  return { headers: f(text.headers), body: f(text.body), partHeaders: f(partHeaderText(structure)) };
}

async function insertFolded(tx: Tx, accountIds: number[], bodyIds: number[], texts: FoldedText[]): Promise<void> {
  await tx.run(
    `INSERT INTO search_index (account_id, body_id, headers, body, part_headers)
     SELECT * FROM UNNEST(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[])`,
    accountIds,
    bodyIds,
    texts.map((t) => t.headers),
    texts.map((t) => t.body),
    texts.map((t) => t.partHeaders),
  );
}

/** indexBody adds body `bodyId` of the account to the index (in the transaction that inserts the body). */
export function* indexBody(accountId: number, bodyId: number, text: { headers: string; body: string }, structure: MimePart): Rule<void> {
  const t = fold(text, structure);
  yield* exec(
    'INSERT INTO search_index (account_id, body_id, headers, body, part_headers) VALUES (?, ?, ?, ?, ?)',
    accountId,
    bodyId,
    t.headers,
    t.body,
    t.partHeaders,
  );
}

/**
 * createSearchIndex is migration 3: pg_trgm, search_index filled for every stored body, then its GIN index.
 * Throws Error saying what to do when pg_trgm cannot be created (not installed, or no right to create it).
 */
export async function createSearchIndex(tx: Tx): Promise<void> {
  try {
    await tx.run(PG_TRGM_SQL);
  } catch (err) {
    throw new Error(
      `the full-text index for SEARCH needs the PostgreSQL extension pg_trgm, and CREATE EXTENSION pg_trgm failed: ${(err as Error).message}. ` +
        'Since PostgreSQL 13 the owner of the database may create it; otherwise have a superuser run CREATE EXTENSION pg_trgm in this database ' +
        '(it ships with PostgreSQL, in the postgresql-contrib package on some distributions), then start Letterbox again',
    );
  }
  await tx.run(SEARCH_INDEX_SQL);
  type Row = { account_id: number; body_id: number; headers: string; body: string; structure: string };
  let after = { account: 0, body: 0 };
  for (;;) {
    const rows = await tx.all<Row>(
      `SELECT s.account_id, s.body_id, s.headers, s.body, b.structure
         FROM search_text s JOIN bodies b ON b.account_id = s.account_id AND b.id = s.body_id
        WHERE (s.account_id, s.body_id) > (?, ?)
        ORDER BY s.account_id, s.body_id LIMIT ${BACKFILL_BATCH}`,
      after.account,
      after.body,
    );
    if (rows.length === 0) break;
    await insertFolded(
      tx,
      rows.map((r) => r.account_id),
      rows.map((r) => r.body_id),
      rows.map((r) => fold(r, JSON.parse(r.structure) as MimePart)),
    );
    const last = rows[rows.length - 1]!;
    after = { account: last.account_id, body: last.body_id };
  }
  await tx.run(SEARCH_GIN_SQL);
}

/** likeContaining is the LIKE pattern "contains `s`": `\`, `%` and `_` in `s` escaped with `\` (LIKE's default escape). */
export function likeContaining(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const PART_CONDITION: Record<SearchTextPart, string> = {
  headers: 's.headers LIKE ?',
  body: 's.body LIKE ?',
  // "the header (including MIME header fields) or body of the message" (RFC 9051 section 6.4.4).
  text: '(s.headers LIKE ? OR s.body LIKE ? OR s.part_headers LIKE ?)',
};

/**
 * searchTextCandidates returns the UIDs of the mailbox's messages whose `part` contains `needle` once both
 * are folded (a superset of the exact answer), or null when the index cannot narrow (a needle under 3
 * characters: no trigram).
 */
export function* searchTextCandidates(accountId: number, mailboxId: number, part: SearchTextPart, needle: string): Rule<Set<number> | null> {
  const folded = pgText(foldForIndex(needle));
  if ([...folded].length < 3) return null;
  const pattern = likeContaining(folded);
  const patterns = part === 'text' ? [pattern, pattern, pattern] : [pattern];
  const uids = yield* rows<[number]>(
    `SELECT m.uid FROM search_index s
       JOIN messages m ON m.account_id = s.account_id AND m.body_id = s.body_id
      WHERE s.account_id = ? AND m.mailbox_id = ? AND ${PART_CONDITION[part]}`,
    accountId,
    mailboxId,
    ...patterns,
  );
  return new Set(uids.map((r) => r[0]));
}
