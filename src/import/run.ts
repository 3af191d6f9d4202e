/**
 * importMessages moves the messages of an import source into an account: bare LF becomes CRLF (the one
 * byte change made to imported mail), messages over MAX_LITERAL_OCTETS are skipped (a client could not
 * have APPENDed them either), so are files that are not e-mail messages and, when asked, messages the
 * mailbox holds already (duplicates.ts); the rest go through deliver() in batches, one transaction per batch,
 * each stored while the next is read.
 */
import { deliver, type MessageToDeliver } from '../delivery/deliver.js';
import { ensureMailbox } from '../mailboxes/operations.js';
import { checkedMailboxName } from '../store/mailbox-names.js';
import { toCrlf } from '../mime/crlf.js';
import { MAX_LITERAL_OCTETS } from '../limits.js';
import { StoreError, type Account, type Store } from '../store/types.js';
import { DuplicateIndex } from './duplicates.js';
import { notAMessage } from './not-a-message.js';
import { overLimit, type ImportSource } from './types.js';

/** BATCH_MESSAGES and BATCH_OCTETS bound one append transaction: few enough to keep memory and lock time small, many enough to amortise the fsync. */
const BATCH_MESSAGES = 200;
const BATCH_OCTETS = 32 * 1024 * 1024;

/** ImportProgress is reported after every message or skip: source octets read so far, of `totalOctets`. */
export interface ImportProgress {
  octets: number;
  totalOctets: number;
  messages: number;
  skipped: number;
}

/** ImportSummary is the result of an import; octets are stored (CRLF) octets. */
export interface ImportSummary {
  messages: number;
  octets: number;
  /** Messages imported per mailbox name, in the order the mailboxes were first used (mailboxes created empty included). */
  mailboxes: Map<string, number>;
  /** Mailboxes that did not exist before (created, with missing parents, and subscribed). */
  created: string[];
  /** Messages left out because the mailbox held them already (with skipDuplicates), per mailbox. */
  duplicates: Map<string, number>;
  skipped: Array<{ source: string; reason: string }>;
}

/** ImportOptions: the target mailbox (default INBOX), whether to skip duplicates, a progress callback, and a size limit (default MAX_LITERAL_OCTETS). */
export interface ImportOptions {
  mailbox?: string;
  skipDuplicates?: boolean;
  onProgress?: (p: ImportProgress) => void;
  maxOctets?: number;
}

/**
 * importMessages imports every message of `source` into `account`. Messages of the source's root go to
 * mailbox `target` (default INBOX); a Maildir++ subfolder "Sub/Folder" goes to "<target>/Sub/Folder",
 * or "Sub/Folder" when the target is INBOX (as a mail client shows Maildir++ folders). Every folder the
 * source has becomes a mailbox, also when it holds no message.
 * Skips, with a reason: empty messages, unreadable files, messages over MAX_LITERAL_OCTETS (after CRLF
 * conversion), files that are not e-mail messages (notAMessage), messages the store refuses to parse,
 * and with `skipDuplicates` messages the target mailbox holds already (counted in `duplicates`).
 * Throws StoreError on a storage failure (already appended batches stay) and for an invalid target name.
 */
