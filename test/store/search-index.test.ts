/**
 * SQLite's full-text index in a file of its own (src/store/sqlite/fts.ts), written by the indexer thread
 * (fts-indexer.ts): what is appended is indexed without the store's caller doing anything, what is
 * deleted leaves the index, and an index file that is missing or belongs to another store is built again.
 * The index file is read here with better-sqlite3 itself, to see what is in it.
 */
import assert from 'node:assert/strict';
import { copyFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/types.js';
import { message, newAccount } from './helpers.js';
import { until } from '../support/until.js';

/** The rowids of the index file beside `file` (account << 32 + body id), as [account, body] pairs, sorted. */
function indexEntries(file: string): Array<[number, number]> {
  const db = new Database(file.replace(/\.db$/, '-search.db'), { readonly: true, fileMustExist: true });
  try {
    const ids = db.prepare('SELECT rowid FROM search_fts ORDER BY rowid').pluck().all() as number[];
    return ids.map((id) => [Math.floor(id / 2 ** 32), id % 2 ** 32]);
  } finally {
    db.close();
  }
}

/** How many bodies the store `file` still has queued for the index. */
function queued(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM fts_pending').pluck().get() as number;
  } finally {
    db.close();
  }
}

async function candidates(store: Store, accountId: number, inbox: number, needle: string): Promise<number[]> {
  return [...((await store.searchTextCandidates(accountId, inbox, 'text', needle)) ?? [])].sort((a, b) => a - b);
}

