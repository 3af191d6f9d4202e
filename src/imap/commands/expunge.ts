/** EXPUNGE (RFC 9051 section 6.4.3) and UID EXPUNGE (RFC 4315 section 2.1). */
import type { CommandSpec, SelectedContext } from '../command.js';
import type { SelectedMailbox } from '../selected.js';
import type { Session } from '../session.js';
import type { SequenceSet } from '../../protocol/types.js';
import { qresyncOn, writeExpunged } from '../condstore.js';
import { bad, no } from '../errors.js';

/**
 * EXPUNGE / UID EXPUNGE set: removes \Deleted messages (only those in the set for UID EXPUNGE) and reports them
 * (`* n EXPUNGE` each, or `* VANISHED` under QRESYNC, RFC 7162 section 3.2.10, with the mailbox's new
 * HIGHESTMODSEQ in the tagged OK, section 3.2.9).
 */
export const expungeCommand: CommandSpec<{ set: SequenceSet | null }, 'selected'> = {
  name: 'EXPUNGE',
  states: ['selected'],
  uidForm: true,
  parse(r) {
    // The dispatcher calls parse before it knows the form; a set is present only for UID EXPUNGE.
    let set: SequenceSet | null = null;
    if (!r.atEnd()) {
      r.space();
      set = r.sequenceSet();
    }
    r.end();
    return { set };
  },
  async run(ctx, { set }) {
    const { session: s, view, account } = ctx;
    if (view.readOnly) throw no('Mailbox is read-only.');
    if (ctx.uid && !set) throw bad('UID EXPUNGE needs a UID set.');
    if (!ctx.uid && set) throw bad('EXPUNGE takes no arguments.');
    const uids = set ? view.resolve(set, true) : undefined;
    if (uids && uids.length === 0) return;
    const expunged = await s.store.expunge(account.id, view.mailbox.id, uids);
    reportExpunged(s, view, expunged);
    return highestModseqText(ctx, `${ctx.uid ? 'UID ' : ''}EXPUNGE completed`);
  },
};

/**
 * highestModseqText returns the tagged OK text of a command that expunged: under QRESYNC, after the session
 * is brought up to date, with `[HIGHESTMODSEQ n]` in front (RFC 7162 section 3.2.9), so the client's resync
 * point covers the expunges it was just told of.
 */
export async function highestModseqText({ session: s, view }: SelectedContext, text: string): Promise<string> {
  if (!qresyncOn(s)) return text;
  await s.sync(true);
  return `[HIGHESTMODSEQ ${view.knownModseq}] ${text}`;
}

/** reportExpunged removes UIDs from the view and announces them: `* VANISHED` under QRESYNC, else `* n EXPUNGE` each (condstore.ts writeExpunged). */
export function reportExpunged(s: Session, view: SelectedMailbox, uids: readonly number[]): void {
  writeExpunged(s, view, uids);
}
