/**
 * COPY (RFC 9051 section 6.4.7) and MOVE (RFC 6851), with COPYUID (UIDPLUS, RFC 4315).
 * MOVE reports COPYUID in an untagged OK before the EXPUNGE responses (RFC 6851 section 4.3).
 */
import type { CommandSpec, SelectedContext } from '../command.js';
import type { Session } from '../session.js';
import { formatSequenceSet } from '../../protocol/encoder.js';
import type { SequenceSet } from '../../protocol/types.js';
import { no } from '../errors.js';
import { highestModseqText, reportExpunged } from './expunge.js';

interface CopyArgs {
  set: SequenceSet;
  mailbox: string;
}

function parseCopy(r: Parameters<CommandSpec<CopyArgs>['parse']>[0], s: Session): CopyArgs {
  r.space();
  const set = r.sequenceSet();
  r.space();
  const mailbox = r.mailbox(s.utf8);
  r.end();
  return { set, mailbox };
}

async function target({ session: s, account }: SelectedContext, mailbox: string): Promise<number> {
  const box = await s.store.getMailbox(account.id, mailbox);
  if (!box) throw no(`Mailbox doesn't exist: ${mailbox}`, 'TRYCREATE');
  return box.id;
}

/** COPY / UID COPY set mailbox. */
export const copyCommand: CommandSpec<CopyArgs, 'selected'> = {
  name: 'COPY',
  states: ['selected'],
  uidForm: true,
  parse: parseCopy,
  async run(ctx, { set, mailbox }) {
    const { session: s, view, account } = ctx;
    const uids = view.resolve(set, ctx.uid);
    const to = await target(ctx, mailbox);
    if (uids.length === 0) return ctx.uid ? 'No messages copied' : undefined;
    const r = await s.store.copyMessages(account.id, view.mailbox.id, uids, to);
    if (to === view.mailbox.id) s.markChanged();
    if (r.sourceUids.length === 0) throw no('Some of the requested messages no longer exist.', 'EXPUNGEISSUED');
    return `[COPYUID ${r.uidValidity} ${formatSequenceSet(r.sourceUids)} ${formatSequenceSet(r.destUids)}] COPY completed`;
  },
};

/** MOVE / UID MOVE set mailbox. */
export const moveCommand: CommandSpec<CopyArgs, 'selected'> = {
  name: 'MOVE',
  states: ['selected'],
  uidForm: true,
  parse: parseCopy,
  async run(ctx, { set, mailbox }) {
    const { session: s, view, account } = ctx;
    if (view.readOnly) throw no('Mailbox is read-only.');
    const uids = view.resolve(set, ctx.uid);
    const to = await target(ctx, mailbox);
    if (uids.length === 0) return ctx.uid ? 'No messages moved' : undefined;
    const r = await s.store.moveMessages(account.id, view.mailbox.id, uids, to);
    if (to === view.mailbox.id) s.markChanged();
    if (r.sourceUids.length === 0) throw no('Some of the requested messages no longer exist.', 'EXPUNGEISSUED');
    s.out.untagged(`OK [COPYUID ${r.uidValidity} ${pairs(r.sourceUids, r.destUids)}] Moved`);
    reportExpunged(s, view, r.sourceUids);
    return highestModseqText(ctx, 'MOVE completed');
  },
};

function pairs(src: number[], dst: number[]): string {
  // COPYUID sets pair up in order; formatSequenceSet sorts, which keeps pairs since both ascend together.
  return `${formatSequenceSet(src)} ${formatSequenceSet(dst)}`;
}
