/**
 * STORE and UID STORE (RFC 9051 sections 6.4.6 and 6.4.9), with the UNCHANGEDSINCE modifier of RFC 7162
 * section 3.1.3.
 */
import type { CommandSpec } from '../command.js';
import { flagList, formatSequenceSet } from '../../protocol/encoder.js';
import { ParseError } from '../../protocol/types.js';
import type { ArgReader, SequenceSet } from '../../protocol/types.js';
import type { FlagOperation, MessageMeta } from '../../store/types.js';
import { condstoreOn, enableCondstore, qresyncOn } from '../condstore.js';
import { no } from '../errors.js';
import { announceKeywords, storableFlag } from '../flags.js';
import { sameFlags } from '../sync.js';

/** Responses written between two awaits of the writer's drain(). */
const DRAIN_EVERY = 200;


/** StoreArgs: the set, the operation (FLAGS = set, +FLAGS = add, -FLAGS = remove), .SILENT, the flags and UNCHANGEDSINCE (null when absent). */
export interface StoreArgs {
  set: SequenceSet;
  op: FlagOperation;
  silent: boolean;
  flags: string[];
  unchangedSince: number | null;
}

const OPS: Record<string, FlagOperation> = { FLAGS: 'set', '+FLAGS': 'add', '-FLAGS': 'remove' };

/** applyOperation returns what `op` makes of `flags` (RFC 9051 section 6.4.6), comparing flags case-insensitively. */
function applyOperation(flags: readonly string[], op: FlagOperation, change: readonly string[]): string[] {
  if (op === 'set') return [...change];
  const lower = new Set(change.map((f) => f.toLowerCase()));
  const kept = flags.filter((f) => !lower.has(f.toLowerCase()));
  return op === 'add' ? [...kept, ...change] : kept;
}

/** Reads `(UNCHANGEDSINCE n)` (RFC 7162 section 3.1.3, RFC 4466 store-modifiers). */
function parseModifiers(r: ArgReader): number | null {
  let unchangedSince: number | null = null;
  do {
    const name = r.atom().toUpperCase();
    if (name !== 'UNCHANGEDSINCE') throw new ParseError(`Unknown STORE modifier ${name}`);
    r.space();
    unchangedSince = r.number64();
  } while (r.tryChar(' '));
  if (!r.tryChar(')')) throw new ParseError('Expected ")" after STORE modifiers');
  return unchangedSince;
}

