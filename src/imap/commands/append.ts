/**
 * APPEND (RFC 9051 section 6.3.12), with several messages in one command (MULTIAPPEND, RFC 3502: all are
 * stored in one transaction, or none), the APPENDUID response code (UIDPLUS, RFC 4315), literal8 message
 * data (BINARY, RFC 3516 section 4.4) and the `UTF8 (~{n})` data item (UTF8=ACCEPT, RFC 6855 section 4).
 * The message is stored exactly as sent; the tagged OK is written only after the store has committed it.
 */
import type { CommandSpec } from '../command.js';
import { prepareMessage } from '../../delivery/prepare.js';
import { formatSequenceSet } from '../../protocol/encoder.js';
import { ParseError, type ArgReader } from '../../protocol/types.js';
import { no } from '../errors.js';
import { storableFlag } from '../flags.js';

interface AppendItem {
  flags: string[];
  /** ms since epoch, or null for "now". */
  date: number | null;
  data: Buffer;
}

/**
 * readMessageData reads `literal` / `literal8`, or `"UTF8" SP "(" literal8 ")"` (RFC 6855 section 4), which is
 * BAD unless the client enabled UTF8=ACCEPT (`utf8Accept`). Shared by APPEND and REPLACE.
 */
export function readMessageData(r: ArgReader, utf8Accept: boolean): Buffer {
  if (!r.atLiteral() && r.peek()?.toUpperCase() === 'U') {
    if (r.atom().toUpperCase() !== 'UTF8') throw new ParseError('APPEND expects the message as a literal');
    if (!utf8Accept) throw new ParseError('The UTF8 APPEND data item needs ENABLE UTF8=ACCEPT');
    r.space();
    if (!r.tryChar('(') || !r.atLiteral()) throw new ParseError('Expected UTF8 (~{n})');
    const { data, literal8 } = r.literal();
    if (!literal8) throw new ParseError('The UTF8 APPEND data item takes a literal8 (~{n})');
    if (!r.tryChar(')')) throw new ParseError('Expected ")" after the UTF8 data');
    return data;
  }
  if (!r.atLiteral()) throw new ParseError('APPEND expects the message as a literal');
  return r.literal().data;
}

/** APPEND mailbox [flags] [date-time] literal [[flags] [date-time] literal ...]. */
export const appendCommand: CommandSpec<{ mailbox: string; items: AppendItem[] }, 'authenticated' | 'selected'> = {
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
      const data = readMessageData(r, s.enabled.has('UTF8=ACCEPT'));
      items.push({ flags: flags.map(storableFlag), date, data });
    } while (!r.atEnd());
    return { mailbox, items };
  },
  async run({ session: s, account, view }, { mailbox, items }) {
    const box = await s.store.getMailbox(account.id, mailbox);
    if (!box) throw no(`Mailbox doesn't exist: ${mailbox}`, 'TRYCREATE');
    if (items.some((i) => i.data.length === 0)) throw no("Can't save a zero-length message.");
    const now = Date.now();
    const messages = items.map((i) => prepareMessage(i.data, i.flags, i.date ?? now));
    const { uidValidity, uids } = await s.store.appendMessages(account.id, box.id, messages);
    // RFC 9051 section 6.3.12: appending to the selected mailbox is reported with EXISTS before the tagged OK.
    if (view?.mailbox.id === box.id) s.markChanged();
    return `[APPENDUID ${uidValidity} ${formatSequenceSet(uids)}] APPEND completed`;
  },
};
