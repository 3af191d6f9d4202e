/**
 * The comparison engine: sends the same commands to Letterbox and to Dovecot, parses both answers into
 * value trees (wire.ts) and records, per message and data item, whether they agree. Differences are
 * looked up in the table of explained differences (differences.ts); anything not in it is unexplained.
 */
import type { Loaded } from './corpus.js';
import { fetchItems, parseResponse, render, sameValue, type TaggedReply, type Value, type WireClient } from './wire.js';
import { explanationFor, normalise, type RuleName } from './differences.js';

/** Side: one server's connection (with the comparison mailbox selected) and where the messages went. */
export interface Side {
  client: WireClient;
  loaded: Loaded;
  /** Opens a new connection with the mailbox selected (replaces `client` after a drop). */
  reopen(): Promise<WireClient>;
}

/** Difference: one disagreement, with both answers rendered for the report. */
export interface Difference {
  message: string;
  item: string;
  letterbox: string;
  dovecot: string;
  /** 'rfc': explained by an RFC passage; null: unexplained (fails the test). */
  explanation: 'rfc' | null;
  /** The checked rule (a key of RULES in differences.ts) that explains it, when one does. */
  rule?: RuleName;
}

/** Tally counts comparisons and keeps every difference. */
export class Tally {
  matched = 0;
  differences: Difference[] = [];
  /** Cases that differences.ts explains but that matched: the explanation no longer describes Letterbox. */
  stale: string[] = [];

  /**
   * record notes one comparison of `item` for `message` ('*' for whole-mailbox answers). `rule` names a rule
   * of differences.ts that the caller has checked for this very case; otherwise the table decides.
   */
  record(message: string, item: string, equal: boolean, letterbox: () => string, dovecot: () => string, rule?: RuleName): void {
    if (equal) {
      this.matched++;
      if (explanationFor(message, item)) this.stale.push(`${message} ${item}`);
      return;
    }
    const d: Difference = { message, item, letterbox: letterbox(), dovecot: dovecot(), explanation: explanationFor(message, item)?.kind ?? null };
    if (rule !== undefined) {
      // A rule checked on this very case says more than a listed case.
      d.explanation = 'rfc';
      d.rule = rule;
    }
    this.differences.push(d);
  }

  get total(): number {
    return this.matched + this.differences.length;
  }

  get explained(): number {
    return this.differences.filter((d) => d.explanation === 'rfc').length;
  }

  get unexplained(): Difference[] {
    return this.differences.filter((d) => d.explanation === null);
  }

  /** summary is the line the test prints. */
  summary(): string {
    return (
      `dovecot comparison: ${this.matched} of ${this.total} matched, ${this.explained} explained differences, ` +
      `${this.unexplained.length} unexplained`
    );
  }
}

/** PartInfo: a section number of a message and what kind of body it is. */
export interface PartInfo {
  section: string;
  kind: 'multipart' | 'message' | 'leaf';
  /** Media type/subtype, lower-cased ("text/plain"); "multipart" for multiparts. */
  type: string;
}

const text = (v: Value | undefined): string =>
  v?.kind === 'string' ? v.bytes.toString('latin1') : v?.kind === 'atom' ? v.text : '';

/**
 * partsOf lists the section numbers of every body part in a BODYSTRUCTURE value (RFC 9051 section
 * 6.4.5: a non-multipart message is part 1; the parts of an attached message are numbered under it).
 */
export function partsOf(bs: Value): PartInfo[] {
  const out: PartInfo[] = [];
  const children = (body: Value & { kind: 'list' }, section: string): void => {
    let k = 1;
    for (const child of body.items) {
      if (child.kind !== 'list') break;
      walk(child, section ? `${section}.${k}` : `${k}`);
      k++;
    }
  };
  const walk = (body: Value, section: string): void => {
    if (body.kind !== 'list' || body.items.length === 0) return;
    if (body.items[0]!.kind === 'list') {
      if (section) out.push({ section, kind: 'multipart', type: 'multipart' });
      children(body, section);
      return;
    }
    const sec = section || '1';
    const type = text(body.items[0]).toLowerCase();
    const subtype = text(body.items[1]).toLowerCase();
    const inner = body.items[8];
    if (type === 'message' && (subtype === 'rfc822' || subtype === 'global') && inner?.kind === 'list') {
      out.push({ section: sec, kind: 'message', type: `${type}/${subtype}` });
      if (inner.items[0]?.kind === 'list') children(inner, sec);
      else walk(inner, `${sec}.1`);
      return;
    }
    out.push({ section: sec, kind: 'leaf', type: `${type}/${subtype}` });
  };
  walk(bs, '');
  return out;
}

