/**
 * Evaluation of a SEARCH criteria tree (RFC 9051 section 6.4.4) over the session's view of the selected
 * mailbox. Data is loaded lazily, in three rounds, and only for messages whose result is still open:
 * 1. keys answered from the view (flags, sequence numbers, UIDs, modseq);
 * 2. keys on the stored record (dates, sizes), loaded in batches;
 * 3. keys on the decoded text (header fields, BODY, TEXT), loaded in batches.
 * Each round uses three-valued logic (true / false / not known yet), so `SEEN BODY x` reads no text for
 * unseen messages and `UID 1:10 LARGER 5000` loads no record outside 1:10.
 * In a large mailbox a full-text index (SearchData.candidates) first names the messages a text key may
 * match; no other message is looked at, texts are loaded only for those, and each is still checked exactly
 * (text.ts).
 */
import type { SearchKey, SequenceRange, SequenceSet } from '../../protocol/types.js';
import type { MessageMeta, SearchTextPart } from '../../store/types.js';
import { utcDay } from './sent-date.js';
import { ADDRESS_FIELDS, normalise, PreparedText, type SearchText } from './text.js';

export type { SearchText };

/** SearchView is what evaluation reads of the selected mailbox (SelectedMailbox implements it). */
export interface SearchView {
  /** UIDs in sequence order: index i is sequence number i + 1. */
  readonly uids: readonly number[];
  /** Flags and modseq as the session knows them. */
  get(uid: number): MessageMeta | undefined;
  /** The same by 1-based sequence number: no lookup by UID. */
  metaAt(seq: number): MessageMeta | undefined;
  /** The saved result "$" (RFC 5182), as UIDs. */
  readonly savedResult: readonly number[];
  /** Whether the message is \Recent in this session (RFC 3501 section 2.3.2; never after ENABLE IMAP4rev2). */
  isRecent(uid: number): boolean;
}

/**
 * SearchRecord: the stored fields record keys compare. `internalDate` in ms since epoch, `size` in octets,
 * `sentDay` the Date header's day in its own zone as 'YYYY-MM-DD' (sent-date.ts), null without a readable one.
 */
export interface SearchRecord {
  internalDate: number;
  /** Save date, ms since epoch (RFC 8514). */
  saveDate: number;
  /** The EMAILID of the message (RFC 8474), e.g. "M12". */
  emailId: string;
  size: number;
  sentDay: string | null;
}

/**
 * SearchData loads what the view does not hold, for a batch of UIDs. A UID missing from the answer is a
 * message the store no longer has (expunged by another session); it matches nothing.
 */
export interface SearchData {
  records(uids: number[]): Promise<Map<number, SearchRecord>>;
  /** The texts of `uids`; the body text only when `withBody` (BODY and TEXT read it, header keys do not). */
  texts(uids: number[], withBody: boolean): Promise<Map<number, SearchText>>;
  /**
   * candidates (optional) narrows a text key with an index: a superset of the UIDs whose `part` may contain
   * `needle` (Store.searchTextCandidates), or null when the index cannot narrow.
   */
  candidates?(part: SearchTextPart, needle: string): Promise<Set<number> | null>;
}

/** SearchOptions: `now` in ms since epoch (for OLDER/YOUNGER), `batch` UIDs per load (default 200). */
export interface SearchOptions {
  now?: number;
  batch?: number;
}

type Tri = boolean | null;

interface Msg {
  uid: number;
  seq: number;
  meta: MessageMeta;
  record?: SearchRecord;
  text?: PreparedText;
}

/** Merges ranges into sorted disjoint [lo, hi] intervals ("*" = `star`, reversed ranges swapped). */
function intervals(ranges: readonly SequenceRange[], star: number): Array<[number, number]> {
  const list = ranges
    .map((r): [number, number] => {
      const a = r.start ?? star;
      const b = r.end ?? star;
      return a <= b ? [a, b] : [b, a];
    })
    .sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const iv of list) {
    const prev = out[out.length - 1];
    if (prev && iv[0] <= prev[1] + 1) prev[1] = Math.max(prev[1], iv[1]);
    else out.push([iv[0], iv[1]]);
  }
  return out;
}

