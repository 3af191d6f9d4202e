/**
 * deliver is the single path by which mail from outside a client session enters a mailbox (import,
 * LMTP and `letterbox deliver`): it finds or creates the mailbox, parents included, parses each message once
 * (prepareMessage) and appends the batch in one transaction.
 */
import { checkedMailboxName } from '../store/mailbox-names.js';
import { StoreError, type Account, type Mailbox, type Store } from '../store/types.js';
import { prepareMessage } from './prepare.js';

/** MessageToDeliver is one message for deliver(): bytes exactly as stored (CRLF already), flags, internal date in ms since epoch. */
export interface MessageToDeliver {
  raw: Buffer;
  flags: string[];
  internalDate: number;
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
  const parts = full.split('/');
  const created: string[] = [];
  let mailbox: Mailbox | null = null;
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
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

async function existingMailbox(store: Store, accountId: number, name: string): Promise<Mailbox> {
  const mailbox = await store.getMailbox(accountId, checkedMailboxName(name));
  if (!mailbox) throw new StoreError('NONEXISTENT', `Mailbox doesn't exist: ${name}`);
  return mailbox;
}

/**
 * deliver appends `messages` to the account's mailbox `mailboxName` (created with its parents when
 * missing, unless `opts.create` is false) in one transaction, after parsing each with prepareMessage.
 * Returns the new UIDs in order and the mailbox name as stored. Throws StoreError (CANNOT for a bad
 * name, NONEXISTENT for a missing mailbox with create false, OVERQUOTA, ...).
 */
export async function deliver(
  store: Store,
  account: Account,
  mailboxName: string,
  messages: MessageToDeliver[],
  opts: { create?: boolean } = {},
): Promise<{ uids: number[]; mailbox: string }> {
  const mailbox = opts.create === false ? await existingMailbox(store, account.id, mailboxName) : await ensureMailbox(store, account.id, mailboxName);
  if (messages.length === 0) return { uids: [], mailbox: mailbox.name };
  const prepared = messages.map((m) => prepareMessage(m.raw, m.flags, m.internalDate));
  const { uids } = await store.appendMessages(account.id, mailbox.id, prepared);
  return { uids, mailbox: mailbox.name };
}
