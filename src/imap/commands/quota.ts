/**
 * GETQUOTA, GETQUOTAROOT and SETQUOTA (RFC 9208 sections 4.1.1-4.1.3). Each account has one quota root,
 * named "" (the empty string), governing all its mailboxes, with the resources STORAGE (units of 1024
 * octets, section 5.1) and MESSAGE (section 5.2). A resource without a limit is left out; an account
 * without any limit has no quota root. Limits are set by the administrator (`letterbox user quota`), so
 * SETQUOTA is refused and QUOTASET is not advertised.
 */
import type { AuthenticatedContext, CommandSpec } from '../command.js';
import { astringOut, mailboxOut } from '../../protocol/encoder.js';
import type { Quota } from '../../store/types.js';
import { no } from '../errors.js';
import { parseMailboxArg } from './args.js';

/** QUOTA_ROOT is the name of the account's only quota root. */
export const QUOTA_ROOT = '';

/** kib converts octets to the 1024-octet units of RFC 9208 STORAGE, rounding up so that any usage shows and usage at a limit never looks below it. */
export function kib(octets: number): number {
  return Math.ceil(octets / 1024);
}

/** quotaResources renders the resource list of a QUOTA response, e.g. "STORAGE 10 1024 MESSAGE 3 1000", or null when nothing is limited. */
export function quotaResources(q: Quota): string | null {
  const parts: string[] = [];
  if (q.storageLimit !== null) parts.push(`STORAGE ${kib(q.storageUsed)} ${Math.floor(q.storageLimit / 1024)}`);
  if (q.messageLimit !== null) parts.push(`MESSAGE ${q.messagesUsed} ${q.messageLimit}`);
  return parts.length > 0 ? parts.join(' ') : null;
}

async function writeQuota({ session: s, account }: AuthenticatedContext, root: string): Promise<boolean> {
  const resources = quotaResources(await s.store.getQuota(account.id));
  if (resources === null) return false;
  s.out.untagged(`QUOTA ${astringOut(root, s.utf8)} (${resources})`);
  return true;
}

/** GETQUOTA root: `* QUOTA "" (...)` for the account's root; any other root name is NO [NONEXISTENT]. */
export const getQuotaCommand: CommandSpec<{ root: string }, 'authenticated' | 'selected'> = {
  name: 'GETQUOTA',
  states: ['authenticated', 'selected'],
  parse(r) {
    r.space();
    const root = r.astring();
    r.end();
    return { root };
  },
  async run(ctx, { root }) {
    if (root !== QUOTA_ROOT || !(await writeQuota(ctx, root))) throw no(`No such quota root: ${root}`, 'NONEXISTENT');
  },
};

/** GETQUOTAROOT mailbox: `* QUOTAROOT mailbox ""` then `* QUOTA "" (...)`; a missing mailbox is NO [NONEXISTENT]. */
export const getQuotaRootCommand: CommandSpec<{ mailbox: string }, 'authenticated' | 'selected'> = {
  name: 'GETQUOTAROOT',
  states: ['authenticated', 'selected'],
  parse: parseMailboxArg,
  async run({ session: s, account }, { mailbox }) {
    if (!(await s.store.getMailbox(account.id, mailbox))) throw no(`Mailbox doesn't exist: ${mailbox}`, 'NONEXISTENT');
    const resources = quotaResources(await s.store.getQuota(account.id));
    const name = mailboxOut(mailbox, s.utf8);
    if (resources === null) {
      s.out.untagged(`QUOTAROOT ${name}`);
      return;
    }
    s.out.untagged(`QUOTAROOT ${name} ${astringOut(QUOTA_ROOT, s.utf8)}`);
    s.out.untagged(`QUOTA ${astringOut(QUOTA_ROOT, s.utf8)} (${resources})`);
  },
};

/** SETQUOTA root (resource limit ...): always NO [NOPERM]; limits are the administrator's (RFC 9208 section 4.1.3 allows refusing). */
export const setQuotaCommand: CommandSpec<null, 'authenticated' | 'selected'> = {
  name: 'SETQUOTA',
  states: ['authenticated', 'selected'],
  parse(r) {
    r.space();
    r.astring();
    r.space();
    r.list(() => {
      const name = r.atom();
      r.space();
      return [name, r.number64()] as const;
    });
    r.end();
    return null;
  },
  async run() {
    throw no('Quota limits are set by the administrator.', 'NOPERM');
  },
};