function inIntervals(ivs: ReadonlyArray<[number, number]>, n: number): boolean {
  let lo = 0;
  let hi = ivs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const [a, b] = ivs[mid]!;
    if (n < a) hi = mid - 1;
    else if (n > b) lo = mid + 1;
    else return true;
  }
  return false;
}

class Evaluator {
  private readonly sets = new Map<SequenceSet, Array<[number, number]>>();
  private saved: Set<number> | null = null;

  constructor(
    private readonly view: SearchView,
    private readonly now: number,
  ) {}

  private matchSet(set: SequenceSet, n: number, uid: number, byUid: boolean): boolean {
    if (set.kind === 'saved') {
      // "$" names messages by UID whatever the command form (RFC 5182 section 2.1).
      this.saved ??= new Set(this.view.savedResult);
      return this.saved.has(uid);
    }
    let ivs = this.sets.get(set);
    if (!ivs) {
      const u = this.view.uids;
      // "*" is the last message: the highest sequence number or UID (RFC 9051 section 9 seq-number).
      ivs = intervals(set.ranges, byUid ? (u[u.length - 1] ?? 0) : u.length);
      this.sets.set(set, ivs);
    }
    return inIntervals(ivs, n);
  }

  /** Evaluates `key` for one message; null when it depends on data not loaded yet. */
  eval(key: SearchKey, m: Msg): Tri {
    switch (key.type) {
      case 'all':
        return true;
      case 'and': {
        let result: Tri = true;
        for (const k of key.keys) {
          const r = this.eval(k, m);
          if (r === false) return false;
          if (r === null) result = null;
        }
        return result;
      }
      case 'or': {
        const a = this.eval(key.left, m);
        if (a === true) return true;
        const b = this.eval(key.right, m);
        if (b === true) return true;
        return a === null || b === null ? null : false;
      }
      case 'not': {
        const r = this.eval(key.key, m);
        return r === null ? null : !r;
      }
      case 'seq':
        return this.matchSet(key.set, m.seq, m.uid, false);
      case 'uid':
        return this.matchSet(key.set, m.uid, m.uid, true);
      case 'flag': {
        const want = key.flag.toLowerCase();
        return m.meta.flags.some((f) => f.toLowerCase() === want) === key.set;
      }
      case 'recent':
        return this.view.isRecent(m.uid) === key.set; // RECENT, or OLD when key.set is false
      case 'new': // RECENT UNSEEN (RFC 3501 section 6.4.4)
        return this.view.isRecent(m.uid) && !m.meta.flags.some((f) => f.toLowerCase() === '\\seen');
      case 'modseq':
        return m.meta.modseq >= key.modseq; // RFC 7162 section 3.1.5: equal or greater.
      case 'savedatesupported':
        return true; // every mailbox keeps save dates (RFC 8514)
      case 'threadid':
        return false; // no thread ids are assigned (FETCH THREADID is NIL, RFC 8474 section 5.2)
      case 'emailid':
        if (!m.record) return null;
        return m.record.emailId === key.id;
      case 'date': {
        if (!m.record) return null;
        // The internal and save dates are compared in UTC, the zone they are reported in; the sent date in its own.
        const day =
          key.field === 'internal' ? utcDay(m.record.internalDate) : key.field === 'saved' ? utcDay(m.record.saveDate) : m.record.sentDay;
        if (day === null) return false;
        if (key.op === 'before') return day < key.date;
        if (key.op === 'on') return day === key.date;
        return day >= key.date;
      }
      case 'within': {
        if (!m.record) return null;
        // RFC 5032 section 3: OLDER is strictly older than the interval, YOUNGER younger than or equal to it.
        // Both in whole seconds, the precision of INTERNALDATE, as Dovecot counts them.
        const cutoff = Math.floor(this.now / 1000) - key.seconds;
        const date = Math.floor(m.record.internalDate / 1000);
        return key.op === 'older' ? date < cutoff : date >= cutoff;
      }
      case 'size':
        if (!m.record) return null;
        return key.op === 'larger' ? m.record.size > key.octets : m.record.size < key.octets;
      case 'header': {
        if (!m.text) return null;
        const name = key.name.toLowerCase();
        const values = m.text.field(name);
        if (!values) return false;
        const needle = normalise(key.value);
        if (needle === '' || values.some((v) => v.includes(needle))) return true;
        return ADDRESS_FIELDS.has(name) && m.text.addresses(name)!.some((v) => v.includes(needle));
      }
      case 'body':
        if (!m.text) return null;
        return m.text.inBody(normalise(key.value));
      case 'text': {
        if (!m.text) return null;
        const needle = normalise(key.value);
        // "the header (including MIME header fields) or body of the message" (RFC 9051 section 6.4.4).
        return m.text.inHeaders(needle) || m.text.inBody(needle) || m.text.inPartHeaders(needle);
      }
    }
  }
}

