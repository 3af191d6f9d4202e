/**
 * What an export format implements (maildir.ts, mbox.ts) and the errors an export ends with. run.ts walks
 * the mailboxes and messages and hands them to a MailboxWriter; the formats decide the files.
 */

/** ExportMessage is one message as the store holds it: bytes (CRLF), flags, internal date (ms since epoch). */
export interface ExportMessage {
  raw: Buffer;
  flags: readonly string[];
  internalDate: number;
  /** Its UID, unique in its mailbox (Maildir file names). */
  uid: number;
}

/** MailboxWriter writes one mailbox's messages, in UID order, then is closed. */
export interface MailboxWriter {
  write(message: ExportMessage): Promise<void>;
  close(): Promise<void>;
}

/**
 * ExportFormat opens a writer per mailbox under the export directory. `levels` is the mailbox name split
 * at "/"; `allFlags` every flag its messages carry (Maildir names keywords per folder). Returns warnings
 * for the operator (flags a format cannot carry) with the writer.
 */
export interface ExportFormat {
  open(levels: string[], allFlags: ReadonlySet<string>): Promise<{ writer: MailboxWriter; warnings: string[] }>;
}

/** ExportError is an export that cannot be done (a directory that is not empty, names a format cannot hold); its message is one line. */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

/** FILE_MODE and DIR_MODE: exported mail is as private as the data directory. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;
