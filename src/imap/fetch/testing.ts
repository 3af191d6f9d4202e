/**
 * Helpers for the fetch and search tests: hand-built MimePart nodes, messages with CRLF line ends, and a
 * real SQLite store in memory with a session over its INBOX for running FETCH/STORE/SEARCH commands.
 */
import { prepareMessage } from '../../delivery/prepare.js';
import type { Envelope, MimePart } from '../../mime/types.js';
import { readCommandHead } from '../../protocol/args.js';
import { readerOf } from '../../protocol/testing.js';
import { openSqliteStore } from '../../store/sqlite/store.js';
import type { Account, Mailbox, Store } from '../../store/types.js';
import type { CommandSpec } from '../command.js';
import type { Session } from '../session.js';
import { SelectedMailbox } from '../selected.js';

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

/**
 * TestSession is the part of a Session the FETCH/STORE/SEARCH commands use, over a real store: what a
 * socket would give is replaced by `responses` (each written response as one Buffer), and `calls` lists the
 * store reads and writes the command made ("getMessages 3,5", "storeFlags 3 add \\Seen", "readBody").
 */
export interface TestSession extends Session {
  readonly responses: Buffer[];
  readonly calls: string[];
  /** The fixture's account. */
  readonly account: Account;
  /** The selected view the commands run against (also in status). */
  readonly view: SelectedMailbox;
}

/** MailboxFixture: a real SQLite store (in memory) whose account's INBOX holds the given messages. */
export interface MailboxFixture {
  store: Store;
  account: Account;
  mailbox: Mailbox;
  /** Opens INBOX as SELECT (or EXAMINE with readOnly) would: a SelectedMailbox over the store's current messages. */
  session(opts?: { readOnly?: boolean; rev2?: boolean; utf8?: boolean }): Promise<TestSession>;
  /** The store's current modseq of each UID. */
  modseqs(): Promise<Map<number, number>>;
  close(): Promise<void>;
}

/** The store methods whose calls a TestSession records, with the arguments worth seeing. */
const RECORDED: Record<string, (args: unknown[]) => string> = {
  getMessages: (a) => `getMessages ${(a[2] as number[]).join(',')}`,
  getSearchText: (a) => `getSearchText ${(a[2] as number[]).join(',')}`,
  readBody: () => 'readBody',
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
      const responses: Buffer[] = [];
      const calls: string[] = [];
      const session = {
        state: 'selected',
        status: { state: 'selected', account, view },
        store: recording(store, calls),
        account,
        view,
        rev2: opts.rev2 ?? false,
        utf8: opts.utf8 ?? false,
        enabled: new Set<string>(),
        responses,
        calls,
        out: {
          untagged: (text: string) => void responses.push(Buffer.from(`* ${text}\r\n`)),
          write: (pieces: Array<string | Buffer>) =>
            void responses.push(Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)))),
          drain: async () => {},
        },
      };
      return session as unknown as TestSession;
    },
    async modseqs() {
      return new Map((await store.listMessages(account.id, mailbox.id)).map((m) => [m.uid, m.modseq]));
    },
    close: () => store.close(),
  };
}

/** runCommand parses `line` (e.g. "A1 UID FETCH 1:* FLAGS") with the real ArgReader and runs the selected-state command `spec` on the session. */
export async function runCommand<A>(spec: CommandSpec<A, 'selected'>, s: TestSession, line: string): Promise<string | void> {
  const r = readerOf(line);
  const head = readCommandHead(r);
  const args = spec.parse(r, s);
  return spec.run({ session: s, account: s.account, view: s.view, tag: line.split(' ')[0]!, uid: head.name.startsWith('UID ') }, args);
}

/** text returns a session's responses as one string (bytes read as latin1, so 8-bit bytes stay visible one to one). */
export function text(s: TestSession): string {
  return Buffer.concat(s.responses).toString('latin1');
}
