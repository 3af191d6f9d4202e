/**
 * FETCH and UID FETCH (RFC 9051 sections 6.4.5 and 6.4.9), with the CHANGEDSINCE modifier of RFC 7162
 * section 3.1.4. Parsing is here; what to load is decided by fetch/items.ts, each response is built by
 * fetch/render.ts and streamed message by message through the session's writer with backpressure.
 */
import type { CommandSpec, SelectedContext } from '../command.js';
import { ParseError } from '../../protocol/types.js';
import type { ArgReader, FetchItem, SequenceSet } from '../../protocol/types.js';
import type { MessageRecord } from '../../store/types.js';
import { condstoreOn, enableCondstore, qresyncOn } from '../condstore.js';
import { bad, no } from '../errors.js';
import { vanishedSince } from '../qresync.js';
import { AsciiBuffer, flagList, formatSequenceSet } from '../../protocol/encoder.js';
import { binaryDecodable } from '../fetch/binary.js';
import { fetchParts, planFetch, withImplicitItems } from '../fetch/items.js';
import { renderFetch, unknownCte } from '../fetch/render.js';

/** Messages loaded per Store.getMessages call: bounds memory for FETCH 1:* on a large mailbox. */
const BATCH = 200;
/**
 * Messages per batch when nothing is loaded from the store (UID, FLAGS, MODSEQ only): the responses come
 * from the session's view, and larger batches mean fewer, larger writes.
 */
const VIEW_BATCH = 5000;
/**
 * Octets of responses gathered before they are written and the socket's drain awaited: small responses
 * (headers of many messages) share a system call with each other and with the tagged response, and what
 * waits for the socket stays bounded (a string piece counts its UTF-16 code units, close enough for a
 * threshold).
 */
const FLUSH_OCTETS = 64 * 1024;

/**
 * FetchArgs: the sequence set, the items (macros expanded by the parser), and the RFC 7162 modifiers:
 * `changedSince` (only messages whose modseq is greater; implies MODSEQ) and `vanished` (UID FETCH under QRESYNC:
 * also report the UIDs of the set expunged since `changedSince`, RFC 7162 section 3.2.6).
 */
export interface FetchArgs {
  set: SequenceSet;
  items: FetchItem[];
  changedSince: number | null;
  vanished: boolean;
}

/** Reads the optional fetch-modifier list `(CHANGEDSINCE n [VANISHED])` (RFC 7162 section 3.1.4, RFC 4466 section 2.4). */
function parseModifiers(r: ArgReader, args: FetchArgs): void {
  if (!r.tryChar('(')) throw new ParseError('Expected a FETCH modifier list');
  do {
    const name = r.atom().toUpperCase();
    if (name === 'CHANGEDSINCE') {
      r.space();
      args.changedSince = r.number64();
    } else if (name === 'VANISHED') {
      args.vanished = true;
    } else {
      throw new ParseError(`Unknown FETCH modifier ${name}`);
    }
  } while (r.tryChar(' '));
  if (!r.tryChar(')')) throw new ParseError('Expected ")" after FETCH modifiers');
}

function hasSeen(flags: readonly string[]): boolean {
  return flags.some((f) => f.toLowerCase() === '\\seen');
}

/**
 * fetchCommand is FETCH <set> <items> [(modifiers)]: writes `* n FETCH (...)` for each message of the set that still
 * exists, ascending. A non-PEEK body item on a read-write mailbox sets \Seen (one storeFlags call per
 * batch) and adds FLAGS to that message's response (RFC 9051 section 6.4.5). Expunges from other
 * sessions stay pending until a command that may announce them (RFC 9051 section 7.5.1); meanwhile FETCH by
 * sequence number of such a message answers from the view what it holds (UID, FLAGS, MODSEQ) and otherwise
 * ends in `NO [EXPUNGEISSUED]` after the data of the others (RFC 2180 section 4.1, RFC 5530).
 */
