/**
 * exportAccount writes an account's mailboxes to a directory as a Maildir or a folder of mbox files, the
 * inverse of `letterbox import`: importing the export into another account reproduces the mailboxes, the
 * message bytes, the flags and keywords and the internal dates (mbox: to the second). Messages are read one
 * at a time, so memory does not grow with the mailbox; the store is only read, so a server may run meanwhile.
 * Imports (src/export): store/, formats/ (through maildir.ts and mbox.ts) and mime/header.ts only
 * (eslint.config.js holds it).
 */
import { mkdir, readdir } from 'node:fs/promises';
import { compareMailboxNames, DELIMITER, isDescendant, normalizeMailboxName } from '../store/mailbox-names.js';
import { StoreError, type Account, type Store } from '../store/types.js';
import { maildirFormat } from './maildir.js';
import { mboxFormat } from './mbox.js';
import { DIR_MODE, ExportError, type ExportFormat } from './types.js';

/** READ_BATCH is how many message records are read per store call (bodies are read one at a time). */
const READ_BATCH = 200;

/** ExportProgress is reported after each message: messages written so far, of `total`, and the mailbox being written. */
export interface ExportProgress {
  messages: number;
  total: number;
  mailbox: string;
}

/** ExportSummary: what was written, per mailbox in the order written, and warnings (flags the format could not carry). */
export interface ExportSummary {
  messages: number;
  /** Octets of the messages as stored. */
  octets: number;
  mailboxes: Array<{ name: string; messages: number }>;
  warnings: string[];
}

/** ExportOptions: the format, `mailbox` to export only it and its children, and a progress callback. */
export interface ExportOptions {
  format: 'maildir' | 'mbox';
  mailbox?: string;
  onProgress?: (p: ExportProgress) => void;
}

/**
 * exportAccount writes the mailboxes of `account` (all, or `opts.mailbox` and the mailboxes below it) into
 * `dir`, which is created (mode 0700) and must be empty if it exists; names keep their place from the top
 * of the account, so importing the export without --mailbox puts every mailbox back under its own name.
 * Throws ExportError for a directory that is not empty, an unknown `opts.mailbox`, or names the format
 * cannot hold; what the store and the file system throw otherwise.
 */
export async function exportAccount(store: Store, account: Account, dir: string, opts: ExportOptions): Promise<ExportSummary> {
  const only = opts.mailbox === undefined ? null : normalizeMailboxName(opts.mailbox);
  const mailboxes = (await store.listMailboxes(account.id))
    .filter((m) => only === null || m.name === only || isDescendant(m.name, only))
    .sort((a, b) => compareMailboxNames(a.name, b.name));
  if (only !== null && mailboxes.length === 0) throw new ExportError(`${account.email} has no mailbox ${only}`);
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  const present = await readdir(dir);
  if (present.length > 0) throw new ExportError(`${dir} is not empty (${present.length} entr${present.length === 1 ? 'y' : 'ies'}): export into a new or empty directory`);
  const format: ExportFormat = opts.format === 'maildir' ? maildirFormat(dir) : mboxFormat(dir);

  let total = 0;
  for (const m of mailboxes) total += (await store.mailboxCounts(account.id, m.id)).messages;
  const summary: ExportSummary = { messages: 0, octets: 0, mailboxes: [], warnings: [] };
  opts.onProgress?.({ messages: 0, total, mailbox: '' });
  for (const m of mailboxes) {
    const metas = await store.listMessages(account.id, m.id);
    const flags = new Set(metas.flatMap((x) => x.flags));
    const { writer, warnings } = await format.open(m.name.split(DELIMITER), flags);
    summary.warnings.push(...warnings);
    let written = 0;
    try {
      for (let i = 0; i < metas.length; i += READ_BATCH) {
        const uids = metas.slice(i, i + READ_BATCH).map((x) => x.uid);
        for (const r of await store.getMessages(account.id, m.id, uids, { structure: false, envelope: false, envelopeText: false, meta: true })) {
          let raw: Buffer;
          try {
            raw = await store.readBody(account.id, r.bodyId);
          } catch (err) {
            // Expunged (and its body gone) between the listing and now: gone from the export too.
            if (err instanceof StoreError && err.kind === 'NONEXISTENT') continue;
            throw err;
          }
          await writer.write({ raw, flags: r.flags, internalDate: r.internalDate, uid: r.uid });
          written++;
          summary.messages++;
          summary.octets += raw.length;
          opts.onProgress?.({ messages: summary.messages, total, mailbox: m.name });
        }
      }
    } finally {
      await writer.close();
    }
    summary.mailboxes.push({ name: m.name, messages: written });
  }
  return summary;
}