describe('SQLite full-text index file and its indexer thread', () => {
  it('indexes appended mail in the background, takes expunged mail and deleted accounts out, and keeps SEARCH exact meanwhile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'letterbox-fts-'));
    const file = join(dir, 'letterbox.db');
    const store = await openSqliteStore(file);
    const stop = store.startBackground();
    try {
      assert.equal(statSync(join(dir, 'letterbox-search.db')).mode & 0o777, 0o600, 'the index holds mail text: owner only');
      const { accountId, inbox } = await newAccount(store);
      const bob = await newAccount(store, 'bob@example.com');
      await store.appendMessages(accountId, inbox, [message('one', [], undefined, 'kumquats and figs'), message('two', [], undefined, 'dates and figs')]);
      await store.appendMessages(bob.accountId, bob.inbox, [message('three', [], undefined, 'kumquats for bob')]);
      // Queued or indexed, the candidates hold every match.
      assert.ok((await candidates(store, accountId, inbox, 'kumquat')).includes(1));
      await until('the three bodies to be indexed', () => queued(file) === 0 && indexEntries(file).length === 3);
      assert.deepEqual(await candidates(store, accountId, inbox, 'kumquat'), [1]);
      assert.deepEqual(await candidates(store, accountId, inbox, 'figs'), [1, 2]);
      assert.deepEqual(await candidates(store, bob.accountId, bob.inbox, 'kumquat'), [1]);

      await store.expunge(accountId, inbox, [1], { deletedOnly: false });
      await until("the expunged message's entry to leave the index", () => indexEntries(file).filter(([a]) => a === accountId).length === 1);
      assert.deepEqual(await candidates(store, accountId, inbox, 'figs'), [2]);

      await store.deleteAccount(bob.accountId);
      await until("the deleted account's entries to leave the index", () => indexEntries(file).every(([a]) => a === accountId));
      assert.equal(indexEntries(file).length, 1);
    } finally {
      stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('builds the index again when its file is missing or belongs to another store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'letterbox-fts-'));
    const file = join(dir, 'letterbox.db');
    const other = join(dir, 'other.db');
    try {
      const s1 = await openSqliteStore(file);
      const { accountId, inbox } = await newAccount(s1);
      await s1.appendMessages(accountId, inbox, [message('one', [], undefined, 'kumquats'), message('two', [], undefined, 'figs')]);
      await s1.finishBackground();
      await s1.close();
      assert.equal(indexEntries(file).length, 2);

      // Missing: every body is queued again when the store opens, and indexed.
      for (const suffix of ['', '-wal', '-shm']) await rm(join(dir, `letterbox-search.db${suffix}`), { force: true });
      const s2 = await openSqliteStore(file);
      assert.equal(queued(file), 2);
      assert.deepEqual(await candidates(s2, accountId, inbox, 'kumquat'), [1, 2], 'queued bodies are candidates');
      await s2.finishBackground();
      assert.deepEqual(await candidates(s2, accountId, inbox, 'kumquat'), [1]);
      await s2.close();

      // Another store's index (same account and body ids, other text) put in its place: not taken for this one's.
      const s3 = await openSqliteStore(other);
      const o = await newAccount(s3);
      await s3.appendMessages(o.accountId, o.inbox, [message('one', [], undefined, 'figs'), message('two', [], undefined, 'kumquats')]);
      await s3.finishBackground();
      await s3.close();
      copyFileSync(join(dir, 'other-search.db'), join(dir, 'letterbox-search.db'));
      for (const suffix of ['-wal', '-shm']) await rm(join(dir, `letterbox-search.db${suffix}`), { force: true });
      const s4 = await openSqliteStore(file);
      assert.deepEqual(await candidates(s4, accountId, inbox, 'kumquat'), [1, 2], 'every body queued again');
      await s4.finishBackground();
      assert.deepEqual(await candidates(s4, accountId, inbox, 'kumquat'), [1]);
      assert.deepEqual(await candidates(s4, accountId, inbox, 'figs'), [2]);
      await s4.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it("runs the store's WAL checkpoints on its thread, also when it does not index (letterbox import)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'letterbox-fts-'));
    const file = join(dir, 'letterbox.db');
    const store = await openSqliteStore(file);
    try {
      const { accountId, inbox } = await newAccount(store);
      const append = (subject: string) => store.appendMessages(accountId, inbox, [message(subject, [], undefined, 'x'.repeat(20_000))]);
      // In WAL mode the database file grows only by checkpoints. A few messages are far below the 1000
      // frames after which a commit of the store's own connection checkpoints: without the thread, none.
      let before = statSync(file).size;
      await append('alone');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(statSync(file).size, before, 'no checkpoint without the thread');

      let stop = store.startBackground({ index: false });
      try {
        await append('checkpoints only');
        await until('the thread to checkpoint', () => statSync(file).size > before);
      } finally {
        stop();
      }
      assert.equal(queued(file), 2, 'nothing indexed');

      before = statSync(file).size;
      stop = store.startBackground();
      try {
        await append('indexed');
        await until('the indexer thread to index and checkpoint', () => queued(file) === 0 && statSync(file).size > before);
      } finally {
        stop();
      }
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('a worker that leaves the upkeep to another process checkpoints only past the backstop, and that process checkpoints for it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'letterbox-fts-'));
    const file = join(dir, 'letterbox.db');
    const worker = await openSqliteStore(file);
    try {
      const { accountId, inbox } = await newAccount(worker);
      // 20 messages of 20,000 octets (body and search text: about 10 pages each) per commit.
      const batch = (n: number) =>
        worker.appendMessages(
          accountId,
          inbox,
          Array.from({ length: 20 }, (_, i) => message(`m${n}-${i}`, [], undefined, 'y'.repeat(20_000))),
        );
      const leave = worker.leaveBackground();
      const before = statSync(file).size;
      for (let n = 0; n < 8; n++) await batch(n);
      // Past SQLite's 1000 frames of 4 KiB, where the connection would have checkpointed on its own.
      assert.ok(statSync(`${file}-wal`).size > 1000 * 4096, `WAL of ${statSync(`${file}-wal`).size} octets`);
      assert.equal(statSync(file).size, before, 'no checkpoint by the worker');

      // The process that runs the upkeep (the primary) checkpoints the file for every connection.
      const primary = await openSqliteStore(file);
      const stop = primary.startBackground({ index: false });
      try {
        await until('the primary to checkpoint', () => statSync(file).size > before);
      } finally {
        stop();
        await primary.close();
      }

      // Left no more: the worker's next commit past 1000 frames checkpoints again.
      leave();
      const after = statSync(file).size;
      for (let n = 8; n < 16; n++) await batch(n);
      assert.ok(statSync(file).size > after, 'the worker checkpoints on its own again');
    } finally {
      await worker.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
