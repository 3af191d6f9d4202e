/**
 * Fixtures for the fetch and search tests: hand-built MimePart nodes, messages with CRLF line ends, and a
 * real SQLite store in memory with a fake session (session.ts) over its INBOX for running
 * FETCH/STORE/SEARCH commands.
 */
import { prepareMessage } from '../../src/delivery/prepare.js';
import { SelectedMailbox } from '../../src/imap/selected.js';
import type { Envelope, MimePart } from '../../src/mime/types.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { Account, Mailbox, Store } from '../../src/store/types.js';
import { fakeSession, type FakeSession } from './session.js';

/** part builds a MimePart with defaults (text/plain, no headers of note); offsets must be given where they matter. */
export function part(p: Partial<MimePart>): MimePart {
  return {
    headerStart: 0,
    headerEnd: 0,
    bodyStart: 0,
    bodyEnd: 0,
    bodyLines: 0,
    type: 'text',
    subtype: 'plain',
    params: [],
    id: null,
    description: null,
    encoding: null,
    md5: null,
    disposition: null,
    language: null,
    location: null,
    parts: [],
    message: null,
    envelope: null,
    ...p,
  };
}

/** envelope builds an Envelope with every member NIL unless given. */
export function envelope(e: Partial<Envelope>): Envelope {
  return {
    date: null,
    subject: null,
    from: null,
    sender: null,
    replyTo: null,
    to: null,
    cc: null,
    bcc: null,
    inReplyTo: null,
    messageId: null,
    ...e,
  };
}

/** crlf joins lines with CRLF (and ends with CRLF) and returns the bytes. */
export function crlf(...lines: string[]): Buffer {
  return Buffer.from(lines.map((l) => l + '\r\n').join(''), 'utf8');
}

/** StoredMessage: a message to put in the fixture mailbox at `uid`, with its flags and internal date (ms, default 0). */
export interface StoredMessage {
  uid: number;
  raw: Buffer;
  flags?: string[];
  internalDate?: number;
}

/** MailboxFixture: a real SQLite store (in memory) whose account's INBOX holds the given messages. */
export interface MailboxFixture {
  store: Store;
  account: Account;
  mailbox: Mailbox;
  /**
   * Opens INBOX as SELECT (or EXAMINE with readOnly) would: a fake session with a SelectedMailbox over the
   * store's current messages, whose `calls` list the store reads and writes the command made
   * ("getMessages 3,5", "storeFlags 3 add \\Seen", "readBody", "readBodies 2").
   */
  session(opts?: { readOnly?: boolean; rev2?: boolean; utf8?: boolean }): Promise<FakeSession>;
  /** The store's current modseq of each UID. */
  modseqs(): Promise<Map<number, number>>;
  close(): Promise<void>;
}

/** The store methods whose calls a TestSession records, with the arguments worth seeing. */
const RECORDED: Record<string, (args: unknown[]) => string> = {
  getMessages: (a) => `getMessages ${(a[2] as number[]).join(',')}`,
  getSearchText: (a) => `getSearchText ${(a[2] as number[]).join(',')}`,
  readBody: () => 'readBody',
  readBodies: (a) => `readBodies ${(a[1] as number[]).length}`,
  storeFlags: (a) => `storeFlags ${(a[2] as number[]).join(',')} ${String(a[3])} ${(a[4] as string[]).join(' ')}`,
};

/** Wraps a store so that calls of the RECORDED methods are appended to `calls`; everything is still the real store. */
function recording(store: Store, calls: string[]): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      const describe = typeof prop === 'string' ? RECORDED[prop] : undefined;
      if (!describe || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(describe(args));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * mailboxWith opens `openSqliteStore(':memory:')`, creates an account and appends the messages (prepared by
 * prepareMessage, as APPEND does) in ascending UID order. UIDs left out between them are filled with
 * messages that are expunged again, so the mailbox has exactly the given UIDs.
 */
export async function mailboxWith(messages: StoredMessage[]): Promise<MailboxFixture> {
  const store = await openSqliteStore(':memory:');
  const account = await store.createAccount('user@example.com', 'unused-hash');
  const mailbox = (await store.getMailbox(account.id, 'INBOX'))!;
  const sorted = [...messages].sort((a, b) => a.uid - b.uid);
  const filler = crlf('Subject: filler', '', 'expunged');
  let next = 1;
  for (const m of sorted) {
    for (; next < m.uid; next++) await store.appendMessages(account.id, mailbox.id, [prepareMessage(filler, ['\\Deleted'], 0)]);
    const { uids } = await store.appendMessages(account.id, mailbox.id, [prepareMessage(m.raw, m.flags ?? [], m.internalDate ?? 0)]);
    if (uids[0] !== m.uid) throw new Error(`mailboxWith: UID ${m.uid} was stored as ${uids[0]}`);
    next = m.uid + 1;
  }
  await store.expunge(account.id, mailbox.id);
  return {
    store,
    account,
    mailbox,
    async session(opts = {}) {
      const box = (await store.getMailbox(account.id, 'INBOX'))!;
      const view = new SelectedMailbox(box, opts.readOnly ?? false, await store.listMessages(account.id, box.id));
      const calls: string[] = [];
      return fakeSession({ state: 'selected', store: recording(store, calls), calls, account, selected: view, rev2: opts.rev2 ?? false, utf8: opts.utf8 ?? false });
    },
    async modseqs() {
      return new Map((await store.listMessages(account.id, mailbox.id)).map((m) => [m.uid, m.modseq]));
    },
    close: () => store.close(),
  };
}
