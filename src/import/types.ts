/**
 * What an import source (Maildir, mbox, folder of .eml files) yields: messages with their place in the
 * folder tree, or files it could not take with the reason. Byte conversion (bare LF to CRLF) and the size
 * limit on the converted bytes are applied later, in one place (run.ts), for every source alike; sources
 * only skip, unread, what is already over the limit as found.
 */
import { readFileSync } from 'node:fs';
import type { ParsedMessage } from '../mime/types.js';

/** ImportMessage is one message read from a source, bytes as found (envelope line and mboxrd quoting already undone). */
export interface ImportMessage {
  kind: 'message';
  /** Folder below the import target, as hierarchy levels; [] is the target itself. */
  folder: string[];
  raw: Buffer;
  /** IMAP system flags and keywords from the source's own markers (Maildir info, mbox Status). */
  flags: string[];
  /** ms since epoch. */
  internalDate: number;
  /** Where it came from, for messages to the operator: a file path, or "file, message N at byte B" for mbox. */
  source: string;
  /** Octets of the source this message accounts for (progress). */
  sourceOctets: number;
  /** Set by the reader thread (reader.ts): `raw` is already CRLF and this is its MIME parse; null when it will not be stored (empty, over the limit, not a message). */
  parsed?: ParsedMessage | null;
}

/** ImportSkip is a file or message that will not be imported, with a reason for the operator. */
export interface ImportSkip {
  kind: 'skip';
  source: string;
  reason: string;
  sourceOctets: number;
}

/** ImportFolder announces a folder of the source (a Maildir++ folder, an mbox file of a tree), so that an empty one becomes a mailbox too. */
export interface ImportFolder {
  kind: 'folder';
  /** Below the import target, as hierarchy levels; [] is the target itself. */
  folder: string[];
  source: string;
}

/** ImportEvent is what a source yields, in source order. */
export type ImportEvent = ImportMessage | ImportSkip | ImportFolder;

/** ImportSource is an opened source: what it is, its size for a progress bar, and its messages (read lazily, once). */
export interface ImportSource {
  kind: 'maildir' | 'mbox' | 'eml';
  /** The path given, absolute. */
  path: string;
  /** Total octets of the files to read (the progress bar's 100%). */
  totalOctets: number;
  events(): AsyncIterable<ImportEvent>;
}

/** ImportError is a source that cannot be imported at all (missing path, unknown format); the message is one line. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/** describeFsError turns a Node file-system error into a short reason, e.g. "unreadable (permission denied)". */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'unreadable (permission denied)';
    case 'ENOENT':
      return 'unreadable (file vanished)';
    case 'EISDIR':
      return 'unreadable (is a directory)';
    case 'EIO':
      return 'unreadable (I/O error)';
    default:
      return `unreadable (${code ?? (err as Error)?.message ?? String(err)})`;
  }
}

/** overLimit is the skip reason for a message of `octets` over the limit `max`, e.g. "over the size limit (70.0 MiB > 64.0 MiB)". */
export function overLimit(octets: number, max: number): string {
  return `over the size limit (${(octets / 1048576).toFixed(1)} MiB > ${(max / 1048576).toFixed(1)} MiB)`;
}

/** ListedFile is a message file found while listing a source: its path and size in octets. */
export interface ListedFile {
  file: string;
  size: number;
}

/**
 * readListedFiles yields the files in order, each with its bytes; a file over `maxOctets` is skipped unread
 * and an unreadable one is skipped with the reason (ImportSkip). It reads synchronously, blocking its thread
 * for each file: sources run on the import's reader thread (reader-thread.ts), which has nothing else to do
 * meanwhile, and a read handed to the thread pool cost that thread several times as much (open, fstat,
 * read and close each a round trip: 530 ms of its 1420 for 5000 messages).
 */
export async function* readListedFiles<F extends ListedFile>(files: F[], maxOctets: number): AsyncGenerator<{ kind: 'file'; listed: F; data: Buffer } | ImportSkip> {
  for (const f of files) {
    if (f.size > maxOctets) {
      yield { kind: 'skip', source: f.file, reason: overLimit(f.size, maxOctets), sourceOctets: f.size };
      continue;
    }
    let data: Buffer;
    try {
      data = readFileSync(f.file);
    } catch (err) {
      yield { kind: 'skip', source: f.file, reason: describeFsError(err), sourceOctets: f.size };
      continue;
    }
    yield { kind: 'file', listed: f, data };
  }
}
