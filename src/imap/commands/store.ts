/**
 * STORE and UID STORE (RFC 9051 sections 6.4.6 and 6.4.9), with the UNCHANGEDSINCE modifier of RFC 7162
 * section 3.1.3.
 */
import type { CommandSpec } from '../command.js';
import { flagList, formatSequenceSet } from '../../protocol/encoder.js';
import { ParseError } from '../../protocol/types.js';
import type { ArgReader, SequenceSet } from '../../protocol/types.js';
import type { FlagOperation } from '../../store/types.js';
import { condstoreOn, enableCondstore } from '../condstore.js';
import { no } from '../errors.js';
import { sameFlags } from '../sync.js';

/** Responses written between two awaits of the writer's drain(). */
const DRAIN_EVERY = 200;

/** System flags a client may store (RFC 9051 section 2.3.2); \Recent is the server's alone. */
const SYSTEM_FLAGS = new Map(['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((f) => [f.toLowerCase(), f]));

/** StoreArgs: the set, the operation (FLAGS = set, +FLAGS = add, -FLAGS = remove), .SILENT, the flags and UNCHANGEDSINCE (null when absent). */
export interface StoreArgs {
  set: SequenceSet;
  op: FlagOperation;
  silent: boolean;
  flags: string[];
  unchangedSince: number | null;
}

const OPS: Record<string, FlagOperation> = { FLAGS: 'set', '+FLAGS': 'add', '-FLAGS': 'remove' };

/** Checks one flag: system flags in canonical case; unknown ones and \Recent are BAD, as in Dovecot ("Invalid system flag"). */
function checkFlag(flag: string): string {
  if (!flag.startsWith('\\')) return flag;
  const known = SYSTEM_FLAGS.get(flag.toLowerCase());
  if (!known) throw new ParseError(`Invalid system flag ${flag}`);
  return known;
}

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

/**
 * storeCommand is STORE <set> [(UNCHANGEDSINCE n)] <FLAGS|+FLAGS|-FLAGS>[.SILENT] <flags>: changes flags, then (unless .SILENT)
 * writes `* n FETCH (FLAGS (...))` with the current flags of every targeted message that still exists,
 * changed or not, like Dovecot (RFC 9051 section 6.4.6: SHOULD). UID STORE adds UID to each. Messages
 * refused by UNCHANGEDSINCE are reported as OK [MODIFIED set] (sequence numbers for STORE, UIDs for
 * UID STORE) and get no FETCH. With .SILENT, only a message that another session changed too gets a
 * `* n FETCH (UID u FLAGS (...))`. A read-only mailbox (EXAMINE) is NO.
 */
export const storeCommand: CommandSpec<StoreArgs> = {
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
    return { set, op, silent, flags: [...new Set(flags.map(checkFlag))], unchangedSince };
  },
  async run(s, args, ctx) {
    const view = s.selected!;
    if (view.readOnly) throw no('Mailbox is read-only.');
    if (args.unchangedSince !== null) enableCondstore(s); // RFC 7162 section 3.1: a CONDSTORE enabling command.
    const condstore = condstoreOn(s);
    const modseqOf = (uid: number): string => (condstore ? ` MODSEQ (${view.get(uid)!.modseq})` : '');
    const uids = view.resolve(args.set, ctx.uid);
    if (uids.length === 0) return;
    const known = new Map(uids.map((uid) => [uid, view.get(uid)?.flags ?? []]));
    const { updated, failed } = await s.store.storeFlags(
      s.account!.id,
      view.mailbox.id,
      uids,
      args.op,
      args.flags,
      args.unchangedSince ?? undefined,
    );
    for (const m of updated) view.update(m);
    const refused = new Set(failed);
    if (args.silent) {
      // .SILENT silences the echo of this command's own change only (RFC 9051 section 6.4.6 note): where the
      // new flags are not what this change alone makes of the flags the client knew, another session changed
      // them too, and the client hears of it as an unsolicited FETCH (which carries UID, section 7.5.2).
      // Under CONDSTORE the new modseq is never silenced (RFC 7162 section 3.1.3).
      for (const m of updated) {
        if (sameFlags(applyOperation(known.get(m.uid)!, args.op, args.flags), m.flags)) {
          if (condstore) s.out.untagged(`${view.seqOf(m.uid)} FETCH (${ctx.uid ? `UID ${m.uid} ` : ''}MODSEQ (${m.modseq}))`);
          continue;
        }
        s.out.untagged(`${view.seqOf(m.uid)} FETCH (UID ${m.uid} FLAGS ${flagList(m.flags)}${modseqOf(m.uid)})`);
      }
    } else {
      let written = 0;
      for (const uid of uids) {
        const meta = view.get(uid);
        if (!meta || refused.has(uid) || view.pendingExpunge.has(uid)) continue;
        s.out.untagged(`${view.seqOf(uid)} FETCH (FLAGS ${flagList(meta.flags)}${ctx.uid ? ` UID ${uid}` : ''}${modseqOf(uid)})`);
        if (++written % DRAIN_EVERY === 0) await s.out.drain();
      }
    }
    if (failed.length > 0) {
      const ids = ctx.uid ? failed : failed.map((u) => view.seqOf(u)).filter((n) => n > 0);
      return `[MODIFIED ${formatSequenceSet(ids)}] Conditional STORE failed`;
    }
  },
};
