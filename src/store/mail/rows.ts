/**
 * The rows of the mail tables as both backends read them (the schema itself is each backend's own:
 * sqlite/schema.ts, postgres/schema.ts), and the column lists that select them.
 */
import type { Mailbox, MessageMeta, SpecialUse } from '../types.js';
import { decodeFlags } from '../flags.js';

/** AccountRow is a row of accounts as read. */
export interface AccountRow {
  id: number;
  email: string;
  password_hash: string;
  created_at: number;
}

/** ACCOUNT_COLUMNS selects an AccountRow. */
export const ACCOUNT_COLUMNS = 'id, email, password_hash, created_at';

/** MailboxRow is a row of mailboxes as read. */
export interface MailboxRow {
  account_id: number;
  id: number;
  name: string;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  special_use: string | null;
  /** The lowest UID no session has yet been told is \Recent (RFC 3501 section 2.3.2); see Store.claimRecent. */
  first_recent_uid: number;
}

/** MAILBOX_COLUMNS selects a MailboxRow. */
export const MAILBOX_COLUMNS = 'account_id, id, name, uid_validity, uid_next, highest_modseq, special_use, first_recent_uid';

/** MetaRow is the per-message state of MessageMeta as stored. */
export interface MetaRow {
  uid: number;
  modseq: number;
  sys_flags: number;
  keywords: string;
}

/** MAX_UID is the largest UID (32-bit unsigned; RFC 9051 section 2.3.1.1). */
export const MAX_UID = 0xffffffff;

/** MessageInsert is one row of messages to write. */
export interface MessageInsert {
  uid: number;
  bodyId: number;
  modseq: number;
  sysFlags: number;
  keywords: string;
  internalDate: number;
  saveDate: number;
  size: number;
  /** The sent date SORT orders by (ms since epoch, null: use the internal date), kept beside the UID so SORT reads no bodies. */
  sentDate: number | null;
}

/** FlagUpdate is the new flags of one message a STORE changes: system flag bits and keywords as stored (space-separated). */
export interface FlagUpdate {
  uid: number;
  sys: number;
  keywords: string;
}

/** toMeta maps a MetaRow to MessageMeta. */
export function toMeta(row: MetaRow): MessageMeta {
  return { uid: row.uid, modseq: row.modseq, flags: decodeFlags(row.sys_flags, row.keywords) };
}

/** toMailbox maps a MailboxRow to the Mailbox of the Store interface. */
export function toMailbox(row: MailboxRow): Mailbox {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    uidValidity: row.uid_validity,
    uidNext: row.uid_next,
    highestModseq: row.highest_modseq,
    specialUse: row.special_use as SpecialUse | null,
    firstRecentUid: row.first_recent_uid,
  };
}
