/**
 * deliver is the single path by which mail from outside a client session enters a mailbox (import,
 * LMTP and `letterbox deliver`): it finds or creates the mailbox, parents included, parses each message once
 * (prepareMessage) and appends the batch in one transaction.
 */
import { checkedMailboxName } from '../store/mailbox-names.js';
import { ensureMailbox } from '../mailboxes/operations.js';
import { StoreError, type Account, type Mailbox, type Store } from '../store/types.js';
import type { ParsedMessage } from '../mime/types.js';
import { prepareMessage } from './prepare.js';

/** MessageToDeliver is one message for deliver(): bytes exactly as stored (CRLF already), flags, internal date in ms since epoch. */
export interface MessageToDeliver {
  raw: Buffer;
  flags: string[];
  internalDate: number;
  /** The MIME parse of `raw` when the caller has it already (an import parses on its reader thread); otherwise deliver parses. */
  parsed?: ParsedMessage;
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
  const prepared = messages.map((m) => prepareMessage(m.raw, m.flags, m.internalDate, m.parsed));
  const { uids } = await store.appendMessages(account.id, mailbox.id, prepared);
  return { uids, mailbox: mailbox.name };
}