export const fetchCommand: CommandSpec<FetchArgs, 'selected'> = {
  name: 'FETCH',
  states: ['selected'],
  uidForm: true,
  allowExpunge: (uid) => uid,
  parse(r) {
    r.space();
    const set = r.sequenceSet();
    r.space();
    const args: FetchArgs = { set, items: r.fetchItems(), changedSince: null, vanished: false };
    if (!r.atEnd()) {
      r.space();
      parseModifiers(r, args);
    }
    r.end();
    return args;
  },
  async run(ctx, args) {
    const { session: s, view, account } = ctx;
    if (args.vanished) {
      if (!ctx.uid) throw bad('VANISHED is only valid with UID FETCH (RFC 7162 section 3.2.6)');
      if (!qresyncOn(s)) throw bad('VANISHED needs ENABLE QRESYNC first');
      if (args.changedSince === null) throw bad('VANISHED needs CHANGEDSINCE (RFC 7162 section 3.2.6)');
    }
    // FETCH MODSEQ and CHANGEDSINCE are CONDSTORE enabling commands (RFC 7162 section 3.1).
    if (args.changedSince !== null || args.items.some((i) => i.type === 'modseq')) enableCondstore(s, view);
    const condstore = condstoreOn(s);
    const uids = view.resolve(args.set, ctx.uid);
    // Under CONDSTORE every FETCH response that carries FLAGS carries MODSEQ too (RFC 7162 section 3.1.4.1).
    const hasFlags = args.items.some((i) => i.type === 'flags');
    const items = withImplicitItems(args.items, ctx.uid, args.changedSince !== null || (condstore && hasFlags));
    const plan = planFetch(items);
    const markSeen = plan.setsSeen && !view.readOnly;
    const withFlags = hasFlags ? items : withImplicitItems([...items, { type: 'flags' } as FetchItem], ctx.uid, condstore);
    if (args.vanished) {
      const vanished = await vanishedSince(ctx, args.changedSince!, args.set);
      if (vanished.length > 0) s.out.untagged(`VANISHED (EARLIER) ${formatSequenceSet(vanished)}`);
    }
    const batch = plan.record || plan.body ? BATCH : VIEW_BATCH;
    const flow = { unflushed: 0 };
    let gone = 0;
    for (let i = 0; i < uids.length; i += batch) {
      gone += await fetchBatch(ctx, uids.slice(i, i + batch), args.changedSince, { items, withFlags, plan, markSeen, flow });
    }
    // UID FETCH passes over UIDs that do not exist (RFC 9051 section 6.4.9); a sequence number names a message.
    if (gone > 0 && !ctx.uid) throw no('Some of the requested messages no longer exist.', 'EXPUNGEISSUED');
  },
};

interface BatchPlan {
  items: FetchItem[];
  /** The items plus FLAGS, for messages whose \Seen this command set. */
  withFlags: FetchItem[];
  plan: ReturnType<typeof planFetch>;
  markSeen: boolean;
  /** Octets written since the socket's drain was last awaited, over the command's batches (`written`). */
  flow: { unflushed: number };
}

/**
 * written counts `octets` of responses just written and awaits the socket's drain once FLUSH_OCTETS have
 * gathered; what is left goes out with the tagged response (the connection awaits the drain before the
 * next command).
 */
async function written(s: SelectedContext['session'], flow: BatchPlan['flow'], octets: number): Promise<void> {
  flow.unflushed += octets;
  if (flow.unflushed < FLUSH_OCTETS) return;
  flow.unflushed = 0;
  await s.out.drain();
}

/**
 * fetchFromView answers a batch whose items all come from the view (UID, FLAGS, MODSEQ; none sets \Seen):
 * one pass over the UIDs, ascending, written as ASCII straight into one Buffer (UID FETCH 1:* (FLAGS) of a
 * 100,000-message mailbox is every client's first sync; strings built and encoded per line cost twice as much).
 */
async function fetchFromView(ctx: SelectedContext, batch: number[], changedSince: number | null, items: FetchItem[], flow: BatchPlan['flow']): Promise<void> {
  const { session: s, view } = ctx;
  const out = new AsciiBuffer(batch.length * 48);
  let seq = 0;
  const uids = view.uids;
  for (const uid of batch) {
    // The UIDs ascend, so the next one is usually at the next sequence number.
    seq = uids[seq] === uid ? seq + 1 : view.seqOf(uid);
    // A message expunged by another session, not yet announced, is answered too: the view holds all of this.
    if (seq === 0) continue;
    const meta = view.metaAt(seq)!;
    if (changedSince !== null && meta.modseq <= changedSince) continue;
    out.bytes(STAR);
    out.number(seq);
    out.bytes(FETCH_OPEN);
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out.byte(0x20);
      const type = items[i]!.type;
      if (type === 'uid') {
        out.bytes(UID_SP);
        out.number(uid);
      } else if (type === 'modseq') {
        out.bytes(MODSEQ_OPEN);
        out.number(meta.modseq);
        out.byte(0x29);
      } else if (type === 'flags') {
        out.bytes(flagsBytes(view.flagsOf(meta)));
      } else throw new Error(`fetchFromView: ${type} is not in the view`);
    }
    out.bytes(CLOSE_CRLF);
  }
  if (out.length === 0) return;
  const bytes = out.take();
  s.out.write([bytes]);
  await written(s, flow, bytes.length);
}

