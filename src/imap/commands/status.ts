/**
 * STATUS (RFC 9051 section 6.3.11): counters of a mailbox without selecting it. Also the STATUS
 * items and the untagged STATUS response that LIST ... RETURN (STATUS (...)) reuses (RFC 5819).
 */
import { enableCondstore } from '../condstore.js';
import type { AuthenticatedContext, CommandSpec } from '../command.js';
import { mailboxOut } from '../../protocol/encoder.js';
import { MAX_LITERAL_OCTETS } from '../../limits.js';
import { ParseError, type ArgReader } from '../../protocol/types.js';
import type { Mailbox } from '../../store/types.js';
import { no } from '../errors.js';
import { kib } from './quota.js';
import { mailboxObjectId } from '../objectid.js';
import { normalizeMailboxName } from '../../store/mailbox-names.js';

/**
 * StatusItem is one status-att: RFC 9051 section 6.3.11 (MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN,
 * DELETED, SIZE), RFC 3501 section 6.3.10 (RECENT: messages no session has claimed as \Recent), RFC 7162 section 3.1.7
 * (HIGHESTMODSEQ), RFC 7889 (APPENDLIMIT), RFC 9208 section 4.2 (DELETED-STORAGE, in units of 1024 octets),
 * RFC 8474 section 4.3 (MAILBOXID, a parenthesised object id).
 */
export type StatusItem =
  | 'MESSAGES'
  | 'UIDNEXT'
  | 'UIDVALIDITY'
  | 'UNSEEN'
  | 'DELETED'
  | 'SIZE'
  | 'RECENT'
  | 'HIGHESTMODSEQ'
  | 'APPENDLIMIT'
  | 'DELETED-STORAGE'
  | 'MAILBOXID';

const ITEMS: ReadonlySet<string> = new Set<StatusItem>([
  'MESSAGES',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'DELETED',
  'SIZE',
  'RECENT',
  'HIGHESTMODSEQ',
  'APPENDLIMIT',
  'DELETED-STORAGE',
  'MAILBOXID',
]);

/** Items that need Store.mailboxCounts (the others come from the mailbox row or constants). */
const COUNT_ITEMS: ReadonlySet<StatusItem> = new Set<StatusItem>(['MESSAGES', 'UNSEEN', 'DELETED', 'SIZE', 'DELETED-STORAGE', 'RECENT']);

/**
 * readStatusItems reads `"(" status-att *(SP status-att) ")"` (RFC 9051 section 9), upper-cased, in the
 * order sent, duplicates dropped. Throws ParseError (BAD) for an empty list or an unknown item. With `rev2`
 * (IMAP4rev2 enabled) RECENT is unknown: RFC 9051 removed it from status-att along with \Recent.
 */
export function readStatusItems(r: ArgReader, rev2: boolean): StatusItem[] {
  const raw = r.list(() => r.atom().toUpperCase());
  if (raw.length === 0) throw new ParseError('STATUS needs at least one item');
  const out: StatusItem[] = [];
  for (const item of raw) {
    if (!ITEMS.has(item) || (rev2 && item === 'RECENT')) throw new ParseError(`Unknown STATUS item ${item}`);
    if (!out.includes(item as StatusItem)) out.push(item as StatusItem);
  }
  return out;
}

/**
 * writeStatus writes `* STATUS <mailbox> (<item> <number> ...)` for an existing mailbox, items in the
 * order requested (RFC 9051 section 7.3.3). A HIGHESTMODSEQ request is a CONDSTORE enabling command
 * (RFC 7162 section 3.1) when the server advertises CONDSTORE.
 */
export async function writeStatus(ctx: AuthenticatedContext, box: Mailbox, items: readonly StatusItem[]): Promise<void> {
  const s = ctx.session;
  const accountId = ctx.account.id;
  const counts = items.some((i) => COUNT_ITEMS.has(i)) ? await s.store.mailboxCounts(accountId, box.id) : null;
  const parts: string[] = [];
  for (const item of items) {
    let value: number | string;
    switch (item) {
      case 'MAILBOXID':
        value = `(${mailboxObjectId(box.id)})`;
        break;
      case 'MESSAGES':
        value = counts!.messages;
        break;
      case 'UNSEEN':
        value = counts!.unseen;
        break;
      case 'DELETED':
        value = counts!.deleted;
        break;
      case 'SIZE':
        value = counts!.size;
        break;
      case 'UIDNEXT':
        value = box.uidNext;
        break;
      case 'UIDVALIDITY':
        value = box.uidValidity;
        break;
      case 'RECENT':
        value = counts!.recent;
        break;
      case 'HIGHESTMODSEQ':
        value = box.highestModseq;
        if (s.capabilities().includes('CONDSTORE')) enableCondstore(s, ctx.view);
        break;
      case 'APPENDLIMIT':
        value = MAX_LITERAL_OCTETS;
        break;
      case 'DELETED-STORAGE':
        value = kib(counts!.deletedSize);
        break;
    }
    parts.push(`${item} ${value}`);
  }
  s.out.untagged(`STATUS ${mailboxOut(box.name, s.utf8)} (${parts.join(' ')})`);
}

/** StatusArgs: the mailbox (normalized) and the items of STATUS (RFC 9051 section 6.3.11). */
export interface StatusArgs {
  mailbox: string;
  items: StatusItem[];
}

/**
 * statusCommand: `STATUS mailbox (items)`. Nonexistent (or a \Noselect intermediate name) -> NO [NONEXISTENT];
 * unknown item -> BAD. STATUS of the selected mailbox is answered too: RFC 9051 section 6.3.11 only says
 * clients SHOULD NOT ask.
 */
export const statusCommand: CommandSpec<StatusArgs, 'authenticated' | 'selected'> = {
  name: 'STATUS',
  states: ['authenticated', 'selected'],
  parse(r, s) {
    r.space();
    const mailbox = normalizeMailboxName(r.mailbox(s.utf8));
    r.space();
    const items = readStatusItems(r, s.rev2);
    r.end();
    return { mailbox, items };
  },
  async run(ctx, { mailbox, items }) {
    const { session: s, account } = ctx;
    const box = await s.store.getMailbox(account.id, mailbox);
    if (!box) throw no("Mailbox doesn't exist", 'NONEXISTENT');
    await writeStatus(ctx, box, items);
  },
};
