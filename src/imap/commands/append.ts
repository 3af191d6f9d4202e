/**
 * APPEND (RFC 9051 section 6.3.12), with several messages in one command (MULTIAPPEND, RFC 3502) and
 * the APPENDUID response code (UIDPLUS, RFC 4315). The message is stored exactly as sent; the tagged
 * OK is written only after the store has committed it to disk.
 */
import type { CommandSpec } from '../command.js';
import { prepareMessage } from '../../delivery/prepare.js';
import { formatSequenceSet } from '../../protocol/encoder.js';
import { ParseError } from '../../protocol/types.js';
import { no } from '../errors.js';

interface AppendItem {
  flags: string[];
  /** ms since epoch, or null for "now". */
  date: number | null;
  data: Buffer;
}

/** APPEND mailbox [flags] [date-time] literal [[flags] [date-time] literal ...]. */
export const appendCommand: CommandSpec<{ mailbox: string; items: AppendItem[] }> = {
  name: 'APPEND',
  states: ['authenticated', 'selected'],
  parse(r, s) {
    r.space();
    const mailbox = r.mailbox(s.utf8);
    const items: AppendItem[] = [];
    do {
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
      if (!r.atLiteral()) throw new ParseError('APPEND expects the message as a literal');
      const { data } = r.literal();
      for (const f of flags) {
        if (f === '\\Recent' || f === '\\*') throw new ParseError(`APPEND cannot set ${f}`);
      }
      items.push({ flags, date, data });
    } while (!r.atEnd());
    return { mailbox, items };
  },
  async run(s, { mailbox, items }) {
    const account = s.account!;
    const box = await s.store.getMailbox(account.id, mailbox);
    if (!box) throw no(`Mailbox doesn't exist: ${mailbox}`, 'TRYCREATE');
    if (items.some((i) => i.data.length === 0)) throw no("Can't save a zero-length message.");
    const now = Date.now();
    const messages = items.map((i) => prepareMessage(i.data, i.flags, i.date ?? now));
    const { uidValidity, uids } = await s.store.appendMessages(account.id, box.id, messages);
    // RFC 9051 section 6.3.12: appending to the selected mailbox is reported with EXISTS before the tagged OK.
    if (s.selected?.mailbox.id === box.id) s.markChanged();
    return `[APPENDUID ${uidValidity} ${formatSequenceSet(uids)}] APPEND completed`;
  },
};
