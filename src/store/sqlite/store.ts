/**
 * The embedded SQLite backend of Store: one file, one connection, WAL, writes in group commits; the Store
 * itself is the shared facade (mail/store.ts) over this backend's driver (driver.ts).
 *
 * Folder rule: src/store/sqlite may import src/store/* shared files and src/store/mail (rules, dialect
 * and driver interfaces), src/mime and src/protocol; never src/store/postgres, src/imap or anything above
 * the store. It holds the driver, dialect SQL, schema, migrations, change notification and the FTS5
 * index, nothing that decides mail semantics.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { MailStore } from '../mail/store.js';
import type { ChangePeers, CommitObserver, QuotaDefaults, Store } from '../types.js';
import { StoreOpenError } from '../types.js';
import { Db } from './db.js';
import { SqliteDriver } from './driver.js';
import { openSearchIndex, searchIndexFile } from './fts.js';
import { migrate } from './migrations.js';

/**
 * describeOpenError turns what opening `file` threw into a StoreOpenError naming the file when it is a
 * damaged database or a permission problem; anything else is returned unchanged.
 */
function describeOpenError(err: unknown, file: string): unknown {
  const code = String((err as { code?: unknown })?.code ?? '');
  const message = (err as Error)?.message ?? String(err);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new StoreOpenError('damaged', `the database ${file} is damaged or is not a SQLite database (${message}); restore it from a backup`);
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')) {
    const user = process.getuid?.() ?? '?';
    return new StoreOpenError('access', `cannot open the database ${file} for writing as uid ${user}: ${message}; run letterbox as the owner of the data directory`);
  }
  return err;
}

/**
 * openSqliteStore opens (creating if missing, with its directory, mode 0600) the SQLite database `file`,
 * brings its schema up to date and returns the Store. Throws Error if the file's schema is newer than this
 * code, or if it cannot be opened. ":memory:" gives a private in-memory store (for tests). `quota` is the
 * limits of accounts without their own (default: none); `peers` joins the change notifications of the other
 * processes of one server (ChangePeers).
 */
export async function openSqliteStore(file: string, opts: { log?: Logger; quota?: QuotaDefaults; onCommit?: CommitObserver; peers?: ChangePeers } = {}): Promise<Store> {
  let db: Db;
  try {
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // Mail and password hashes: readable by the server's user only (SQLite gives -wal/-shm the same mode).
      closeSync(openSync(file, 'a', 0o600));
      // Its full-text index holds the mail's text: the same mode.
      closeSync(openSync(searchIndexFile(file), 'a', 0o600));
    }
    db = new Db(file);
  } catch (err) {
    throw describeOpenError(err, file);
  }
  try {
    const from = migrate(db, opts.log);
    db.setSearchIndex(openSearchIndex(db, searchIndexFile(file)));
    opts.log?.debug({ file, schemaVersionAtOpen: from }, 'sqlite store open');
  } catch (err) {
    db.close();
    throw describeOpenError(err, file);
  }
  return new MailStore(new SqliteDriver(db, opts.log, opts.onCommit, opts.peers), opts.quota ?? { storage: null, messages: null });
}