/** compareReplies compares two tagged replies of the same FETCH, item by item (UID excluded). */
function compareFetchReplies(tally: Tally, message: string, label: string, lb: TaggedReply, dc: TaggedReply): void {
  if (lb.status !== 'OK' || dc.status !== 'OK') {
    const codeOf = (r: TaggedReply): string => `${r.status} [${r.code.split(' ')[0]}]`;
    tally.record(message, `${label} status`, codeOf(lb) === codeOf(dc), () => `${codeOf(lb)} ${lb.text}`, () => `${codeOf(dc)} ${dc.text}`);
    return;
  }
  const a = [...fetchItems(lb.untagged).values()][0] ?? new Map<string, Value>();
  const b = [...fetchItems(dc.untagged).values()][0] ?? new Map<string, Value>();
  const names = new Set([...a.keys(), ...b.keys()]);
  names.delete('UID');
  for (const name of names) {
    const x = normalise(name, a.get(name));
    const y = normalise(name, b.get(name));
    tally.record(message, name, sameValue(x, y), () => render(x), () => render(y));
  }
}

/** Sends the same command (with the message's own UID on each side) to both servers. */
async function both(lb: Side, dc: Side, message: string, command: (uid: number) => string): Promise<[TaggedReply, TaggedReply]> {
  return Promise.all([
    lb.client.command(command(lb.loaded.uids.get(message)!)),
    dc.client.command(command(dc.loaded.uids.get(message)!)),
  ]);
}

/** MESSAGE_ITEMS: the whole-message FETCH items compared for every message. */
export const MESSAGE_ITEMS = 'ENVELOPE BODYSTRUCTURE BODY RFC822.SIZE INTERNALDATE FLAGS BODY.PEEK[HEADER] BODY.PEEK[TEXT]';

/**
 * compareMessage compares one message: the whole-message items, then BODY[n] and BODY[n.MIME] of every
 * part (plus [n.HEADER] and [n.TEXT] of attached messages); compareBinary does BINARY. Parts are taken
 * from Dovecot's body structure, so a part Letterbox misses still shows up.
 */
export async function compareMessage(tally: Tally, lb: Side, dc: Side, message: string): Promise<void> {
  const [lbTop, dcTop] = await both(lb, dc, message, (uid) => `UID FETCH ${uid} (${MESSAGE_ITEMS})`);
  compareFetchReplies(tally, message, 'FETCH', lbTop, dcTop);
  const bs = [...fetchItems(dcTop.untagged).values()][0]?.get('BODYSTRUCTURE');
  if (!bs) return;
  const work: Array<Promise<void>> = [];
  for (const p of partsOf(bs)) {
    const s = p.section;
    const items = [`BODY.PEEK[${s}]`, `BODY.PEEK[${s}.MIME]`];
    if (p.kind === 'message') items.push(`BODY.PEEK[${s}.HEADER]`, `BODY.PEEK[${s}.TEXT]`);
    work.push(both(lb, dc, message, (uid) => `UID FETCH ${uid} (${items.join(' ')})`).then(([a, b]) => compareFetchReplies(tally, message, `FETCH ${s}`, a, b)));
  }
  await Promise.all(work);
}

/** The text of a FETCH item that is a string, as octets; null when absent or not a string. */
function bytesOf(r: TaggedReply, item: string): Buffer | null {
  const v = [...fetchItems(r.untagged).values()][0]?.get(item);
  return v?.kind === 'string' ? v.bytes : null;
}

const crlfText = (b: Buffer): string => b.toString('latin1').replace(/\r?\n/g, '\r\n');

/**
 * compareBinary compares BINARY[n] and BINARY.SIZE[n] (RFC 9051 section 6.4.5, RFC 3516) of every leaf part
 * (BINARY "can only be requested for leaf body parts": not multipart/*, message/rfc822 or message/global),
 * one command at a time, reconnecting a side that dropped its connection (Dovecot disconnects when it cannot
 * decode a part). Two differences are explained by checked rules (RULES in differences.ts): text decoded with
 * other line ends than CRLF, and a BINARY.SIZE that is not the size of the same server's BINARY.
 */