/** byUid merges two lists that ascend by UID into one that does. */
function byUid(a: readonly MessageMeta[], b: readonly MessageMeta[]): MessageMeta[] {
  const out: MessageMeta[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.uid < b[j]!.uid)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/**
 * storeCommand is STORE <set> [(UNCHANGEDSINCE n)] <FLAGS|+FLAGS|-FLAGS>[.SILENT] <flags>: changes flags, then (unless
 * .SILENT) writes `* n FETCH (FLAGS (...))` once for every targeted message that still exists, changed or not,
 * with the flags and MODSEQ it has now, as the store answered (RFC 9051 section 6.4.6, RFC 7162 section 3.1.4):
 * a change another session made before is in it, and the sync after the command does not repeat it. UID STORE,
 * and every STORE once QRESYNC is enabled (RFC 7162 section 3.2.4), add UID. Messages refused by UNCHANGEDSINCE
 * are reported as OK [MODIFIED set] (sequence numbers for STORE, UIDs for UID STORE) and get no FETCH. With
 * .SILENT, only a message whose flags are not what the client can work out itself (another session changed
 * them too) gets a `* n FETCH (UID u FLAGS (...))`. A keyword new to the mailbox is announced with FLAGS first.
 * A read-only mailbox (EXAMINE) is NO.
 */
export const storeCommand: CommandSpec<StoreArgs, 'selected'> = {
  name: 'STORE',
  states: ['selected'],
  uidForm: true,
  allowExpunge: (uid) => uid,
  parse(r) {
    r.space();
    const set = r.sequenceSet();
    r.space();
    let unchangedSince: number | null = null;
    if (r.tryChar('(')) {
      unchangedSince = parseModifiers(r);
      r.space();
    }
    const item = r.atom().toUpperCase();
    const silent = item.endsWith('.SILENT');
    const op = OPS[silent ? item.slice(0, -'.SILENT'.length) : item];
    if (!op) throw new ParseError(`Invalid STORE data item ${item}`);
    r.space();
    let flags: string[];
    if (r.peek() === '(') {
      flags = r.flagList();
    } else {
      flags = [r.flag()];
      while (!r.atEnd()) {
        r.space();
        flags.push(r.flag());
      }
    }
    r.end();
    return { set, op, silent, flags: [...new Set(flags.map(storableFlag))], unchangedSince };
  },
  async run(ctx, args) {
    const { session: s, view, account } = ctx;
    if (view.readOnly) throw no('Mailbox is read-only.');
    if (args.unchangedSince !== null) enableCondstore(s, view); // RFC 7162 section 3.1: a CONDSTORE enabling command.
    const condstore = condstoreOn(s);
    const withUid = ctx.uid || qresyncOn(s);
    const uids = view.resolve(args.set, ctx.uid);
    if (uids.length === 0) return;
    const known = new Map(uids.map((uid) => [uid, view.get(uid)]));
    const { updated, unchanged, failed } = await s.store.storeFlags(
      account.id,
      view.mailbox.id,
      uids,
      args.op,
      args.flags,
      args.unchangedSince ?? undefined,
    );
    // What the store answered is how the messages are now: the view takes it, so sync reports none of it again.
    const current = byUid(updated, unchanged).filter((m) => !view.pendingExpunge.has(m.uid) && view.seqOf(m.uid) > 0);
    const mine = new Set(updated.map((m) => m.uid));
    announceKeywords(s, view, current);
    for (const m of current) view.update(m);
    const fetchLine = (m: MessageMeta, uidFirst: boolean): string => {
      const uid = withUid ? `UID ${m.uid}` : '';
      const flags = `FLAGS ${flagList(view.flagsOf(m))}`;
      const items = uidFirst ? [`UID ${m.uid}`, flags] : [flags, uid];
      if (condstore) items.push(`MODSEQ (${m.modseq})`);
      return `${view.seqOf(m.uid)} FETCH (${items.filter((x) => x !== '').join(' ')})`;
    };
    let written = 0;
    for (const m of current) {
      if (args.silent) {
        // .SILENT silences the echo of this command's own change only (RFC 9051 section 6.4.6 note): where the
        // flags are not what this change alone makes of the flags the client knew, another session changed
        // them too, and the client hears of it as an unsolicited FETCH (which carries UID, section 7.5.2).
        // Under CONDSTORE the new modseq is never silenced (RFC 7162 section 3.1.3).
        // A message this STORE left alone is news when another session changed its flags, or under CONDSTORE
        // its modseq, since the client last heard of it.
        const before = known.get(m.uid);
        const flagsBefore = before?.flags ?? [];
        if (mine.has(m.uid) ? sameFlags(applyOperation(flagsBefore, args.op, args.flags), m.flags) : sameFlags(flagsBefore, m.flags) && !(condstore && before?.modseq !== m.modseq)) {
          if (condstore && mine.has(m.uid)) s.out.untagged(`${view.seqOf(m.uid)} FETCH (${withUid ? `UID ${m.uid} ` : ''}MODSEQ (${m.modseq}))`);
          continue;
        }
        s.out.untagged(fetchLine(m, true));
      } else {
        s.out.untagged(fetchLine(m, false));
      }
      if (++written % DRAIN_EVERY === 0) await s.out.drain();
    }
    if (failed.length > 0) {
      const ids = ctx.uid ? failed : failed.map((u) => view.seqOf(u)).filter((n) => n > 0);
      return `[MODIFIED ${formatSequenceSet(ids)}] Conditional STORE failed`;
    }
  },
};
