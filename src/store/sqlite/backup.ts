/**
 * Consistent copies of a SQLite store for `letterbox backup` and `letterbox restore`, with SQLite's online
 * backup API (through better-sqlite3): pages are copied in steps while the server goes on writing, and the
 * copy is of one moment. A write by another connection between two steps makes SQLite start the copy
 * again, so each restart makes the steps larger, until one step copies the whole file under one read
 * transaction (which, in WAL mode, never holds the server's writers up).
 */
import { chmodSync, closeSync, openSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { searchIndexFile } from './fts.js';

/** FIRST_STEP_PAGES is how many pages the first steps copy (4 MiB of 4 KiB pages): small enough to report progress often. */
const FIRST_STEP_PAGES = 1024;

/** ALL_PAGES as a step's page count: the whole database, however large it has grown. */
const ALL_PAGES = 0x7fffffff;

/** CopyResult: what was copied, in octets, and SQLite's quick_check of the copy ("ok" when it is sound). */
export interface CopyResult {
  octets: number;
  check: string;
}

/**
 * copySqlite copies the database `source` (opened read-only; a server may write it meanwhile) into the new
 * file `target` (created mode 0600; it must not exist), then checks the copy with PRAGMA quick_check.
 * `onProgress(doneOctets, totalOctets)` follows the copy. Throws what SQLite throws (SQLITE_NOTADB for a
 * file that is not a database, SQLITE_CANTOPEN, ...) and EEXIST for an existing target.
 */
export async function copySqlite(source: string, target: string, onProgress?: (done: number, total: number) => void): Promise<CopyResult> {
  closeSync(openSync(target, 'wx', 0o600));
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 5000 });
  let pageSize = 4096;
  let octets = 0;
  try {
    pageSize = db.pragma('page_size', { simple: true }) as number;
    let step = FIRST_STEP_PAGES;
    let lastRemaining = Infinity;
    const result = await db.backup(target, {
      progress: ({ totalPages, remainingPages }) => {
        // No fewer pages left than after the last step: another connection wrote and SQLite started again.
        // Take bigger steps, up to the whole file in one: then every page, not totalPages, which a writer
        // may have made larger before the step runs (and would then start it again, for ever).
        if (remainingPages >= lastRemaining) step = step * 4 >= totalPages ? ALL_PAGES : step * 4;
        lastRemaining = remainingPages;
        onProgress?.((totalPages - remainingPages) * pageSize, totalPages * pageSize);
        return step;
      },
    });
    octets = result.totalPages * pageSize;
    onProgress?.(octets, octets);
  } finally {
    db.close();
  }
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    try {
      chmodSync(target + suffix, 0o600);
    } catch {
      // not there
    }
  }
  const copy = new Database(target, { readonly: true, fileMustExist: true });
  try {
    return { octets, check: String(copy.pragma('quick_check', { simple: true })) };
  } finally {
    copy.close();
  }
}

/**
 * checkpointSqlite moves everything in the WAL of `file` into the database file and empties the WAL
 * (PRAGMA wal_checkpoint(TRUNCATE)), so the file alone holds the data and can be moved. Run it only when
 * no server uses the file. Throws what SQLite throws.
 */
export function checkpointSqlite(file: string): void {
  const db = new Database(file, { fileMustExist: true, timeout: 5000 });
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** accountCount counts the accounts of the store in `file` (opened read-only), for messages to the operator. */
export function accountCount(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM accounts').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * removeSearchIndex deletes the full-text index file of the store `file` (fts.ts searchIndexFile) with its
 * WAL: after a restore, the index left from the replaced database must not be taken for the restored one's.
 * The next open queues every body again, and the indexer writes a new index. Run it only when no server uses the file.
 */
export function removeSearchIndex(file: string): void {
  const index = searchIndexFile(file);
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(index + suffix, { force: true });
}
