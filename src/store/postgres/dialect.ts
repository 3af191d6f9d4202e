/**
 * PostgreSQL's Dialect (mail/dialect.ts): id lists as arrays (`= ANY(?::bigint[])`), row locks (FOR UPDATE)
 * under which UIDs, modseqs and counters are allocated across nodes, one bulk statement (UNNEST) where a
 * rule writes many rows (a round trip each would cost more), bodies shared by content hash with their bytes
 * in a BlobStore, and the pg_trgm index (search.ts).
 */
import { contentKey, type BlobStore } from '../blobs.js';
import type { Dialect } from '../mail/dialect.js';
import { call, exec, one } from '../mail/rule.js';
import type { NewMessage } from '../types.js';
import { pgText, type Tx } from './db.js';
import { indexBody, searchTextCandidates } from './search.js';

/** idList keeps the valid UIDs or ids of `ids` (positive integers below 2^53) for `= ANY(?::bigint[])`. */
function idList(ids: readonly number[]): number[] {
  return ids.filter((n) => Number.isSafeInteger(n) && n > 0);
}

// The content hash of a message's bytes, computed once for findBody and putBody.
const hashes = new WeakMap<Buffer, string>();
function hashOf(msg: NewMessage): string {
  let h = hashes.get(msg.raw);
  if (h === undefined) hashes.set(msg.raw, (h = contentKey(msg.raw)));
  return h;
}

/** postgresDialect is the Dialect of a PostgreSQL store whose bytes are in `blobs`. */
export function postgresDialect(blobs: BlobStore<Tx>): Dialect {
  return {
    inIds: (column) => `${column} = ANY(?::bigint[])`,
    ids: idList,
    inTexts: (column) => `${column} = ANY(?::text[])`,
    texts: (values) => values,
    forUpdate: ' FOR UPDATE',
    forNoKeyUpdate: ' FOR NO KEY UPDATE',
    greatest: 'GREATEST',
    bigint: '::bigint',
    text: pgText,

    *setFlags(accountId, mailboxId, modseq, updates) {
      // One statement for the whole set: a STORE 1:* on a large mailbox is one round trip, not one per message.
      yield* exec(
        `UPDATE messages m SET sys_flags = u.sys_flags, keywords = u.keywords, modseq = ?
           FROM UNNEST(?::bigint[], ?::int[], ?::text[]) AS u (uid, sys_flags, keywords)
          WHERE m.account_id = ? AND m.mailbox_id = ? AND m.uid = u.uid`,
        modseq,
        updates.map((u) => u.uid),
        updates.map((u) => u.sys),
        updates.map((u) => u.keywords),
        accountId,
        mailboxId,
      );
    },

    *insertMessages(accountId, mailboxId, rows) {
      if (rows.length === 0) return;
      const col = (k: 'uid' | 'bodyId' | 'modseq' | 'sysFlags' | 'internalDate' | 'saveDate' | 'size') => rows.map((r) => r[k]);
      yield* exec(
        `INSERT INTO messages (account_id, mailbox_id, uid, body_id, modseq, sys_flags, keywords, internal_date, save_date, size, sent_date)
         SELECT ?::bigint, ?::bigint, * FROM UNNEST(?::bigint[], ?::bigint[], ?::bigint[], ?::int[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])`,
        accountId,
        mailboxId,
        col('uid'),
        col('bodyId'),
        col('modseq'),
        col('sysFlags'),
        rows.map((r) => r.keywords),
        col('internalDate'),
        col('saveDate'),
        col('size'),
        rows.map((r) => r.sentDate),
      );
    },

    *deleteMessages(accountId, mailboxId, uids, modseq) {
      yield* exec('DELETE FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ANY(?::bigint[])', accountId, mailboxId, uids);
      yield* exec(
        'INSERT INTO expunged (account_id, mailbox_id, modseq, uid) SELECT ?::bigint, ?::bigint, ?::bigint, * FROM UNNEST(?::bigint[])',
        accountId,
        mailboxId,
        modseq,
        uids,
      );
    },

    *findBody(accountId, msg) {
      return (yield* one<{ id: number }>('SELECT id FROM bodies WHERE account_id = ? AND hash = ?', accountId, hashOf(msg)))?.id;
    },

    *putBody(accountId, bodyId, msg) {
      const hash = hashOf(msg);
      yield* call((tx: Tx) => blobs.put(tx, accountId, hash, msg.raw));
      yield* exec(
        'INSERT INTO bodies (account_id, id, hash, size, sent_date, envelope, structure) VALUES (?, ?, ?, ?, ?, ?, ?)',
        accountId,
        bodyId,
        hash,
        msg.raw.length,
        msg.sentDate,
        JSON.stringify(msg.envelope),
        JSON.stringify(msg.structure),
      );
    },

    bodyKey: 'b.hash',

    *deleteBodies(accountId, ids, keys) {
      yield* exec('DELETE FROM search_index WHERE account_id = ? AND body_id = ANY(?::bigint[])', accountId, ids);
      yield* exec('DELETE FROM bodies WHERE account_id = ? AND id = ANY(?::bigint[])', accountId, ids);
      const hashList = keys.filter((k): k is string => k !== null);
      yield* call((tx: Tx) => blobs.remove(tx, accountId, hashList));
    },

    *readBody(accountId, bodyId) {
      const row = yield* one<{ hash: string }>('SELECT hash FROM bodies WHERE account_id = ? AND id = ?', accountId, bodyId);
      return row ? yield* call(() => blobs.get(accountId, row.hash)) : null;
    },

    *deleteAccountData(accountId) {
      yield* exec('DELETE FROM search_index WHERE account_id = ?', accountId);
      yield* call((tx: Tx) => blobs.removeAccount(tx, accountId));
    },

    indexBody,
    searchCandidates: searchTextCandidates,
  };
}