export async function compareBinary(tally: Tally, lb: Side, dc: Side, message: string): Promise<void> {
  const [, dcTop] = await both(lb, dc, message, (uid) => `UID FETCH ${uid} (BODYSTRUCTURE)`);
  const bs = [...fetchItems(dcTop.untagged).values()][0]?.get('BODYSTRUCTURE');
  if (!bs) return;
  for (const p of partsOf(bs)) {
    if (p.kind !== 'leaf') continue;
    const s = p.section;
    const run = async (side: Side, items: string): Promise<TaggedReply> => {
      const r = await side.client.command(`UID FETCH ${side.loaded.uids.get(message)!} (${items})`);
      if (r.status === 'CLOSED') side.client = await side.reopen();
      return r;
    };
    const [aSize, bSize] = [await run(lb, `BINARY.SIZE[${s}]`), await run(dc, `BINARY.SIZE[${s}]`)];
    const [aBin, bBin] = [await run(lb, `BINARY.PEEK[${s}]`), await run(dc, `BINARY.PEEK[${s}]`)];
    if (aSize.status !== 'OK' || bSize.status !== 'OK' || aBin.status !== 'OK' || bBin.status !== 'OK') {
      compareFetchReplies(tally, message, `BINARY.SIZE[${s}]`, aSize, bSize);
      compareFetchReplies(tally, message, `BINARY[${s}]`, aBin, bBin);
      continue;
    }
    const x = bytesOf(aBin, `BINARY[${s}]`) ?? Buffer.alloc(0);
    const y = bytesOf(bBin, `BINARY[${s}]`) ?? Buffer.alloc(0);
    const sizeOf = (r: TaggedReply): number => {
      const v = [...fetchItems(r.untagged).values()][0]?.get(`BINARY.SIZE[${s}]`);
      return v?.kind === 'atom' ? Number(v.text) : -1;
    };
    const [xs, ys] = [sizeOf(aSize), sizeOf(bSize)];
    const same = x.equals(y);
    // Textual parts must go out with CRLF line ends (RULES.BINARY_TEXT_CRLF): Letterbox's has only CRLF
    // and, line ends aside, the same octets as Dovecot's.
    const crlf = !same && p.type.startsWith('text/') && crlfText(x) === x.toString('latin1') && crlfText(x) === crlfText(y);
    tally.record(message, `BINARY[${s}]`, same, () => render({ kind: 'string', bytes: x }).slice(0, 2000), () => render({ kind: 'string', bytes: y }).slice(0, 2000), crlf ? 'BINARY_TEXT_CRLF' : undefined);
    let rule: RuleName | undefined;
    if (xs === x.length && ys !== y.length && (same || crlf)) rule = 'BINARY_SIZE_OF_BINARY';
    else if (xs === x.length && ys === y.length && crlf) rule = 'BINARY_TEXT_CRLF';
    tally.record(message, `BINARY.SIZE[${s}]`, xs === ys, () => `${xs} (its BINARY: ${x.length} octets)`, () => `${ys} (its BINARY: ${y.length} octets)`, rule);
  }
}

/** SearchCriterion: a SEARCH key as text, with an optional UTF-8 literal appended (for non-ASCII strings). */
export interface SearchCriterion {
  /** Label used in the report and in differences.ts (the criteria as a client would type them). */
  label: string;
  /** Command text after `UID SEARCH `; a `literal`, when present, follows it as a LITERAL+ literal (a string as UTF-8). */
  criteria: string;
  literal?: string | Buffer;
}

function uidsOf(r: TaggedReply, verb: string): number[] {
  const out: number[] = [];
  for (const line of r.untagged) {
    const v = parseResponse(line);
    if (v[0]?.kind === 'atom' && v[0].text.toUpperCase() === verb) {
      for (const x of v.slice(1)) if (x.kind === 'atom' && /^\d+$/.test(x.text)) out.push(Number(x.text));
    }
  }
  return out;
}

/**
 * compareSearch runs one SEARCH on both servers and compares the sets of messages found. Every message
 * whose membership differs is one difference (so each can be explained on its own); the criterion as a
 * whole counts as one match when the sets agree.
 */
