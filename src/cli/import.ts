/**
 * `letterbox import EMAIL PATH`: a thin layer over src/import, adding progress (cli/progress.ts), the
 * summary for the operator, and warnings for a source that gives nothing.
 */
import { Command } from 'commander';
import type { ImportSummary } from '../import/run.js';
import { addCommonOptions, adminLogger, checkedEmail, requireAccount, resolveConfig, withStore, type CommonOptions } from './context.js';
import { startProgress } from './progress.js';

/** importCommand builds the `import` command. */
export function importCommand(): Command {
  return addCommonOptions(
    new Command('import')
      .summary("import a Maildir, an mbox file, a folder of .mbox files or .eml files into a user's mailboxes")
      .description(
        'import mail into a user\'s mailboxes from a Maildir (with Maildir++ subfolders, flags and dovecot-keywords), an mbox file ' +
          '(Status, X-Status and X-Keywords give flags), a folder of .mbox files (one per mailbox, as `letterbox export --format mbox` writes), ' +
          'or a folder of .eml files. Bare LF line endings become CRLF; bytes are otherwise kept. A .eml file that begins with an mbox "From " ' +
          'line has that line removed. Files that are not e-mail messages (binary data) are skipped and listed.',
      )
      .argument('<email>', 'the user (must exist)')
      .argument('<path>', 'Maildir directory, mbox file, folder of .mbox files, .eml file, or folder of .eml files')
      .option('-m, --mailbox <name>', 'target mailbox, created with its parents if missing; for a Maildir, where its top level goes (subfolders go below it)', 'INBOX')
      .option('--skip-duplicates', 'leave out messages the mailbox holds already (same Message-ID and size, or same bytes without a Message-ID): run an interrupted import again'),
  ).action(async (address: string, target: string, opts: CommonOptions & { mailbox: string; skipDuplicates?: boolean }) => {
    const email = checkedEmail(address);
    // Loaded here, not at the top: see main.ts.
    const { openImportSourceInThread } = await import('../import/reader.js');
    // The reader thread lists the source while the store opens; its errors are reported after the account's.
    const opening = openImportSourceInThread(target);
    opening.catch(() => undefined);
    const { importMessages } = await import('../import/run.js');
    const config = await resolveConfig(opts);
    const summary = await withStore(config, adminLogger(opts), false, async (store) => {
      const account = await requireAccount(store, email);
      const source = await opening;
      const progress = await startProgress({ verb: 'importing', total: source.totalOctets, unit: 'octets' });
      // SQLite's checkpoints on a thread of their own while the mail streams in; the server indexes it.
      const stopBackground = store.startBackground({ index: false });
      try {
        return await importMessages(store, account, source, {
          mailbox: opts.mailbox,
          skipDuplicates: opts.skipDuplicates,
          onProgress: (p) => progress.update(p.octets, `${p.messages} messages`),
        });
      } finally {
        stopBackground();
        progress.stop();
      }
    });
    process.stdout.write(formatSummary(summary));
    const duplicates = [...summary.duplicates.values()].reduce((a, b) => a + b, 0);
    if (summary.messages === 0 && summary.skipped.length === 0 && duplicates === 0) {
      process.stderr.write(`letterbox: warning: ${target} holds no messages: nothing was imported\n`);
    } else if (summary.messages === 0 && duplicates === 0) {
      process.stderr.write(`letterbox: warning: nothing was imported from ${target}: every message was skipped (the reasons are listed above)\n`);
    }
  });
}

/**
 * formatSummary renders the import summary: one line of totals, then messages per mailbox (with the
 * duplicates left out and whether it is new), then each skipped file with its reason.
 */
export function formatSummary(s: ImportSummary): string {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const duplicates = [...s.duplicates.values()].reduce((a, b) => a + b, 0);
  const lines = [
    `imported ${plural(s.messages, 'message', 'messages')} (${(s.octets / 1048576).toFixed(1)} MiB) into ${plural(s.mailboxes.size, 'mailbox', 'mailboxes')}, skipped ${s.skipped.length}` +
      (duplicates > 0 ? `, left out ${plural(duplicates, 'duplicate', 'duplicates')}` : ''),
  ];
  for (const [name, count] of s.mailboxes) {
    const dup = s.duplicates.get(name);
    const notes = [...(dup ? [`${dup} already there`] : []), ...(s.created.includes(name) ? ['new mailbox'] : [])];
    lines.push(`  ${name}: ${plural(count, 'message', 'messages')}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`);
  }
  for (const { source, reason } of s.skipped) lines.push(`  skipped ${source}: ${reason}`);
  return lines.join('\n') + '\n';
}
