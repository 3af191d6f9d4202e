/**
 * In-memory stand-ins for the FETCH/STORE/SEARCH command tests: a Store holding a handful of parsed
 * messages, and a Session that records what the command writes. Only the methods these commands call
 * are implemented; the rest throw.
 */
import { parseStructure } from '../../mime/structure.js';
import { buildEnvelope } from '../../mime/envelope.js';
import { readCommandHead } from '../../protocol/args.js';
import { readerOf } from '../../protocol/testing.js';
import type { FlagOperation, Mailbox, MessageMeta, MessageRecord, Store } from '../../store/types.js';
import type { CommandSpec, Session } from '../command.js';
import { SelectedMailbox } from '../selected.js';

/** FakeMessage: one stored message. */
export interface FakeMessage {
  uid: number;
  raw: Buffer;
  flags: string[];
  modseq: number;
  internalDate: number;
  sentDate?: number | null;
  searchText?: { headers: string; body: string };
}

/** FakeStore records calls and keeps messages in a Map by UID. */
export class FakeStore {
  readonly calls: string[] = [];
  readonly messages = new Map<number, FakeMessage>();
  private modseq = 100;

  constructor(messages: FakeMessage[]) {
    for (const m of messages) this.messages.set(m.uid, m);
  }

  record(m: FakeMessage): MessageRecord {
    const { root, partFields } = parseStructure(m.raw);
    return {
      uid: m.uid,
      modseq: m.modseq,
      flags: [...m.flags],
      internalDate: m.internalDate,
      size: m.raw.length,
      saveDate: m.internalDate,
      bodyId: 1000 + m.uid,
      structure: root,
      envelope: buildEnvelope(partFields.get(root) ?? []),
      sentDate: m.sentDate ?? null,
    };
  }

  async getMessages(_a: number, _b: number, uids: number[]): Promise<MessageRecord[]> {
    this.calls.push(`getMessages ${uids.join(',')}`);
    return uids.filter((u) => this.messages.has(u)).map((u) => this.record(this.messages.get(u)!));
  }

  async readBody(_a: number, bodyId: number): Promise<Buffer> {
    this.calls.push(`readBody ${bodyId}`);
    return this.messages.get(bodyId - 1000)!.raw;
  }

  async getSearchText(_a: number, _b: number, uids: number[]): Promise<Map<number, { headers: string; body: string }>> {
    this.calls.push(`getSearchText ${uids.join(',')}`);
    const out = new Map<number, { headers: string; body: string }>();
    for (const u of uids) {
      const m = this.messages.get(u);
      if (m) out.set(u, m.searchText ?? { headers: '', body: '' });
    }
    return out;
  }

  async storeFlags(_a: number, _b: number, uids: number[], op: FlagOperation, flags: string[], unchangedSince?: number) {
    this.calls.push(`storeFlags ${uids.join(',')} ${op} ${flags.join(' ')}${unchangedSince !== undefined ? ` <=${unchangedSince}` : ''}`);
    const updated: MessageMeta[] = [];
    const failed: number[] = [];
    for (const uid of uids) {
      const m = this.messages.get(uid);
      if (!m) continue;
      if (unchangedSince !== undefined && m.modseq > unchangedSince) {
        failed.push(uid);
        continue;
      }
      const lower = new Set(m.flags.map((f) => f.toLowerCase()));
      let next: string[];
      if (op === 'set') next = [...flags];
      else if (op === 'add') next = [...m.flags, ...flags.filter((f) => !lower.has(f.toLowerCase()))];
      else next = m.flags.filter((f) => !flags.some((g) => g.toLowerCase() === f.toLowerCase()));
      const same = next.length === m.flags.length && next.every((f) => lower.has(f.toLowerCase()));
      if (same) continue;
      m.flags = next;
      m.modseq = ++this.modseq;
      updated.push({ uid, modseq: m.modseq, flags: [...next] });
    }
    return { updated, failed };
  }
}

/** FakeSession: a Session whose writer collects each response as one Buffer. */
export interface FakeSession extends Session {
  readonly responses: Buffer[];
  readonly fake: FakeStore;
}

/** fakeSession selects the FakeStore's messages (ascending UID) in a SelectedMailbox. */
export function fakeSession(store: FakeStore, opts: { readOnly?: boolean; rev2?: boolean; utf8?: boolean } = {}): FakeSession {
  const mailbox: Mailbox = { id: 1, accountId: 1, name: 'INBOX', uidValidity: 1, uidNext: 100, highestModseq: 100, specialUse: null };
  const metas = [...store.messages.values()].sort((a, b) => a.uid - b.uid).map((m) => ({ uid: m.uid, modseq: m.modseq, flags: [...m.flags] }));
  const responses: Buffer[] = [];
  const session = {
    state: 'selected',
    store: store as unknown as Store,
    account: { id: 1, email: 'u@example.com', passwordHash: '', createdAt: 0 },
    selected: new SelectedMailbox(mailbox, opts.readOnly ?? false, metas),
    rev2: opts.rev2 ?? false,
    utf8: opts.utf8 ?? false,
    enabled: new Set<string>(),
    responses,
    fake: store,
    out: {
      untagged: (text: string) => void responses.push(Buffer.from(`* ${text}\r\n`)),
      write: (pieces: Array<string | Buffer>) =>
        void responses.push(Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)))),
      drain: async () => {},
    },
  };
  return session as unknown as FakeSession;
}

/** runCommand parses `line` (e.g. "A1 UID FETCH 1:* FLAGS") with the real ArgReader and runs `spec` on the session. */
export async function runCommand<A>(spec: CommandSpec<A>, s: Session, line: string): Promise<string | void> {
  const r = readerOf(line);
  const head = readCommandHead(r);
  const uid = head.name.startsWith('UID ');
  const args = spec.parse(r, s);
  return spec.run(s, args, { tag: line.split(' ')[0]!, uid });
}

/** text returns the responses as one string (bytes read as latin1, so 8-bit bytes stay visible one to one). */
export function text(s: FakeSession): string {
  return Buffer.concat(s.responses).toString('latin1');
}
