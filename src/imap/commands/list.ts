/**
 * LIST (RFC 9051 section 6.3.9) with the LIST-EXTENDED syntax of RFC 5258 (selection options, several
 * patterns, RETURN options), RFC 6154 SPECIAL-USE, RFC 3348/RFC 9051 child attributes and RFC 5819
 * LIST-STATUS.
 */
import type { AuthenticatedContext, CommandSpec } from '../command.js';
import { mailboxOut } from '../../protocol/encoder.js';
import { ParseError } from '../../protocol/types.js';
import { StoreError, type Mailbox } from '../../store/types.js';
import { compileListPattern } from '../list-pattern.js';
import { compareMailboxNames, DELIMITER, parentNames } from '../../store/mailbox-names.js';
import { readStatusItems, writeStatus, type StatusItem } from './status.js';

/** ListArgs is a parsed LIST command; the option flags are false and `status` null when not given. */
export interface ListArgs {
  /** True when any RFC 5258 syntax was used: then \NonExistent replaces \Noselect (RFC 5258 section 3). */
  extended: boolean;
  /** Selection option SUBSCRIBED: list subscribed names, existing or not (RFC 5258 section 3.1). */
  selectSubscribed: boolean;
  /** Selection option SPECIAL-USE: list only mailboxes with a special use (RFC 6154 section 3). */
  selectSpecialUse: boolean;
  /** Selection option RECURSIVEMATCH: also list parents of matches below the pattern, with CHILDINFO (RFC 5258 section 3.5). */
  recursiveMatch: boolean;
  /** Reference, UTF-8. */
  reference: string;
  /** One or more patterns, UTF-8. */
  patterns: string[];
  /** RETURN (SUBSCRIBED), or implied by the SUBSCRIBED selection option. */
  returnSubscribed: boolean;
  /** RETURN (STATUS (...)) items (RFC 5819), or null. */
  status: StatusItem[] | null;
}

/** Lines written between waits for the socket to drain. */
const LINES_PER_DRAIN = 256;

/**
 * listCommand: `LIST [(selection options)] reference (pattern | (patterns)) [RETURN (options)]`.
 * Replies `* LIST (<attributes>) "/" <mailbox>` per matching name, INBOX first, then in name order:
 * - every existing mailbox gets \HasChildren or \HasNoChildren (mandatory in IMAP4rev2) and its
 *   special-use attribute (RFC 6154 allows it in any LIST);
 * - a name that is not a mailbox but has mailboxes below it (e.g. "a" when only "a/b" exists) is listed
 *   when it matches, with "%" and with "*", as \Noselect \HasChildren (\NonExistent \HasChildren in
 *   extended LIST);
 * - \Subscribed with RETURN (SUBSCRIBED) or the SUBSCRIBED selection option, which also lists
 *   subscribed names that do not exist (\NonExistent);
 * - RETURN (STATUS (...)) writes `* STATUS` after the LIST line of each selectable mailbox (RFC 5819).
 * `LIST ref ""` answers the delimiter: `* LIST (\Noselect) "/" ""`. RETURN (CHILDREN) and RETURN
 * (SPECIAL-USE) are accepted; their attributes are always sent. REMOTE is accepted and changes nothing.
 * Unknown options and RECURSIVEMATCH alone are BAD (RFC 5258 sections 3 and 3.1).
 */