/** Runs one round: decided messages go to `matched` (when true) or are dropped; the rest are returned. */
function round(ev: Evaluator, key: SearchKey, msgs: Msg[], matched: Msg[]): Msg[] {
  const open: Msg[] = [];
  for (const m of msgs) {
    const r = ev.eval(key, m);
    if (r === true) matched.push(m);
    else if (r === null) open.push(m);
  }
  return open;
}

async function loadInBatches<T>(
  msgs: Msg[],
  batch: number,
  load: (uids: number[]) => Promise<Map<number, T>>,
  attach: (m: Msg, value: T) => void,
): Promise<Msg[]> {
  const kept: Msg[] = [];
  for (let i = 0; i < msgs.length; i += batch) {
    const part = msgs.slice(i, i + batch);
    const got = await load(part.map((m) => m.uid));
    for (const m of part) {
      const v = got.get(m.uid);
      if (v === undefined) continue; // gone from the store: matches nothing
      attach(m, v);
      kept.push(m);
    }
  }
  return kept;
}

/**
 * evaluateSearch returns the UIDs of the view's messages that match `key`, ascending (which is also
 * sequence order). Sequence numbers beyond the view match nothing (no error, unlike FETCH).
 * Records and texts are loaded through `data` only for messages still undecided, `batch` at a time.
 */
export async function evaluateSearch(key: SearchKey, view: SearchView, data: SearchData, opts: SearchOptions = {}): Promise<number[]> {
  if (key.type === 'all') {
    // SORT and THREAD of ALL, SEARCH ALL: every message the view knows, with no per-message work.
    return view.uids.filter((_, i) => view.metaAt(i + 1) !== undefined);
  }
  const ev = new Evaluator(view, opts.now ?? Date.now());
  const batch = opts.batch ?? 200;
  const matched: Msg[] = [];
  // In a large mailbox a text key is narrowed by the index first: outside its candidates the key cannot
  // be true, so no message outside them is looked at at all.
  const text = needs(key, 'text');
  const maybe = text && data.candidates && view.uids.length > batch ? await mayMatch(key, data.candidates.bind(data)) : null;
  let open: Msg[] = [];
  view.uids.forEach((uid, i) => {
    if (maybe !== null && !maybe.has(uid)) return;
    const meta = view.metaAt(i + 1);
    if (meta) open.push({ uid, seq: i + 1, meta });
  });

  open = round(ev, key, open, matched);
  if (open.length > 0 && needs(key, 'record')) {
    open = await loadInBatches(open, batch, (u) => data.records(u), (m, r) => (m.record = r));
    open = round(ev, key, open, matched);
  }
  if (open.length > 0 && text) {
    const withBody = readsBody(key);
    open = await loadInBatches(open, batch, (u) => data.texts(u, withBody), (m, t) => (m.text = new PreparedText(t)));
    open = round(ev, key, open, matched);
  }
  return matched.map((m) => m.uid).sort((a, b) => a - b);
}

