/**
 * SELECT and EXAMINE (RFC 9051 sections 6.3.2 and 6.3.3): load the mailbox's messages into a new
 * selected view and report EXISTS, FLAGS, PERMANENTFLAGS, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ (RFC 7162
 * section 3.1.2.1; and for IMAP4rev1 clients RECENT and UNSEEN). The select parameters CONDSTORE and
 * QRESYNC (RFC 7162 sections 3.1.8 and 3.2.5) are parsed here and resynchronised by qresync.ts.
 */
import type { AuthenticatedContext, CommandSpec } from '../command.js';
import type { Session } from '../session.js';
import { mailboxOut } from '../../protocol/encoder.js';
import { ParseError, type ArgReader } from '../../protocol/types.js';
import { normalizeMailboxName } from '../../store/mailbox-names.js';
import type { Mailbox } from '../../store/types.js';
import { enableCondstore, qresyncOn } from '../condstore.js';
import { mailboxObjectId } from '../objectid.js';
import { SelectedMailbox } from '../selected.js';
import { bad, no } from '../errors.js';
import { parseQresyncParam, resyncSelected, type QresyncParam } from '../qresync.js';
import { flagsLine, permanentFlagsLine } from '../flags.js';

/** SelectArgs: the mailbox and the select parameters (RFC 4466 section 2.1): CONDSTORE, QRESYNC (...). */
export interface SelectArgs {
  mailbox: string;
  condstore: boolean;
  qresync: QresyncParam | null;
}

/** parseSelect reads `SP mailbox [SP "(" select-param *(SP select-param) ")"]`. Throws ParseError. */
function parseSelect(r: ArgReader, s: Session): SelectArgs {
  r.space();
  const args: SelectArgs = { mailbox: normalizeMailboxName(r.mailbox(s.utf8)), condstore: false, qresync: null };
  if (!r.atEnd()) {
    r.space();
    if (!r.tryChar('(')) throw new ParseError('Expected "(" before select parameters');
    do {
      const param = r.atom().toUpperCase();
      if (param === 'CONDSTORE') args.condstore = true;
      else if (param === 'QRESYNC') {
        r.space();
        args.qresync = parseQresyncParam(r);
      } else throw new ParseError(`Unknown select parameter ${param}`);
    } while (r.tryChar(' '));
    if (!r.tryChar(')')) throw new ParseError('Expected ")" after select parameters');
  }
  r.end();
  return args;
}

function makeSelect(name: 'SELECT' | 'EXAMINE', readOnly: boolean): CommandSpec<SelectArgs, 'authenticated' | 'selected'> {
  return {
    name,
    states: ['authenticated', 'selected'],
    parse: parseSelect,
    async run(ctx, { mailbox, condstore, qresync }) {
      const { session: s, account } = ctx;
      // RFC 7162 section 3.2.5: the QRESYNC parameter is only valid after ENABLE QRESYNC.
      if (qresync && !qresyncOn(s)) throw bad('QRESYNC needs ENABLE QRESYNC first');
      const hadSelection = ctx.view !== null;
      // A SELECT that fails leaves no mailbox selected (RFC 9051 section 6.3.2).
      s.deselect();
      // CLOSED tells IMAP4rev2 and QRESYNC clients where the old mailbox's responses end (RFC 7162 section 3.2.11).
      if (hadSelection && (s.rev2 || qresyncOn(s))) s.out.untagged('OK [CLOSED] Previous mailbox closed.');
      if (condstore) enableCondstore(s, null);
      const box = await s.store.getMailbox(account.id, mailbox);
      if (!box) throw no(`Mailbox doesn't exist: ${mailbox}`, 'NONEXISTENT');
      // The row is read before the messages: every change after its modseq reaches the view through
      // sync, and sync skips what the listing already holds (known UIDs, unchanged flags).
      const messages = await s.store.listMessages(account.id, box.id);
      const view = new SelectedMailbox(box, readOnly, messages);
      if (!s.rev2) await takeRecent(ctx, view);
      s.select(view);
      writeSelectResponses(s, view);
      if (s.rev2) await writeListResponse(ctx, box);
      if (qresync && qresync.uidValidity === box.uidValidity) await resyncSelected({ ...ctx, view }, qresync);
      return `[${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${name} completed`;
    },
  };
}

/**
 * takeRecent gives an IMAP4rev1 session its \Recent messages (recent.ts): SELECT claims those no session has
 * claimed yet, and the session claims new ones as it learns of them; EXAMINE shows them and claims none
 * (RFC 3501 sections 6.3.1 and 6.3.2).
 */
async function takeRecent({ session: s, account }: AuthenticatedContext, view: SelectedMailbox): Promise<void> {
  const upTo = (view.uids[view.count - 1] ?? 0) + 1;
  if (view.readOnly) {
    view.recent.add(view.mailbox.firstRecentUid, upTo);
    return;
  }
  view.claimsRecent = true;
  // The mailbox row SELECT has just read spares the claim its own read.
  view.recent.add(await s.store.claimRecent(account.id, view.mailbox.id, upTo, view.mailbox.firstRecentUid), upTo);
}

function writeSelectResponses(s: Session, view: SelectedMailbox): void {
  const { keywords, firstUnseen } = view.flagSummary();
  view.announce(keywords);
  const lines: string[] = [];
  lines.push(`${view.count} EXISTS`);
  if (!s.rev2) lines.push(`${view.recent.countIn(view.uids)} RECENT`);
  if (!s.rev2 && firstUnseen > 0) lines.push(`OK [UNSEEN ${firstUnseen}] First unseen.`);
  lines.push(`OK [UIDVALIDITY ${view.mailbox.uidValidity}] UIDs valid`);
  // A message appended between reading the row and listing is in the view: UIDNEXT must exceed its UID.
  const uidNext = Math.max(view.mailbox.uidNext, (view.uids[view.count - 1] ?? 0) + 1);
  lines.push(`OK [UIDNEXT ${uidNext}] Predicted next UID`);
  lines.push(flagsLine(view));
  lines.push(`OK [MAILBOXID (${mailboxObjectId(view.mailbox.id)})] Ok`);
  lines.push(permanentFlagsLine(view));
  // Every mailbox keeps modseqs, so HIGHESTMODSEQ is always sent and NOMODSEQ never (RFC 7162 section 3.1.2.1).
  lines.push(`OK [HIGHESTMODSEQ ${view.knownModseq}] Highest`);
  // One write for all of them: one system call, not one per line.
  s.out.write([lines.map((l) => `* ${l}\r\n`).join('')]);
}

/**
 * writeListResponse sends the `* LIST` that RFC 9051 section 6.3.2 requires in a SELECT reply, with the
 * mailbox's attributes as LIST would give them (children, special use).
 */
async function writeListResponse({ session: s, account }: AuthenticatedContext, box: Mailbox): Promise<void> {
  const prefix = box.name + '/';
  const hasChildren = (await s.store.listMailboxes(account.id)).some((m) => m.name.startsWith(prefix));
  const attrs = [hasChildren ? '\\HasChildren' : '\\HasNoChildren', ...(box.specialUse ? [box.specialUse] : [])];
  s.out.untagged(`LIST (${attrs.join(' ')}) "/" ${mailboxOut(box.name, s.utf8)}`);
}

/** SELECT mailbox: read-write. */
export const selectCommand = makeSelect('SELECT', false);
/** EXAMINE mailbox: read-only; FETCH never sets \Seen. */
export const examineCommand = makeSelect('EXAMINE', true);
