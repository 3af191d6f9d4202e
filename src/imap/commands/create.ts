/**
 * CREATE (RFC 9051 section 6.3.4), with the USE parameter of RFC 6154 section 3 (CREATE-SPECIAL-USE).
 */
import type { CommandSpec, Session } from '../command.js';
import { ParseError } from '../../protocol/types.js';
import type { SpecialUse } from '../../store/types.js';
import { ensureMailbox } from '../../delivery/deliver.js';
import { no } from '../errors.js';
import { mailboxObjectId } from '../objectid.js';
import { DELIMITER, INBOX, normalizeMailboxName, parentNames, validateMailboxName } from '../../store/mailbox-names.js';

/** CreateArgs (RFC 9051 section 6.3.4, RFC 6154 section 3): the name as sent (normalized, not yet validated) and the USE attributes as sent, or null without USE. */
export interface CreateArgs {
  mailbox: string;
  use: string[] | null;
}

/**
 * Special-use attributes a CREATE may set (RFC 6154 section 2). \All and \Flagged name virtual
 * mailboxes that show every message or every flagged message; a plain mailbox marked so would
 * mislead clients, so they are refused with USEATTR.
 */
const CREATABLE: ReadonlyMap<string, SpecialUse> = new Map(
  (['\\Archive', '\\Drafts', '\\Junk', '\\Sent', '\\Trash'] as const).map((u) => [u.toLowerCase(), u]),
);

/**
 * createCommand: `CREATE mailbox [(USE (attr ...))]`. A trailing "/" only declares that children will
 * follow and is dropped (RFC 9051 section 6.3.4). Missing superior names are created as mailboxes
 * ("a/b/c" creates "a" and "a/b"). INBOX or an existing name -> NO [ALREADYEXISTS]; an invalid name ->
 * NO [CANNOT]; an unknown, virtual or second special-use attribute -> NO [USEATTR] (RFC 6154 section 3).
 */
export const createCommand: CommandSpec<CreateArgs> = {
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
  async run(s, args) {
    const name = args.mailbox.endsWith(DELIMITER) ? args.mailbox.slice(0, -1) : args.mailbox;
    if (name === INBOX) throw no('INBOX always exists', 'ALREADYEXISTS');
    validateMailboxName(name);
    const specialUse = checkUse(args.use);
    const accountId = s.account!.id;
    if (await s.store.getMailbox(accountId, name)) throw no('Mailbox already exists', 'ALREADYEXISTS');
    await createParents(s, name);
    const box = await s.store.createMailbox(accountId, name, specialUse);
    // RFC 8474 section 4.1: the new mailbox's MAILBOXID in the tagged OK.
    return `[MAILBOXID (${mailboxObjectId(box.id)})] CREATE completed`;
  },
};

/** checkUse turns the USE attributes into the one special use the store keeps, or refuses with USEATTR. */
function checkUse(use: string[] | null): SpecialUse | null {
  if (use === null || use.length === 0) return null;
  if (use.length > 1) throw no('Only one special-use attribute per mailbox', 'USEATTR');
  const found = CREATABLE.get(use[0]!.toLowerCase());
  if (!found) throw no(`Special-use attribute not supported: ${use[0]}`, 'USEATTR');
  return found;
}

/**
 * createParents creates the missing superior names of `name`, outermost first (RFC 9051 section 6.3.4:
 * the server SHOULD create them). A parent created meanwhile by another session is fine.
 */
export async function createParents(s: Session, name: string): Promise<void> {
  const parent = parentNames(name).at(-1);
  if (parent !== undefined) await ensureMailbox(s.store, s.account!.id, parent);
}
