/**
 * LSUB (RFC 3501 section 6.3.9): the IMAP4rev1 way to list subscribed names. IMAP4rev2 replaced it with
 * LIST (SUBSCRIBED) (RFC 9051 section 6.3.9); it stays for IMAP4rev1 clients.
 */
import type { CommandSpec } from '../command.js';
import { mailboxOut } from '../../protocol/encoder.js';
import { compileListPattern, patternEndsWithPercent } from '../list-pattern.js';
import { compareMailboxNames, DELIMITER, parentNames } from '../../store/mailbox-names.js';

/** LsubArgs: reference and pattern of LSUB (RFC 3501 section 6.3.9), UTF-8. */
export interface LsubArgs {
  reference: string;
  pattern: string;
}

/**
 * lsubCommand: `LSUB reference pattern` answers `* LSUB () "/" <name>` for each subscribed name that
 * matches, existing or not, INBOX first, then in name order. When the pattern ends with "%", a name
 * that is not subscribed but has a subscribed name below it, and matches, is answered with \Noselect
 * ("foo" for a subscribed "foo/bar" under "%", RFC 3501 section 6.3.9). An existing mailbox's
 * special-use attribute is included, as Dovecot does for clients (Outlook) that look for it there.
 */
export const lsubCommand: CommandSpec<LsubArgs, 'authenticated' | 'selected'> = {
  name: 'LSUB',
  states: ['authenticated', 'selected'],
  parse(r, s) {
    r.space();
    const reference = r.mailbox(s.utf8);
    r.space();
    const pattern = r.listMailbox(s.utf8);
    r.end();
    return { reference, pattern };
  },
  async run({ session: s, account }, { reference, pattern }) {
    const accountId = account.id;
    const matches = compileListPattern(reference, pattern);
    const subscriptions = new Set(await s.store.listSubscriptions(accountId));
    const names = new Set([...subscriptions].filter(matches));
    if (patternEndsWithPercent(reference, pattern)) {
      for (const sub of subscriptions) for (const p of parentNames(sub)) if (matches(p)) names.add(p);
    }
    if (names.size === 0) return;
    const specialUse = new Map((await s.store.listMailboxes(accountId)).map((m) => [m.name, m.specialUse]));
    for (const name of [...names].sort(compareMailboxNames)) {
      const attr = subscriptions.has(name) ? (specialUse.get(name) ?? '') : '\\Noselect';
      s.out.untagged(`LSUB (${attr}) "${DELIMITER}" ${mailboxOut(name, s.utf8)}`);
    }
  },
};
