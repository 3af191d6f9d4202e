/**
 * Local delivery shared by LMTP and `letterbox deliver`: which account an envelope recipient names,
 * which mailbox "user+folder@domain" delivers into, the trace header fields added at the top, and the
 * one call that stores the message through deliver().
 */
import { StoreError, type Account, type Store } from '../store/types.js';
import { checkedMailboxName, INBOX } from '../store/mailbox-names.js';
import { deliver } from './deliver.js';

/** DETAIL_DELIMITER separates the user from the folder in "user+folder@domain" (Postfix's recipient_delimiter, Dovecot's recipient_delimiter). */
export const DETAIL_DELIMITER = '+';

/** Recipient is an envelope recipient that names an account; `detail` is the text after "+" (null without one). */
export interface Recipient {
  account: Account;
  detail: string | null;
}

/**
 * resolveRecipient finds the account of `address` (case-insensitive): first the address as given
 * (an account may have "+" in its name), then without its detail ("alice+Lists@x" -> "alice@x").
 * Returns null for an unknown user. Store failures (database busy) propagate.
 */
export async function resolveRecipient(store: Store, address: string): Promise<Recipient | null> {
  const at = address.lastIndexOf('@');
  const exact = await store.getAccount(address);
  if (exact) return { account: exact, detail: null };
  if (at <= 0) return null;
  const local = address.slice(0, at);
  const plus = local.indexOf(DETAIL_DELIMITER);
  if (plus <= 0) return null;
  const account = await store.getAccount(local.slice(0, plus) + address.slice(at));
  return account ? { account, detail: local.slice(plus + 1) } : null;
}

/**
 * folderFor names the mailbox a delivery with `detail` goes to: the mailbox of that name (case as given,
 * "/" for hierarchy; "inbox" is INBOX) when it exists, else INBOX. Never creates a mailbox: a typo in an
 * address must not make folders.
 */
export async function folderFor(store: Store, account: Account, detail: string | null): Promise<string> {
  if (detail === null || detail === '') return INBOX;
  let name: string;
  try {
    name = checkedMailboxName(detail);
  } catch (err) {
    if (err instanceof StoreError) return INBOX;
    throw err;
  }
  return (await store.getMailbox(account.id, name)) ? name : INBOX;
}

/** TraceFields are the header fields a local delivery adds at the top of the message. */
export interface TraceFields {
  /** Envelope sender (MAIL FROM, "" for the null sender <>), written as Return-Path (RFC 5321 section 4.4); undefined = no Return-Path. */
  returnPath?: string;
  /** Envelope recipient as given, written as Delivered-To (the field Postfix and Dovecot add to detect loops); undefined = none. */
  deliveredTo?: string;
}

/** addTraceFields returns `raw` with Return-Path and Delivered-To (in that order, each when given) prepended, CRLF terminated, control characters replaced by spaces. */
export function addTraceFields(raw: Buffer, fields: TraceFields): Buffer {
  const clean = (v: string) => v.replace(/[\x00-\x1f\x7f]/g, ' ');
  let head = '';
  if (fields.returnPath !== undefined) head += `Return-Path: <${clean(fields.returnPath)}>\r\n`;
  if (fields.deliveredTo !== undefined) head += `Delivered-To: ${clean(fields.deliveredTo)}\r\n`;
  return head ? Buffer.concat([Buffer.from(head, 'utf8'), raw]) : raw;
}

/**
 * deliverLocal stores `raw` (CRLF, trace fields already added) for `recipient`: into the folder its
 * detail names when that exists, else INBOX (also when the folder disappears meanwhile). Internal date
 * is now. Returns the mailbox name and UID. Throws StoreError (OVERQUOTA, NONEXISTENT when the account
 * was deleted meanwhile, ...) and whatever the store throws when it fails.
 */
export async function deliverLocal(store: Store, recipient: Recipient, raw: Buffer): Promise<{ mailbox: string; uid: number }> {
  const message = { raw, flags: [], internalDate: Date.now() };
  const folder = await folderFor(store, recipient.account, recipient.detail);
  try {
    const { uids, mailbox } = await deliver(store, recipient.account, folder, [message], { create: false });
    return { mailbox, uid: uids[0]! };
  } catch (err) {
    if (!(err instanceof StoreError && err.kind === 'NONEXISTENT') || folder === INBOX) throw err;
  }
  const { uids, mailbox } = await deliver(store, recipient.account, INBOX, [message], { create: false });
  return { mailbox, uid: uids[0]! };
}