/** octetsOf is the length of response pieces (a string counts its UTF-16 code units: FLUSH_OCTETS's measure). */
function octetsOf(pieces: ReadonlyArray<string | Buffer>): number {
  let n = 0;
  for (const p of pieces) n += p.length;
  return n;
}

/**
 * `FLAGS (...)` of a flag list, kept per list: most messages share one of a few lists (the store hands out
 * one frozen list per combination of system flags), so the bytes are built once per list, not per message.
 */
const FLAGS_BYTES = new WeakMap<readonly string[], Buffer>();

function flagsBytes(flags: readonly string[]): Buffer {
  let b = FLAGS_BYTES.get(flags);
  if (b === undefined) {
    // Flags are atoms (RFC 9051 section 9 flag-keyword): ASCII.
    b = Buffer.from(`FLAGS ${flagList(flags)}`, 'latin1');
    FLAGS_BYTES.set(flags, b);
  }
  return b;
}

const STAR = Buffer.from('* ', 'latin1');
const FETCH_OPEN = Buffer.from(' FETCH (', 'latin1');
const UID_SP = Buffer.from('UID ', 'latin1');
const MODSEQ_OPEN = Buffer.from('MODSEQ (', 'latin1');
const CLOSE_CRLF = Buffer.from(')\r\n', 'latin1');

/**
 * fetchBatch writes the responses of one batch of UIDs (ascending) and returns how many of its messages could
 * not be answered because another session expunged them.
 */
async function fetchBatch(ctx: SelectedContext, batch: number[], changedSince: number | null, p: BatchPlan): Promise<number> {
  const { session: s, account, view } = ctx;
  if (!p.plan.record && !p.plan.body && !p.markSeen) {
    await fetchFromView(ctx, batch, changedSince, p.items, p.flow);
    return 0;
  }
  let targets = batch.filter((uid) => view.get(uid) !== undefined);
  if (changedSince !== null) targets = targets.filter((uid) => view.get(uid)!.modseq > changedSince);
  const asked = targets.length;
  targets = targets.filter((uid) => !view.pendingExpunge.has(uid));
  if (targets.length === 0) return asked;

  let records: Map<number, MessageRecord> | null = null;
  if (p.plan.record) {
    records = new Map((await s.store.getMessages(account.id, view.mailbox.id, targets, fetchParts(p.plan, s.utf8))).map((m) => [m.uid, m]));
    targets = targets.filter((uid) => records!.has(uid));
  }
  let answered = 0;

  // A BINARY item on an undecodable part fails the command (RFC 3516 section 4.3); find out before \Seen
  // is set, so a failed FETCH changes no flags.
  if (records) {
    for (const item of p.items) {
      if (item.type !== 'binary' && item.type !== 'binary.size') continue;
      for (const uid of targets) {
        if (!binaryDecodable(records.get(uid)!.structure, item.section)) throw unknownCte(item.section, uid);
      }
    }
  }

  const seenNow = new Set<number>();
  if (p.markSeen) {
    const unseen = targets.filter((uid) => !hasSeen(view.get(uid)!.flags));
    if (unseen.length > 0) {
      const { updated } = await s.store.storeFlags(account.id, view.mailbox.id, unseen, 'add', ['\\Seen']);
      for (const m of updated) {
        view.update(m);
        seenNow.add(m.uid);
      }
    }
  }

  // Without bodies, responses are small: the batch is written as one piece. With bodies, each message's
  // response is written as it is rendered. Either way the writes go out once FLUSH_OCTETS have gathered.
  const gathered: Array<string | Buffer> | null = p.plan.body ? null : [];
  const bodies = p.plan.body ? s.store.readBodies(account.id, targets.map((uid) => records!.get(uid)!.bodyId)) : null;
  try {
    for (const uid of targets) {
      const record = records?.get(uid) ?? null;
      let body: Buffer | null = null;
      if (bodies) {
        body = (await bodies.next()).value ?? null;
        // Expunged and its body removed since getMessages: counted like any vanished message.
        if (body === null) continue;
      }
      const seq = view.seqOf(uid);
      const meta = view.metaAt(seq)!;
      const msg = { seq, uid, meta, flags: view.flagsOf(meta), record, body };
      const pieces = renderFetch(msg, seenNow.has(uid) ? p.withFlags : p.items, s.utf8);
      answered++;
      if (gathered) {
        for (const piece of pieces) gathered.push(piece);
        continue;
      }
      s.out.write(pieces);
      await written(s, p.flow, octetsOf(pieces));
    }
  } finally {
    await bodies?.return();
  }
  if (gathered && gathered.length > 0) {
    s.out.write(gathered.every((x) => typeof x === 'string') ? [gathered.join('')] : gathered);
    await written(s, p.flow, octetsOf(gathered));
  }
  return asked - answered;
}