export async function compareSearch(tally: Tally, lb: Side, dc: Side, c: SearchCriterion): Promise<void> {
  const parts = (): Array<string | Buffer> => (c.literal === undefined ? [`UID SEARCH ${c.criteria}`] : [`UID SEARCH ${c.criteria} `, Buffer.isBuffer(c.literal) ? c.literal : Buffer.from(c.literal)]);
  const [a, b] = await Promise.all([lb.client.command(...parts()), dc.client.command(...parts())]);
  const item = `SEARCH ${c.label}`;
  if (a.status !== 'OK' || b.status !== 'OK') {
    tally.record('*', item, a.status === b.status, () => `${a.status} [${a.code}] ${a.text}`, () => `${b.status} [${b.code}] ${b.text}`);
    return;
  }
  const found = (r: TaggedReply, s: Side): Set<string> => new Set(uidsOf(r, 'SEARCH').map((u) => s.loaded.names.get(u) ?? `uid ${u}`));
  const x = found(a, lb);
  const y = found(b, dc);
  let same = true;
  for (const m of new Set([...x, ...y])) {
    if (x.has(m) !== y.has(m)) {
      same = false;
      tally.record(m, item, false, () => (x.has(m) ? 'found' : 'not found'), () => (y.has(m) ? 'found' : 'not found'));
    }
  }
  if (same) tally.record('*', item, true, () => '', () => '');
}

/**
 * compareSort runs `UID SORT (keys) UTF-8 ALL` on both servers and compares the order of messages
 * (RFC 5256 section 3). One comparison per key list; a difference shows where the orders part.
 */
export async function compareSort(tally: Tally, lb: Side, dc: Side, keys: string): Promise<void> {
  const cmd = `UID SORT (${keys}) UTF-8 ALL`;
  const [a, b] = await Promise.all([lb.client.command(cmd), dc.client.command(cmd)]);
  const order = (r: TaggedReply, s: Side): string[] => uidsOf(r, 'SORT').map((u) => s.loaded.names.get(u) ?? `uid ${u}`);
  const x = order(a, lb);
  const y = order(b, dc);
  let at = 0;
  while (at < x.length && x[at] === y[at]) at++;
  const around = (list: string[]): string => `${list.length} messages; from position ${at}: ${list.slice(at, at + 5).join(' ')}`;
  tally.record('*', `SORT (${keys})`, a.status === b.status && at === x.length && x.length === y.length, () => `${a.status} ${around(x)}`, () => `${b.status} ${around(y)}`);
}

/**
 * compareThread runs `UID THREAD algorithm UTF-8 ALL` on both servers (RFC 5256 section 4) and compares the
 * threads one by one: each top-level thread, written with message names, is one comparison, so a difference
 * names the thread (by its first message) rather than failing the whole answer.
 */
export async function compareThread(tally: Tally, lb: Side, dc: Side, algorithm: string): Promise<void> {
  const cmd = `UID THREAD ${algorithm} UTF-8 ALL`;
  const [a, b] = await Promise.all([lb.client.command(cmd), dc.client.command(cmd)]);
  const item = `THREAD ${algorithm}`;
  if (a.status !== 'OK' || b.status !== 'OK') {
    tally.record('*', item, a.status === b.status, () => `${a.status} ${a.text}`, () => `${b.status} ${b.text}`);
    return;
  }
  const threads = (r: TaggedReply, s: Side): Map<string, string> => {
    const name = (v: Value): string =>
      v.kind === 'list' ? `(${v.items.map(name).join(' ')})` : v.kind === 'atom' ? (s.loaded.names.get(Number(v.text)) ?? v.text) : render(v);
    const first = (v: Value): string => (v.kind === 'list' ? (v.items[0] ? first(v.items[0]) : '') : name(v));
    const out = new Map<string, string>();
    for (const line of r.untagged) {
      const v = parseResponse(line);
      if (v[0]?.kind !== 'atom' || v[0].text.toUpperCase() !== 'THREAD') continue;
      for (const t of v.slice(1)) out.set(first(t), name(t));
    }
    return out;
  };
  const x = threads(a, lb);
  const y = threads(b, dc);
  for (const root of new Set([...x.keys(), ...y.keys()])) {
    tally.record(root, item, x.get(root) === y.get(root), () => x.get(root) ?? '(no such thread)', () => y.get(root) ?? '(no such thread)');
  }
  // The threads' order is an answer too (RFC 5256: by the sent date of each thread's first message).
  const rootsX = [...x.keys()].join(' ');
  const rootsY = [...y.keys()].join(' ');
  tally.record('*', `${item} order`, rootsX === rootsY, () => rootsX.slice(0, 2000), () => rootsY.slice(0, 2000));
}
