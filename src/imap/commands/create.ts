/**
 * CREATE (RFC 9051 section 6.3.4), with the USE parameter of RFC 6154 section 3 (CREATE-SPECIAL-USE).
 */
import type { CommandSpec } from '../command.js';
import { ParseError } from '../../protocol/types.js';
import { createMailbox } from '../../mailboxes/operations.js';
import { mailboxObjectId } from '../objectid.js';
import { normalizeMailboxName } from '../../store/mailbox-names.js';

/** CreateArgs (RFC 9051 section 6.3.4, RFC 6154 section 3): the name as sent (normalized, not yet validated) and the USE attributes as sent, or null without USE. */
export interface CreateArgs {
  mailbox: string;
  use: string[] | null;
}

/**
 * createCommand: `CREATE mailbox [(USE (attr ...))]`. The rules are mailboxes/operations.ts createMailbox's:
 * a trailing "/" only declares that children will follow and is dropped (RFC 9051 section 6.3.4); missing
 * superior names are created as mailboxes ("a/b/c" creates "a" and "a/b"). INBOX or an existing name ->
 * NO [ALREADYEXISTS]; an invalid name -> NO [CANNOT]; an unknown, virtual (\All, \Flagged) or second
 * special-use attribute -> NO [USEATTR] (RFC 6154 section 3).
 */
export const createCommand: CommandSpec<CreateArgs, 'authenticated' | 'selected'> = {
  name: 'CREATE',
  states: ['authenticated', 'selected'],
  parse(r, s) {
    r.space();
    const mailbox = normalizeMailboxName(r.mailbox(s.utf8));
    let use: string[] | null = null;
    if (r.tryChar(' ')) {
      // create-params (RFC 4466 section 2.2): only USE is known.
      r.list(() => {
        const param = r.atom().toUpperCase();
        if (param !== 'USE') throw new ParseError(`Unknown CREATE parameter ${param}`);
        r.space();
        use = [...(use ?? []), ...r.list(() => r.flag())];
      });
    }
    r.end();
    return { mailbox, use };
  },
  async run({ session: s, account }, args) {
    const box = await createMailbox(s.store, account.id, args.mailbox, args.use);
    // RFC 8474 section 4.1: the new mailbox's MAILBOXID in the tagged OK.
    return `[MAILBOXID (${mailboxObjectId(box.id)})] CREATE completed`;
  },
};
