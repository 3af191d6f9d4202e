/**
 * SQLite's Dialect (mail/dialect.ts): id lists as JSON arrays read with json_each, no row locks (the write
 * transaction holds the database), one cached statement per row where PostgreSQL sends one bulk statement
 * (a statement costs no round trip here), the bytes of a body in its bodies row, and the FTS5 index (fts.ts).
 */
import type { Dialect } from '../mail/dialect.js';
import { exec, one } from '../mail/rule.js';
import { idList } from './db.js';
import { queueBody, searchTextCandidates, unindexAccount, unindexBodies } from './fts.js';

/** sqliteDialect is the Dialect of this backend; stateless, so one object serves every store. */
export const sqliteDialect: Dialect = {
  inIds: (column) => `${column} IN (SELECT value FROM json_each(?))`,
  ids: idList,
  inTexts: (column) => `${column} IN (SELECT value FROM json_each(?))`,
  texts: (values) => JSON.stringify(values),
  forUpdate: '',
  forNoKeyUpdate: '',
  greatest: 'MAX',
  bigint: '',
  text: (s) => s,

  *setFlags(accountId, mailboxId, modseq, updates) {
    for (const u of updates) {
      yield* exec(
        'UPDATE messages SET sys_flags = ?, keywords = ?, modseq = ? WHERE account_id = ? AND mailbox_id = ? AND uid = ?',
        u.sys,
        u.keywords,
        modseq,
        accountId,
        mailboxId,
        u.uid,
      );
    }
  },

  *insertMessages(accountId, mailboxId, rows) {
    for (const m of rows) {
      yield* exec(
        `INSERT INTO messages (account_id, mailbox_id, uid, body_id, modseq, sys_flags, keywords, internal_date, save_date, size, sent_date)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        accountId,
        mailboxId,
        m.uid,
        m.bodyId,
        m.modseq,
        m.sysFlags,
        m.keywords,
        m.internalDate,
        m.saveDate,
        m.size,
        m.sentDate,
      );
    }
  },

  *deleteMessages(accountId, mailboxId, uids, modseq) {
    for (const uid of uids) {
      yield* exec('DELETE FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ?', accountId, mailboxId, uid);
      yield* exec('INSERT INTO expunged (account_id, mailbox_id, modseq, uid) VALUES (?, ?, ?, ?)', accountId, mailboxId, modseq, uid);
    }
  },

  // Bodies are not shared by content here: each delivery is its own body (COPY and MOVE still share).
  *findBody() {
    return undefined;
  },

  *putBody(accountId, bodyId, msg) {
    yield* exec(
      'INSERT INTO bodies (account_id, id, size, sent_date, envelope, structure, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
      accountId,
      bodyId,
      msg.raw.length,
      msg.sentDate,
      JSON.stringify(msg.envelope),
      JSON.stringify(msg.structure),
      msg.raw,
    );
  },

  bodyKey: 'NULL',

  *deleteBodies(accountId, ids) {
    const list = idList(ids);
    yield* unindexBodies(accountId, list);
    yield* exec('DELETE FROM bodies WHERE account_id = ? AND id IN (SELECT value FROM json_each(?))', accountId, list);
  },

  *readBody(accountId, bodyId) {
    return (yield* one<{ data: Buffer }>('SELECT data FROM bodies WHERE account_id = ? AND id = ?', accountId, bodyId))?.data ?? null;
  },

  deleteAccountData: unindexAccount,
  indexBody: (accountId, bodyId) => queueBody(accountId, bodyId),
  searchCandidates: searchTextCandidates,
};
