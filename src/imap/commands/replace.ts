/**
 * REPLACE and UID REPLACE (RFC 8508): append a new version of a message (to the selected mailbox or
 * another one) and expunge the old one, atomically: the store does both in one transaction.
 */
import type { CommandSpec } from '../command.js';
import { prepareMessage } from '../../delivery/prepare.js';
import { ParseError } from '../../protocol/types.js';
import { bad, no } from '../errors.js';
import { storableFlag } from '../flags.js';
import { readMessageData } from './append.js';
import { reportExpunged } from './expunge.js';

/** ReplaceArgs: the message to replace (sequence number, or UID in the UID form) and the new message. */
export interface ReplaceArgs {
  /** Sequence number or UID, as the form says. */
  target: number;
  mailbox: string;
  flags: string[];
  /** ms since epoch, or null for "now". */
  date: number | null;
  data: Buffer;
}

/**
 * replaceCommand: `REPLACE n mailbox [flags] [date-time] literal` (RFC 8508 section 3). Replies
 * `* OK [APPENDUID v uid]` (UIDPLUS), then the EXPUNGE of the old message, then the tagged OK.
 * A sequence number beyond the mailbox is BAD; a UID not in it is NO; a read-only mailbox is NO; a missing
 * target mailbox is NO [TRYCREATE], and nothing is changed in any of these cases.
 */
export const replaceCommand: CommandSpec<ReplaceArgs, 'selected'> = {
  name: 'REPLACE',
  states: ['selected'],
  uidForm: true,
  parse(r, s) {
    r.space();
    const target = r.nzNumber();
    r.space();
    const mailbox = r.mailbox(s.utf8);
    r.space();
    let flags: string[] = [];
    let date: number | null = null;
    if (r.peek() === '(') {
      flags = r.flagList();
      r.space();
    }
    if (r.peek() === '"') {
      date = r.dateTime();
      r.space();
    }
    flags = flags.map(storableFlag);
    const data = readMessageData(r, s.enabled.has('UTF8=ACCEPT'));
    r.end();
    return { target, mailbox, flags, date, data };
  },
  async run(ctx, args) {
    const { session: s, view, account } = ctx;
    let uid: number;
    if (ctx.uid) {
      uid = args.target;
      if (view.seqOf(uid) === 0) throw no(`No message with UID ${uid}`);
    } else {
      if (args.target > view.count) throw bad('Invalid message sequence number');
      uid = view.uids[args.target - 1]!;
    }
    if (view.readOnly) throw no('Mailbox is read-only.');
    const box = await s.store.getMailbox(account.id, args.mailbox);
    if (!box) throw no(`Mailbox doesn't exist: ${args.mailbox}`, 'TRYCREATE');
    if (args.data.length === 0) throw no("Can't save a zero-length message.");
    const message = prepareMessage(args.data, args.flags, args.date ?? Date.now());
    const result = await s.store.replaceMessage(account.id, view.mailbox.id, uid, box.id, message);
    if (!result) throw no('The message to replace no longer exists.', 'EXPUNGEISSUED');
    s.out.untagged(`OK [APPENDUID ${result.uidValidity} ${result.uid}] Replacement message ready`);
    reportExpunged(s, view, [uid]);
    s.markChanged();
    return `${ctx.uid ? 'UID ' : ''}REPLACE completed`;
  },
};