function intersect(a: Set<number>, b: Set<number>): Set<number> {
  const out = new Set<number>();
  for (const u of a) if (b.has(u)) out.add(u);
  return out;
}

type Candidates = (part: SearchTextPart, needle: string) => Promise<Set<number> | null>;

/**
 * mayMatch returns a set of UIDs outside which `key` cannot be true, from the text keys it requires, or null
 * when no such set is known (the key does not require a text key the index can narrow). AND intersects,
 * OR unites (only when both sides are narrowed), NOT never narrows.
 */
async function mayMatch(key: SearchKey, candidates: Candidates): Promise<Set<number> | null> {
  switch (key.type) {
    case 'and': {
      let acc: Set<number> | null = null;
      for (const k of key.keys) {
        const c = await mayMatch(k, candidates);
        if (c === null) continue;
        acc = acc === null ? c : intersect(acc, c);
      }
      return acc;
    }
    case 'or': {
      const a = await mayMatch(key.left, candidates);
      if (a === null) return null;
      const b = await mayMatch(key.right, candidates);
      return b === null ? null : new Set([...a, ...b]);
    }
    case 'body':
      return candidates('body', key.value);
    case 'text':
      return candidates('text', key.value);
    case 'header': {
      // A field value is matched apart from the header block, and a value folded from several lines has a
      // space where the block has a line break; so narrow by the needle's runs without white space, each
      // of which lies on one line of the block. An address field matches its parsed addresses too, whose
      // parts may stand apart in the block (comments, quotes): there the runs end at those marks as well.
      const split = ADDRESS_FIELDS.has(key.name.toLowerCase()) ? /[\s<>@"(),]+/u : /\s+/u;
      let acc: Set<number> | null = null;
      for (const run of key.value.split(split)) {
        const c = await candidates('headers', run);
        if (c !== null) acc = acc === null ? c : intersect(acc, c);
      }
      return acc;
    }
    default:
      return null;
  }
}

/** readsBody tells whether the tree uses BODY or TEXT, the keys that read the body text. */
function readsBody(key: SearchKey): boolean {
  switch (key.type) {
    case 'and':
      return key.keys.some(readsBody);
    case 'or':
      return readsBody(key.left) || readsBody(key.right);
    case 'not':
      return readsBody(key.key);
    case 'body':
    case 'text':
      return true;
    default:
      return false;
  }
}

/** needs tells whether any key in the tree reads the stored record ('record') or the decoded text ('text'). */
export function needs(key: SearchKey, what: 'record' | 'text'): boolean {
  switch (key.type) {
    case 'and':
      return key.keys.some((k) => needs(k, what));
    case 'or':
      return needs(key.left, what) || needs(key.right, what);
    case 'not':
      return needs(key.key, what);
    case 'date':
    case 'within':
    case 'size':
    case 'emailid':
      return what === 'record';
    case 'header':
    case 'body':
    case 'text':
      return what === 'text';
    default:
      return false;
  }
}

/** hasTextKey tells whether the tree uses TEXT, the one key that also searches the MIME header fields of body parts. */
export function hasTextKey(key: SearchKey): boolean {
  switch (key.type) {
    case 'and':
      return key.keys.some(hasTextKey);
    case 'or':
      return hasTextKey(key.left) || hasTextKey(key.right);
    case 'not':
      return hasTextKey(key.key);
    default:
      return key.type === 'text';
  }
}

/** hasModseqKey tells whether the tree uses MODSEQ, so the reply must carry the highest modseq (RFC 7162 section 3.1.5). */
export function hasModseqKey(key: SearchKey): boolean {
  switch (key.type) {
    case 'and':
      return key.keys.some(hasModseqKey);
    case 'or':
      return hasModseqKey(key.left) || hasModseqKey(key.right);
    case 'not':
      return hasModseqKey(key.key);
    default:
      return key.type === 'modseq';
  }
}
