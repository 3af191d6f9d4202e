/**
 * `letterbox mailbox list|create|delete|rename`: a user's mailboxes seen and changed by the operator, with
 * the same rules as IMAP's LIST, CREATE, DELETE and RENAME (mailboxes/operations.ts holds them once). A
 * running server's sessions see the changes as they see another client's.
 */
import { Command } from 'commander';
import { StoreError, type Store } from '../store/types.js';
import { addCommonOptions, adminLogger, checkedEmail, CliError, EXIT, requireAccount, resolveConfig, withStore, type CommonOptions } from './context.js';
import { confirm } from './prompt.js';

/** mailboxCommand builds the `mailbox` command group. */
export function mailboxCommand(): Command {
  const mailbox = new Command('mailbox').description("see and manage a user's mailboxes (folders); names are UTF-8 with \"/\" between levels");

  addCommonOptions(
    mailbox
      .command('list')
      .description(
        'list mailboxes, one per line: name, messages, unseen, size in octets, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, special use ("-" for none)',
      )
      .argument('<email>', 'the user')
      .argument('[pattern]', 'an IMAP LIST pattern: "*" matches anything, "%" anything but "/" (default "*")', '*'),
  ).action(async (address: string, pattern: string, opts: CommonOptions) => {
    const email = checkedEmail(address);
    const config = await resolveConfig(opts);
    const { compileListPattern } = await import('../imap/list-pattern.js');
    const { compareMailboxNames, normalizeMailboxName } = await import('../store/mailbox-names.js');
    const matches = compileListPattern('', normalizeMailboxName(pattern));
    const rows = await withStore(config, adminLogger(opts), false, async (store) => {
      const account = await requireAccount(store, email);
      const boxes = (await store.listMailboxes(account.id)).filter((m) => matches(m.name)).sort((a, b) => compareMailboxNames(a.name, b.name));
      const out: string[][] = [];
      for (const m of boxes) {
        const c = await store.mailboxCounts(account.id, m.id);
        out.push([m.name, String(c.messages), String(c.unseen), String(c.size), String(m.uidValidity), String(m.uidNext), String(m.highestModseq), m.specialUse ?? '-']);
      }
      return out;
    });
    const head = ['NAME', 'MESSAGES', 'UNSEEN', 'SIZE', 'UIDVALIDITY', 'UIDNEXT', 'HIGHESTMODSEQ', 'SPECIAL-USE'];
    process.stdout.write([head, ...rows].map((r) => r.join('\t')).join('\n') + '\n');
  });

  addCommonOptions(
    mailbox
      .command('create')
      .description('create mailboxes, and their missing parents ("Lists/Rust" creates "Lists" too)')
      .argument('<email>', 'the user')
      .argument('<name...>', 'mailbox names')
      .option('--special-use <attribute>', 'RFC 6154 special use of the new mailboxes: \\Archive, \\Drafts, \\Junk, \\Sent or \\Trash'),
  ).action(async (address: string, names: string[], opts: CommonOptions & { specialUse?: string }) => {
    const email = checkedEmail(address);
    const config = await resolveConfig(opts);
    const { createMailbox } = await import('../mailboxes/operations.js');
    const { normalizeMailboxName } = await import('../store/mailbox-names.js');
    await eachName(config, opts, email, names, 'create', async (store, accountId, name) => {
      const box = await createMailbox(store, accountId, normalizeMailboxName(name), opts.specialUse !== undefined ? [opts.specialUse] : null);
      const parents = box.createdParents.length > 0 ? `, and ${box.createdParents.join(', ')}` : '';
      return `created mailbox ${box.name}${box.specialUse ? ` (${box.specialUse})` : ''}${parents}`;
    });
  });

  addCommonOptions(
    mailbox
      .command('delete')
      .description('delete mailboxes and their messages (not their children); asks for confirmation when they hold messages, unless --yes')
      .argument('<email>', 'the user')
      .argument('<name...>', 'mailbox names')
      .option('-y, --yes', 'do not ask (required when stdin is not a terminal and a mailbox holds messages)'),
  ).action(async (address: string, names: string[], opts: CommonOptions & { yes?: boolean }) => {
    const email = checkedEmail(address);
    const config = await resolveConfig(opts);
    const { deleteMailbox } = await import('../mailboxes/operations.js');
    const { normalizeMailboxName } = await import('../store/mailbox-names.js');
    await eachName(config, opts, email, names, 'delete', async (store, accountId, name) => {
      const box = await store.getMailbox(accountId, normalizeMailboxName(name));
      const messages = box ? (await store.mailboxCounts(accountId, box.id)).messages : 0;
      if (messages > 0 && !opts.yes) {
        if (!process.stdin.isTTY) throw new CliError(`mailbox ${box!.name} holds ${plural(messages, 'message')}: refusing to delete it without --yes when stdin is not a terminal`, EXIT.USAGE);
        if (!(await confirm(`Delete mailbox ${box!.name} of ${email} and its ${plural(messages, 'message')}?`))) return `not deleted: ${box!.name}`;
      }
      const deleted = await deleteMailbox(store, accountId, normalizeMailboxName(name));
      return `deleted mailbox ${deleted.name} (${plural(messages, 'message')})`;
    });
  });

  addCommonOptions(
    mailbox
      .command('rename')
      .description('rename a mailbox; its children move with it and keep their UIDVALIDITY; renaming INBOX moves its messages to a new mailbox')
      .argument('<email>', 'the user')
      .argument('<old>', 'the mailbox')
      .argument('<new>', 'its new name'),
  ).action(async (address: string, from: string, to: string, opts: CommonOptions) => {
    const email = checkedEmail(address);
    const config = await resolveConfig(opts);
    const { renameMailbox } = await import('../mailboxes/operations.js');
    const { normalizeMailboxName } = await import('../store/mailbox-names.js');
    await eachName(config, opts, email, [from], 'rename', async (store, accountId, name) => {
      await renameMailbox(store, accountId, normalizeMailboxName(name), normalizeMailboxName(to));
      return `renamed mailbox ${normalizeMailboxName(name)} to ${normalizeMailboxName(to)}`;
    });
  });

  return mailbox;
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/**
 * eachName runs `fn` for every name of the user's account, printing its line on stdout; a refusal
 * (StoreError) is printed on stderr naming the mailbox, the others still run, and the command then fails
 * (exit 66 when every refusal was an unknown mailbox, else 1).
 */
async function eachName(
  config: Awaited<ReturnType<typeof resolveConfig>>,
  opts: CommonOptions,
  email: string,
  names: string[],
  verb: string,
  fn: (store: Store, accountId: number, name: string) => Promise<string>,
): Promise<void> {
  const failures = await withStore(config, adminLogger(opts), false, async (store) => {
    const account = await requireAccount(store, email);
    const failed: StoreError[] = [];
    for (const name of names) {
      try {
        process.stdout.write(`${await fn(store, account.id, name)}\n`);
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        process.stderr.write(`letterbox: cannot ${verb} mailbox ${name}: ${err.message}\n`);
        failed.push(err);
      }
    }
    return failed;
  });
  if (failures.length === 0) return;
  const code = failures.every((f) => f.kind === 'NONEXISTENT') ? EXIT.NOINPUT : EXIT.ERROR;
  throw new CliError(names.length === 1 ? `mailbox not ${verb}d` : `${failures.length} of ${names.length} mailboxes not ${verb}d`, code);
}
