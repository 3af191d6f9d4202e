/**
 * Mailbox management written once over the Store, for every path that makes, removes or renames
 * mailboxes: IMAP CREATE, DELETE and RENAME (RFC 9051 sections 6.3.4 to 6.3.6, with the USE parameter of
 * RFC 6154 section 3), delivery and import (a mailbox with its missing parents), and `letterbox mailbox`.
 * Refusals are StoreErrors whose kind is the RFC 5530 response code IMAP answers with (imap/errors.ts
 * maps them in one place); their messages are safe to show to a client or an operator.
 *
 * Imports (src/mailboxes): store/ only (types and the mailbox-name rules), never a protocol (eslint.config.js
 * holds it).
 */
import { DELIMITER, INBOX, isDescendant, parentNames, validateMailboxName, checkedMailboxName } from '../store/mailbox-names.js';
import { StoreError, type Mailbox, type SpecialUse, type Store } from '../store/types.js';

/**
 * CREATABLE_USES are the special-use attributes a new mailbox may carry (RFC 6154 section 2), by their
 * lower-case spelling. \All and \Flagged name virtual mailboxes that show every message or every flagged
 * message; a plain mailbox marked so would mislead clients, so they are refused with USEATTR.
 */
const CREATABLE_USES: ReadonlyMap<string, SpecialUse> = new Map(
  (['\\Archive', '\\Drafts', '\\Junk', '\\Sent', '\\Trash'] as const).map((u) => [u.toLowerCase(), u]),
);

/** CREATABLE_USE_NAMES lists the special uses createMailbox accepts, for help texts. */
export const CREATABLE_USE_NAMES: readonly SpecialUse[] = [...CREATABLE_USES.values()];

/**
 * specialUseOf turns the USE attributes of a CREATE (RFC 6154 section 3; any case) into the one special use
 * the store keeps: null for none. Throws StoreError USEATTR for two or more attributes, or one that is
 * unknown or virtual (\All, \Flagged).
 */
export function specialUseOf(use: readonly string[] | null): SpecialUse | null {
  if (use === null || use.length === 0) return null;
  if (use.length > 1) throw new StoreError('USEATTR', 'Only one special-use attribute per mailbox');
  const found = CREATABLE_USES.get(use[0]!.toLowerCase());
  if (!found) throw new StoreError('USEATTR', `Special-use attribute not supported: ${use[0]}`);
  return found;
}

/**
 * ensureMailbox returns the mailbox `name` of the account, creating it and any missing parents
 * ("a/b/c" creates "a", then "a/b", then "a/b/c"). Safe against a concurrent creator (ALREADYEXISTS is
 * answered by reading the mailbox). `created` lists the names this call created, outermost first.
 * Throws StoreError CANNOT for an invalid name (store/mailbox-names.ts has the rules).
 */
export async function ensureMailbox(store: Store, accountId: number, name: string): Promise<Mailbox & { created: string[] }> {
  const full = checkedMailboxName(name);
  const found = await store.getMailbox(accountId, full);
  if (found) return { ...found, created: [] };
  const parts = full.split(DELIMITER);
  const created: string[] = [];
  let mailbox: Mailbox | null = null;
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join(DELIMITER);
    mailbox = await store.getMailbox(accountId, prefix);
    if (mailbox) continue;
    try {
      mailbox = await store.createMailbox(accountId, prefix);
      created.push(prefix);
    } catch (err) {
      if (!(err instanceof StoreError && err.kind === 'ALREADYEXISTS')) throw err;
      mailbox = await store.getMailbox(accountId, prefix);
      if (!mailbox) throw err;
    }
  }
  return { ...mailbox!, created };
}

/**
 * createParents creates the missing superior names of `name`, outermost first (RFC 9051 section 6.3.4:
 * the server SHOULD create them). A parent created meanwhile by another session is fine.
 */
async function createParents(store: Store, accountId: number, name: string): Promise<string[]> {
  const parent = parentNames(name).at(-1);
  return parent === undefined ? [] : (await ensureMailbox(store, accountId, parent)).created;
}

/**
 * createMailbox creates mailbox `name` (normalized: "inbox/x" is "INBOX/x"; a trailing "/" only declares
 * that children will follow and is dropped) with its missing parents (RFC 9051 section 6.3.4) and the
 * special-use attribute named in `use` (RFC 6154 section 3, specialUseOf; null or [] for none). Returns
 * the new mailbox and the parents it created (`createdParents`, outermost first). Throws StoreError ALREADYEXISTS for INBOX or an existing name, CANNOT for an invalid name, USEATTR for `use`.
 */
