/**
 * Dialect: what the mail rules ask of a backend where SQLite and PostgreSQL differ. Fragments of SQL
 * (id lists, row locks), the few statements that are one bulk statement in PostgreSQL and one statement
 * per row in SQLite, body storage (SQLite keeps the bytes in the bodies row, PostgreSQL deduplicates by
 * content hash into a BlobStore) and the full-text index. Each is a Rule, so it runs inside the caller's
 * transaction. Implemented by sqlite/dialect.ts and postgres/dialect.ts; nothing here decides mail semantics.
 */
import type { MimePart } from '../../mime/types.js';
import type { NewMessage, SearchTextPart } from '../types.js';
import type { Rule, SqlValue } from './rule.js';
import type { FlagUpdate, MessageInsert } from './rows.js';

/** Dialect is one backend's SQL where it differs; see the module comment. */
export interface Dialect {
  /** inIds is the condition "`column` is one of the ids of one parameter" (give the parameter as ids()). */
  inIds(column: string): string;
  /** ids encodes UIDs or ids for inIds, dropping any that is not a positive integer. */
  ids(ids: readonly number[]): SqlValue;
  /** inTexts is the condition "`column` is one of the strings of one parameter" (give the parameter as texts()). */
  inTexts(column: string): string;
  /** texts encodes strings for inTexts. */
  texts(values: readonly string[]): SqlValue;
  /**
   * forUpdate ends a SELECT of one row that must stay locked until the transaction ends (' FOR UPDATE');
   * empty in SQLite, whose write transaction holds the whole database.
   */
  readonly forUpdate: string;
  /** forNoKeyUpdate is forUpdate for an account row (' FOR NO KEY UPDATE': foreign keys to it may still be added). */
  readonly forNoKeyUpdate: string;
  /** greatest names the two-argument maximum function (GREATEST; SQLite's MAX). */
  readonly greatest: string;
  /** bigint casts a parameter to BIGINT where the statement does not tell its type ('::bigint'; empty in SQLite). */
  readonly bigint: string;
  /** text makes a string storable as text (PostgreSQL text cannot hold NUL). */
  text(s: string): string;

  /** setFlags writes the new flags and `modseq` of messages of the mailbox (STORE). */
  setFlags(accountId: number, mailboxId: number, modseq: number, updates: readonly FlagUpdate[]): Rule<void>;
  /** insertMessages writes rows of messages into the mailbox. */
  insertMessages(accountId: number, mailboxId: number, rows: readonly MessageInsert[]): Rule<void>;
  /** deleteMessages deletes messages of the mailbox by UID and records each UID in expunged with `modseq`. */
  deleteMessages(accountId: number, mailboxId: number, uids: readonly number[], modseq: number): Rule<void>;
  /** findBody returns the id of a body of the account with the bytes of `msg`, when the backend shares bodies by content; else undefined. */
  findBody(accountId: number, msg: NewMessage): Rule<number | undefined>;
  /** putBody stores the bytes, size, sent date, envelope and structure of `msg` as body `bodyId`. */
  putBody(accountId: number, bodyId: number, msg: NewMessage): Rule<void>;
  /** bodyKey is the column (of bodies as `b`) that deleteBodies needs beside the id, or NULL. */
  readonly bodyKey: string;
  /** deleteBodies deletes body rows (and their bytes, and their index entries) of the account; `keys` as selected by bodyKey. */
  deleteBodies(accountId: number, ids: readonly number[], keys: readonly (string | null)[]): Rule<void>;
  /** readBody returns the bytes of body `bodyId` of the account, or null. */
  readBody(accountId: number, bodyId: number): Rule<Buffer | null>;
  /** deleteAccountData deletes what the backend keeps for the account beside the shared tables (index, blobs); before the account row. */
  deleteAccountData(accountId: number): Rule<void>;

  /** indexBody adds body `bodyId` to the full-text index. */
  indexBody(accountId: number, bodyId: number, text: { headers: string; body: string }, structure: MimePart): Rule<void>;
  /**
   * searchCandidates returns the UIDs of the mailbox's messages that may contain `needle` in `part` (a
   * superset), or null when the index cannot narrow (Store.searchTextCandidates).
   */
  searchCandidates(accountId: number, mailboxId: number, part: SearchTextPart, needle: string): Rule<Set<number> | null>;
}
