/**
 * DuplicateIndex: what a mailbox holds already, for `letterbox import --skip-duplicates`, so that an
 * interrupted import is finished by running it again and a second run adds nothing. A message is a
 * duplicate of one in the mailbox (or earlier in the same import) with the same Message-ID and the same
 * size, or, when it has no Message-ID, the same bytes (compared by SHA-256).
 */
import { createHash } from 'node:crypto';
import { messageIdOf } from '../mime/envelope.js';
import type { Store } from '../store/types.js';
import { headerFields } from './headers.js';

/** LOAD_BATCH is how many messages' envelopes are read per store call while loading the index. */
const LOAD_BATCH = 1000;

function sha256(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** DuplicateIndex of one mailbox; add() what is imported, so duplicates within the source are caught too. */
export class DuplicateIndex {
  /** "Message-ID size" of every message with a Message-ID. */
  private readonly byId = new Set<string>();
  /** By size, the messages without a Message-ID: a hash, or the body id to read and hash when a message of that size comes. */
  private readonly bySize = new Map<number, Array<string | number>>();

  private constructor(
    private readonly store: Store,
    private readonly accountId: number,
  ) {}

  /** load reads the Message-ID and size of every message of the mailbox (the envelopes, no bodies). Throws what the store throws. */
  static async load(store: Store, accountId: number, mailboxId: number): Promise<DuplicateIndex> {
    const index = new DuplicateIndex(store, accountId);
    const uids = (await store.listMessages(accountId, mailboxId)).map((m) => m.uid);
    for (let i = 0; i < uids.length; i += LOAD_BATCH) {
      const records = await store.getMessages(accountId, mailboxId, uids.slice(i, i + LOAD_BATCH), { structure: false, envelope: true, envelopeText: false, meta: false });
      for (const r of records) {
        if (r.envelope.messageId !== null) index.byId.add(`${r.envelope.messageId} ${r.size}`);
        else index.sizeList(r.size).push(r.bodyId);
      }
    }
    return index;
  }

  private sizeList(size: number): Array<string | number> {
    let list = this.bySize.get(size);
    if (!list) this.bySize.set(size, (list = []));
    return list;
  }

  /** has tells whether `raw` (as it will be stored, CRLF) duplicates a message of the index; reads stored bodies of the same size when it has no Message-ID. */
  async has(raw: Buffer): Promise<boolean> {
    const id = messageIdOf(headerFields(raw));
    if (id !== null) return this.byId.has(`${id} ${raw.length}`);
    const list = this.bySize.get(raw.length);
    if (!list) return false;
    const hash = sha256(raw);
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (typeof entry === 'number') list[i] = sha256(await this.store.readBody(this.accountId, entry));
      if (list[i] === hash) return true;
    }
    return false;
  }

  /** add records `raw`, about to be imported into the mailbox. */
  add(raw: Buffer): void {
    const id = messageIdOf(headerFields(raw));
    if (id !== null) this.byId.add(`${id} ${raw.length}`);
    else this.sizeList(raw.length).push(sha256(raw));
  }
}