export async function createMailbox(store: Store, accountId: number, name: string, use: readonly string[] | null = null): Promise<Mailbox & { createdParents: string[] }> {
  const full = name.endsWith(DELIMITER) ? name.slice(0, -1) : name;
  if (full === INBOX) throw new StoreError('ALREADYEXISTS', 'INBOX always exists');
  validateMailboxName(full);
  const specialUse = specialUseOf(use);
  if (await store.getMailbox(accountId, full)) throw new StoreError('ALREADYEXISTS', 'Mailbox already exists');
  const createdParents = await createParents(store, accountId, full);
  return { ...(await store.createMailbox(accountId, full, specialUse)), createdParents };
}

/**
 * deleteMailbox removes the mailbox `name` (normalized) and its messages, never its children (RFC 9051
 * section 6.3.5: inferior names MUST NOT be removed); a mailbox with children is deleted, as the RFC
 * permits and Dovecot does, and its name stays as a level of the hierarchy. Returns the deleted mailbox.
 * Throws StoreError CANNOT for INBOX, HASCHILDREN for a name that is only a level of the hierarchy (the
 * RFC makes it an error and names that code), NONEXISTENT for any other unknown name.
 */
export async function deleteMailbox(store: Store, accountId: number, name: string): Promise<Mailbox> {
  if (name === INBOX) throw new StoreError('CANNOT', 'INBOX cannot be deleted');
  const box = await store.getMailbox(accountId, name);
  if (!box) {
    const all = await store.listMailboxes(accountId);
    if (all.some((m) => isDescendant(m.name, name))) {
      throw new StoreError('HASCHILDREN', 'Not a mailbox, only a level of the hierarchy: delete its children first');
    }
    throw new StoreError('NONEXISTENT', "Mailbox doesn't exist");
  }
  await store.deleteMailbox(accountId, name);
  return box;
}

/**
 * renameMailbox renames `from` to `to` (both normalized; RFC 9051 section 6.3.6). Children move with the
 * mailbox ("a/x" -> "b/x") and keep their UIDVALIDITY; renaming INBOX moves its messages to a new mailbox
 * and leaves INBOX empty (done by the store; INBOX's children stay). Missing superior names of the new
 * name are created, as CREATE does; subscriptions of the moved names follow them. A name that is only a
 * level of the hierarchy is renamed by moving its children. Throws StoreError NONEXISTENT (unknown source),
 * ALREADYEXISTS (new name INBOX, an existing new name, or a child landing on an existing name), CANNOT (new
 * name inside the source, or invalid).
 */
export async function renameMailbox(store: Store, accountId: number, from: string, to: string): Promise<void> {
  if (to === INBOX) throw new StoreError('ALREADYEXISTS', 'INBOX already exists');
  validateMailboxName(to);
  const all = await store.listMailboxes(accountId);
  const existing = new Set(all.map((m) => m.name));
  // What moves: INBOX alone (its messages), else the name and everything below it.
  const moved = from === INBOX ? [INBOX] : all.map((m) => m.name).filter((n) => n === from || isDescendant(n, from));
  // A missing source is reported as such, even when the new name is the same ("RENAME nope nope").
  if (moved.length === 0) throw new StoreError('NONEXISTENT', "Mailbox doesn't exist");
  if (from === to) throw new StoreError('ALREADYEXISTS', 'Mailbox already has that name');
  if (from !== INBOX && isDescendant(to, from)) throw new StoreError('CANNOT', 'Cannot move a mailbox into itself');
  for (const old of moved) {
    const renamed = to + old.slice(from.length);
    if (existing.has(renamed)) throw new StoreError('ALREADYEXISTS', 'Target mailbox already exists');
    validateMailboxName(renamed);
  }

  await createParents(store, accountId, to);
  if (existing.has(from)) {
    await store.renameMailbox(accountId, from, to);
  } else {
    // Only a level of the hierarchy: rename its outermost existing descendants (each takes its children);
    // the levels between stay levels, as they were.
    const roots: string[] = [];
    for (const n of moved) if (!roots.some((r) => isDescendant(n, r))) roots.push(n);
    for (const n of roots) await store.renameMailbox(accountId, n, to + n.slice(from.length));
  }
  if (from !== INBOX) await moveSubscriptions(store, accountId, from, to);
}

/** moveSubscriptions makes the subscriptions of `from` and its children follow them to `to`, so a client's folder list does not lose them. */
async function moveSubscriptions(store: Store, accountId: number, from: string, to: string): Promise<void> {
  for (const name of await store.listSubscriptions(accountId)) {
    if (name !== from && !isDescendant(name, from)) continue;
    await store.setSubscribed(accountId, name, false);
    await store.setSubscribed(accountId, to + name.slice(from.length), true);
  }
}
