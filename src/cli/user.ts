/**
 * `letterbox user add|list|passwd|delete|quota`: account administration, a thin layer over Store and
 * src/auth (the address check and argon2id hashing). `passwd` and `delete` end the user's open sessions on
 * every node (Store.sendControl; the servers' SessionRegistry says `* BYE` to them).
 */
import { Command } from 'commander';
import { formatSize, parseSize } from '../config/size.js';
import { StoreError, type QuotaLimit } from '../store/types.js';
import { addCommonOptions, adminLogger, checkedEmail, CliError, EXIT, isStorageBackend, requireAccount, resolveConfig, STORAGE_HELP, withStore, type CommonOptions } from './context.js';
import { confirm, promptNewPassword, readPasswordStdin } from './prompt.js';

interface PasswordOptions extends CommonOptions {
  passwordStdin?: boolean;
}

/** userCommand builds the `user` command group. */
export function userCommand(): Command {
  const user = new Command('user').description('manage user accounts (log-in names are email addresses)');

  addCommonOptions(
    user
      .command('add')
      .description('create a user with an INBOX, Sent, Drafts, Trash, Junk and Archive; asks for the password twice')
      .argument('<email>', 'the address, also the IMAP log-in name')
      .option('--password-stdin', 'read the password from stdin (one trailing newline is removed)'),
  ).action(async (address: string, opts: PasswordOptions) => {
    const email = checkedEmail(address);
    const config = await resolveConfig(opts);
    const log = adminLogger(opts);
    await withStore(config, log, true, async (store) => {
      if (await store.getAccount(email)) throw new CliError(`user ${email} already exists (change its password with "letterbox user passwd ${email}")`);
      const password = await readPassword(opts);
      try {
        await store.createAccount(email, await hashPassword(password));
      } catch (err) {
        if (err instanceof StoreError && err.kind === 'ALREADYEXISTS') throw new CliError(`user ${email} already exists`);
        throw err;
      }
    });
    process.stdout.write(`created user ${email}\n`);
  });

  addCommonOptions(user.command('list').description('list users, one per line: address, then creation time (UTC)')).action(async (opts: CommonOptions) => {
    const config = await resolveConfig(opts);
    const accounts = await withStore(config, adminLogger(opts), false, (store) => store.listAccounts());
    for (const a of accounts) process.stdout.write(`${a.email}\t${new Date(a.createdAt).toISOString()}\n`);
  });

  addCommonOptions(
    user
      .command('passwd')
      .description("set a user's password; asks for it twice")
      .argument('<email>', 'the user')
      .option('--password-stdin', 'read the password from stdin (one trailing newline is removed)'),
  ).action(async (address: string, opts: PasswordOptions) => {
    const email = checkedEmail(address);
    const config = await resolveConfig(opts);
    await withStore(config, adminLogger(opts), false, async (store) => {
      const account = await requireAccount(store, email);
      const password = await readPassword(opts);
      await store.setPasswordHash(account.id, await hashPassword(password));
      // Whoever logged in with the old password must log in again.
      await store.sendControl({ kind: 'end-sessions', accountId: account.id, reason: 'Password changed, please log in again.' });
    });
    process.stdout.write(`changed the password of ${email}\n`);
  });

  addCommonOptions(
    user
      .command('delete')
      .description('delete a user and all their mail; asks for confirmation unless --yes')
      .argument('<email>', 'the user')
      .option('-y, --yes', 'do not ask (required when stdin is not a terminal)'),
  ).action(async (address: string, opts: CommonOptions & { yes?: boolean }) => {
    const email = checkedEmail(address);
    if (!opts.yes && !process.stdin.isTTY) throw new CliError('refusing to delete without --yes when stdin is not a terminal', EXIT.USAGE);
    const config = await resolveConfig(opts);
    const deleted = await withStore(config, adminLogger(opts), false, async (store) => {
      const account = await requireAccount(store, email);
      if (!opts.yes) {
        let messages = 0;
        for (const mb of await store.listMailboxes(account.id)) messages += (await store.mailboxCounts(account.id, mb.id)).messages;
        if (!(await confirm(`Delete user ${email} and all their mail (${messages} message${messages === 1 ? '' : 's'})?`))) return false;
      }
      await store.deleteAccount(account.id);
      await store.sendControl({ kind: 'end-sessions', accountId: account.id, reason: 'Account deleted.' });
      return true;
    });
    process.stdout.write(deleted ? `deleted user ${email}\n` : 'not deleted\n');
  });

  addCommonOptions(
    user
      .command('quota')
      .description("show a user's quota usage and limits, or set the limits (units of 1024: 500M, 2G)")
      .argument('<email>', 'the user')
      // --storage is both the storage limit (issue's `--storage 2G`) and, as on every command, the backend
      // (`--storage postgres://...`); the value tells which, and both may be given.
      .option(
        '-s, --storage <size|backend>',
        `storage limit: a size such as 2G, "none" for no limit, "default" for the config default; or the ${STORAGE_HELP}`,
        (v: string, prev: string[] = []) => [...prev, v],
      )
      .option('--messages <count>', 'message limit: a number, "none" for no limit, "default" for the config default')
      .option('--recount', 'recount the usage from the stored messages first (repair)'),
    { storage: false },
  ).action(async (address: string, raw: Omit<CommonOptions, 'storage'> & { storage?: string[]; messages?: string; recount?: boolean }) => {
    const email = checkedEmail(address);
    const backends = (raw.storage ?? []).filter(isStorageBackend);
    const sizes = (raw.storage ?? []).filter((v) => !isStorageBackend(v));
    if (backends.length > 1 || sizes.length > 1) throw new CliError('--storage: give at most one storage limit and one backend', EXIT.USAGE);
    const opts: CommonOptions & { messages?: string; recount?: boolean } = { ...raw, storage: backends[0] };
    const limits = {
      ...(sizes[0] !== undefined ? { storage: quotaLimit(sizes[0], 'storage', parseSize) } : {}),
      ...(opts.messages !== undefined ? { messages: quotaLimit(opts.messages, 'messages', parseCount) } : {}),
    };
    const config = await resolveConfig(opts);
    const quota = await withStore(config, adminLogger(opts), false, async (store) => {
      const account = await requireAccount(store, email);
      if (limits.storage !== undefined || limits.messages !== undefined) await store.setQuota(account.id, limits);
      return opts.recount ? store.recomputeQuota(account.id) : store.getQuota(account.id);
    });
    const storageLimit = quota.storageLimit === null ? 'no limit' : `${formatSize(quota.storageLimit)} (${quota.storageLimit} octets)`;
    process.stdout.write(
      `${email}\n` +
        `storage\t${formatSize(quota.storageUsed)} (${quota.storageUsed} octets) of ${storageLimit}\n` +
        `messages\t${quota.messagesUsed} of ${quota.messageLimit ?? 'no limit'}\n`,
    );
  });

  return user;
}

/** quotaLimit reads a --storage / --messages value: "none" (no limit), "default" (the config's) or a value for `parse`. */
function quotaLimit(value: string, what: string, parse: (v: string) => number): QuotaLimit {
  const v = value.trim().toLowerCase();
  if (v === 'none') return null;
  if (v === 'default') return 'default';
  try {
    return parse(value);
  } catch (err) {
    throw new CliError(`--${what}: ${(err as Error).message}`, EXIT.USAGE);
  }
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new Error(`expected a whole number of messages, got ${JSON.stringify(value)}`);
  return Number(value.trim());
}

async function readPassword(opts: PasswordOptions): Promise<string> {
  return opts.passwordStdin ? readPasswordStdin() : promptNewPassword();
}

/** hashPassword loads argon2 (a native module) only for the commands that hash. */
async function hashPassword(password: string): Promise<string> {
  return (await import('../auth/password.js')).hashPassword(password);
}
