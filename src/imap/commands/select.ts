/**
 * SELECT and EXAMINE (RFC 9051 sections 6.3.2 and 6.3.3): load the mailbox's messages into a new
 * selected view and report EXISTS, FLAGS, PERMANENTFLAGS, UIDVALIDITY, UIDNEXT (and for IMAP4rev1
 * clients RECENT and UNSEEN).
 */
import type { CommandSpec, Session } from '../command.js';
import { parseMailboxArg } from './args.js';
import { flagList, mailboxOut } from '../../protocol/encoder.js';
import type { Mailbox } from '../../store/types.js';
import { mailboxObjectId } from '../objectid.js';
import { SelectedMailbox } from '../selected.js';
import { no } from '../errors.js';

/** System flags every mailbox supports (RFC 9051 section 2.3.2). */
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

function makeSelect(name: 'SELECT' | 'EXAMINE', readOnly: boolean): CommandSpec<{ mailbox: string }> {
  return {
    name,
    states: ['authenticated', 'selected'],
    parse: parseMailboxArg,
    async run(s, { mailbox }) {
      const hadSelection = s.selected !== null;
      // A SELECT that fails leaves no mailbox selected (RFC 9051 section 6.3.2).
      s.deselect();
      if (hadSelection && s.rev2) s.out.untagged('OK [CLOSED] Previous mailbox closed.');
      const account = s.account!;
      const box = await s.store.getMailbox(account.id, mailbox);
      if (!box) throw no(`Mailbox doesn't exist: ${mailbox}`, 'NONEXISTENT');
      // The row is read before the messages: every change after its modseq reaches the view through
      // sync, and sync skips what the listing already holds (known UIDs, unchanged flags).
      const messages = await s.store.listMessages(account.id, box.id);
      const view = new SelectedMailbox(box, readOnly, messages);
      s.selected = view;
      s.state = 'selected';
      writeSelectResponses(s, view);
      if (s.rev2) await writeListResponse(s, box);
      return `[${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${name} completed`;
    },
  };
}

function writeSelectResponses(s: Session, view: SelectedMailbox): void {
  const out = s.out;
  const keywords = new Map<string, string>();
  let firstUnseen = 0;
  view.uids.forEach((uid, i) => {
    const m = view.get(uid)!;
    let seen = false;
    for (const f of m.flags) {
      if (f.startsWith('\\')) {
        if (f === '\\Seen') seen = true;
      } else if (!keywords.has(f.toLowerCase())) keywords.set(f.toLowerCase(), f);
    }
    if (!seen && firstUnseen === 0) firstUnseen = i + 1;
  });
  const flags = [...SYSTEM_FLAGS, ...keywords.values()];
  out.untagged(`${view.count} EXISTS`);
  if (!s.rev2) out.untagged('0 RECENT');
  if (!s.rev2 && firstUnseen > 0) out.untagged(`OK [UNSEEN ${firstUnseen}] First unseen.`);
  out.untagged(`OK [UIDVALIDITY ${view.mailbox.uidValidity}] UIDs valid`);
  // A message appended between reading the row and listing is in the view: UIDNEXT must exceed its UID.
  const uidNext = Math.max(view.mailbox.uidNext, (view.uids[view.count - 1] ?? 0) + 1);
  out.untagged(`OK [UIDNEXT ${uidNext}] Predicted next UID`);
  out.untagged(`FLAGS ${flagList(flags)}`);
  out.untagged(`OK [MAILBOXID (${mailboxObjectId(view.mailbox.id)})] Ok`);
  if (view.readOnly) out.untagged('OK [PERMANENTFLAGS ()] Read-only mailbox.');
  else out.untagged(`OK [PERMANENTFLAGS ${flagList([...flags, '\\*'])}] Flags permitted.`);
}

/**
 * writeListResponse sends the `* LIST` that RFC 9051 section 6.3.2 requires in a SELECT reply, with the
 * mailbox's attributes as LIST would give them (children, special use).
 */
async function writeListResponse(s: Session, box: Mailbox): Promise<void> {
  const prefix = box.name + '/';
  const hasChildren = (await s.store.listMailboxes(s.account!.id)).some((m) => m.name.startsWith(prefix));
  const attrs = [hasChildren ? '\\HasChildren' : '\\HasNoChildren', ...(box.specialUse ? [box.specialUse] : [])];
  s.out.untagged(`LIST (${attrs.join(' ')}) "/" ${mailboxOut(box.name, s.utf8)}`);
}

/** SELECT mailbox: read-write. */
export const selectCommand = makeSelect('SELECT', false);
/** EXAMINE mailbox: read-only; FETCH never sets \Seen. */
export const examineCommand = makeSelect('EXAMINE', true);