export const listCommand: CommandSpec<ListArgs, 'authenticated' | 'selected'> = {
  name: 'LIST',
  states: ['authenticated', 'selected'],
  parse(r, s) {
    const args: ListArgs = {
      extended: false,
      selectSubscribed: false,
      selectSpecialUse: false,
      recursiveMatch: false,
      reference: '',
      patterns: [],
      returnSubscribed: false,
      status: null,
    };
    r.space();
    if (r.peek() === '(') {
      args.extended = true;
      for (const raw of r.list(() => r.atom())) {
        const opt = raw.toUpperCase();
        if (opt === 'SUBSCRIBED') args.selectSubscribed = args.returnSubscribed = true;
        else if (opt === 'SPECIAL-USE') args.selectSpecialUse = true;
        else if (opt === 'RECURSIVEMATCH') args.recursiveMatch = true;
        else if (opt !== 'REMOTE') throw new ParseError(`Unknown LIST selection option ${raw}`);
      }
      if (args.recursiveMatch && !args.selectSubscribed && !args.selectSpecialUse) {
        throw new ParseError('RECURSIVEMATCH needs another selection option');
      }
      r.space();
    }
    args.reference = r.mailbox(s.utf8);
    r.space();
    if (r.peek() === '(') {
      args.extended = true;
      args.patterns = r.list(() => r.listMailbox(s.utf8));
      if (args.patterns.length === 0) throw new ParseError('LIST needs at least one pattern');
    } else {
      args.patterns = [r.listMailbox(s.utf8)];
    }
    if (r.tryChar(' ')) {
      if (r.atom().toUpperCase() !== 'RETURN') throw new ParseError('Expected RETURN');
      args.extended = true;
      r.space();
      r.list(() => {
        const raw = r.atom();
        const opt = raw.toUpperCase();
        if (opt === 'SUBSCRIBED') args.returnSubscribed = true;
        else if (opt === 'STATUS') {
          r.space();
          args.status = readStatusItems(r, s.rev2);
        } else if (opt !== 'CHILDREN' && opt !== 'SPECIAL-USE') throw new ParseError(`Unknown LIST return option ${raw}`);
      });
    }
    r.end();
    return args;
  },
  async run(ctx, args) {
    const { session: s, account } = ctx;
    if (!args.extended && args.patterns.length === 1 && args.patterns[0] === '') {
      // RFC 9051 section 6.3.9: an empty pattern asks for the delimiter and the root of the reference.
      s.out.untagged(`LIST (\\Noselect) "${DELIMITER}" ""`);
      return;
    }
    await writeList(ctx, args);
  },
};

async function writeList(ctx: AuthenticatedContext, args: ListArgs): Promise<void> {
  const s = ctx.session;
  const accountId = ctx.account.id;
  const matchers = args.patterns.map((p) => compileListPattern(args.reference, p));
  const matches = (name: string): boolean => matchers.some((m) => m(name));

  const mailboxes = await s.store.listMailboxes(accountId);
  const byName = new Map<string, Mailbox>(mailboxes.map((m) => [m.name, m]));
  const subscribed = new Set<string>(args.returnSubscribed ? await s.store.listSubscriptions(accountId) : []);
  /** Names with at least one existing mailbox below them. */
  const withChildren = new Set<string>();
  for (const m of mailboxes) for (const p of parentNames(m.name)) withChildren.add(p);

  // The names that meet the selection criteria; without criteria, every mailbox and every level above one.
  const criteria: string[] = [];
  if (args.selectSubscribed) criteria.push('SUBSCRIBED');
  if (args.selectSpecialUse) criteria.push('SPECIAL-USE');
  let selected: Set<string>;
  if (criteria.length === 0) {
    selected = new Set([...byName.keys(), ...withChildren]);
  } else {
    const pool = args.selectSubscribed ? subscribed : new Set(byName.keys());
    selected = new Set(
      [...pool].filter((n) => (!args.selectSubscribed || subscribed.has(n)) && (!args.selectSpecialUse || byName.get(n)?.specialUse)),
    );
  }

  // RECURSIVEMATCH: a parent matching the pattern is listed, with CHILDINFO, when a name below it meets
  // the criteria but does not match the pattern itself (RFC 5258 section 3.5).
  const childInfo = new Set<string>();
  if (args.recursiveMatch) {
    for (const n of selected) if (!matches(n)) for (const p of parentNames(n)) childInfo.add(p);
  }

  const names = [...new Set([...selected, ...childInfo])].filter(matches).sort(compareMailboxNames);
  let written = 0;
  for (const name of names) {
    const box = byName.get(name);
    const attrs: string[] = [];
    if (!box) attrs.push(args.extended ? '\\NonExistent' : '\\Noselect');
    if (args.returnSubscribed && subscribed.has(name)) attrs.push('\\Subscribed');
    if (withChildren.has(name)) attrs.push('\\HasChildren');
    else if (box) attrs.push('\\HasNoChildren');
    if (box?.specialUse) attrs.push(box.specialUse);
    let line = `LIST (${attrs.join(' ')}) "${DELIMITER}" ${mailboxOut(name, s.utf8)}`;
    if (childInfo.has(name)) line += ` ("CHILDINFO" (${criteria.map((c) => `"${c}"`).join(' ')}))`;
    s.out.untagged(line);
    if (args.status && box) await listStatus(ctx, box, args.status);
    if (++written % LINES_PER_DRAIN === 0) await s.out.drain();
  }
}

/** A mailbox deleted meanwhile by another session just gets no STATUS line (RFC 5819 section 2 allows dropping it). */
async function listStatus(ctx: AuthenticatedContext, box: Mailbox, items: readonly StatusItem[]): Promise<void> {
  try {
    await writeStatus(ctx, box, items);
  } catch (err) {
    if (!(err instanceof StoreError && err.kind === 'NONEXISTENT')) throw err;
  }
}