export async function importMessages(store: Store, account: Account, source: ImportSource, opts: ImportOptions = {}): Promise<ImportSummary> {
  const maxOctets = opts.maxOctets ?? MAX_LITERAL_OCTETS;
  const target = checkedMailboxName(opts.mailbox ?? 'INBOX');
  const summary: ImportSummary = { messages: 0, octets: 0, mailboxes: new Map(), created: [], duplicates: new Map(), skipped: [] };
  const progress: ImportProgress = { octets: 0, totalOctets: source.totalOctets, messages: 0, skipped: 0 };
  // One batch at a time: sources yield a folder's messages together, so a change of mailbox ends the batch.
  let batch: { mailbox: string; items: Array<MessageToDeliver & { source: string }>; octets: number } | null = null;
  const known = new Map<string, DuplicateIndex | null>();

  /** open makes sure the mailbox exists (creating and subscribing it and its parents) and returns its duplicate index when asked for. */
  const open = async (mailbox: string): Promise<DuplicateIndex | null> => {
    if (known.has(mailbox)) return known.get(mailbox)!;
    const mb = await ensureMailbox(store, account.id, mailbox);
    for (const name of mb.created) await store.setSubscribed(account.id, name, true);
    summary.created.push(...mb.created);
    if (!summary.mailboxes.has(mailbox)) summary.mailboxes.set(mailbox, 0);
    const index = opts.skipDuplicates ? await DuplicateIndex.load(store, account.id, mb.id) : null;
    known.set(mailbox, index);
    return index;
  };

  // One batch is stored while the next is read: its commit's fsync (and the reads) wait on the disk, not the CPU.
  let storing: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    if (!batch || batch.items.length === 0) return;
    const next = batch;
    batch = null;
    await storing;
    storing = storeBatch(next);
    // Handled here so that a failure while the next batch is read is no unhandled rejection; awaited (and
    // thrown) before the next batch is stored, and at the end.
    storing.catch(() => undefined);
  };

  const storeBatch = async ({ mailbox, items }: { mailbox: string; items: Array<MessageToDeliver & { source: string }> }): Promise<void> => {
    let delivered = items;
    try {
      await deliver(store, account, mailbox, items);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      // A message the MIME layer cannot take must not sink its batch: retry one by one and skip the culprit.
      delivered = [];
      for (const item of items) {
        try {
          await deliver(store, account, mailbox, [item]);
          delivered.push(item);
        } catch (one) {
          if (one instanceof StoreError) throw one;
          summary.skipped.push({ source: item.source, reason: `could not be stored (${(one as Error).message})` });
        }
      }
    }
    for (const item of delivered) summary.octets += item.raw.length;
    summary.messages += delivered.length;
    summary.mailboxes.set(mailbox, (summary.mailboxes.get(mailbox) ?? 0) + delivered.length);
  };

  try {
    for await (const ev of source.events()) {
      const skip = (reason: string) => summary.skipped.push({ source: ev.source, reason });
      if (ev.kind === 'folder') {
        const mailbox = mailboxFor(target, ev.folder);
        if (typeof mailbox !== 'string') skip(mailbox.invalid);
        else await open(mailbox);
        continue;
      }
      progress.octets += ev.sourceOctets;
      if (ev.kind === 'skip') skip(ev.reason);
      else if (ev.raw.length === 0) skip('empty file');
      else {
        // The reader thread (reader.ts) has converted and parsed already; a source read here has not.
        const raw = ev.parsed === undefined ? toCrlf(ev.raw) : ev.raw;
        const mailbox = mailboxFor(target, ev.folder);
        const why = ev.parsed ? null : notAMessage(raw);
        if (typeof mailbox !== 'string') skip(mailbox.invalid);
        else if (raw.length > maxOctets) skip(overLimit(raw.length, maxOctets));
        else if (why !== null) skip(why);
        else {
          const index = await open(mailbox);
          if (index && (await index.has(raw))) {
            summary.duplicates.set(mailbox, (summary.duplicates.get(mailbox) ?? 0) + 1);
          } else {
            index?.add(raw);
            if (batch && batch.mailbox !== mailbox) await flush();
            batch ??= { mailbox, items: [], octets: 0 };
            batch.items.push({ raw, flags: ev.flags, internalDate: ev.internalDate, source: ev.source, ...(ev.parsed ? { parsed: ev.parsed } : {}) });
            batch.octets += raw.length;
            progress.messages++;
            if (batch.items.length >= BATCH_MESSAGES || batch.octets >= BATCH_OCTETS) await flush();
          }
        }
      }
      progress.skipped = summary.skipped.length;
      opts.onProgress?.(progress);
    }
    await flush();
  } finally {
    // Never return (or throw) with a batch still being stored.
    await storing.catch(() => undefined);
  }
  await storing;
  // Many rows at once: the planner's statistics are refreshed now rather than when the backend gets to it.
  if (summary.messages > 0) await store.analyze();
  return summary;
}

/** mailboxFor maps a source folder to a mailbox name below `target` (INBOX's subfolders are top-level names), or says why it cannot. */
function mailboxFor(target: string, folder: string[]): string | { invalid: string } {
  if (folder.length === 0) return target;
  const sub = folder.join('/');
  try {
    return checkedMailboxName(target === 'INBOX' ? sub : `${target}/${sub}`);
  } catch (err) {
    if (err instanceof StoreError) return { invalid: err.message };
    throw err;
  }
}
