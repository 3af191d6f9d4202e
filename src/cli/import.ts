/**
 * `letterbox import EMAIL PATH`: a thin layer over src/import, adding a progress bar (on a terminal)
 * and the summary for the operator.
 */
import { Command } from 'commander';
import type { ImportSummary } from '../import/run.js';
import { addCommonOptions, adminLogger, checkedEmail, requireAccount, resolveConfig, withStore, type CommonOptions } from './context.js';

/** importCommand builds the `import` command. */
export function importCommand(): Command {
  return addCommonOptions(
    new Command('import')
      .summary("import a Maildir, an mbox file or .eml files into a user's mailboxes")
      .description(
        'import mail into a user\'s mailboxes from a Maildir (with Maildir++ subfolders and flags), an mbox file, or a folder of .eml files. ' +
          'Bare LF line endings become CRLF; bytes are otherwise kept. A .eml file that begins with an mbox "From " line has that line removed.',
      )
      .argument('<email>', 'the user (must exist)')
      .argument('<path>', 'Maildir directory, mbox file, .eml file, or folder of .eml files')
      .option('-m, --mailbox <name>', 'target mailbox, created with its parents if missing; for a Maildir, where its top level goes (subfolders go below it)', 'INBOX'),
  ).action(async (address: string, target: string, opts: CommonOptions & { mailbox: string }) => {
    const email = checkedEmail(address);
    const config = await resolveConfig(opts);
    // Loaded here, not at the top: see main.ts.
    const { default: cliProgress } = await import('cli-progress');
    const { openImportSource } = await import('../import/open.js');
    const { importMessages } = await import('../import/run.js');
    const summary = await withStore(config, adminLogger(opts), false, async (store) => {
      const account = await requireAccount(store, email);
      const source = await openImportSource(target);
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { stream: process.stderr, format: 'importing [{bar}] {percentage}% | {messages} messages | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
            cliProgress.Presets.shades_classic,
          )
        : null;
      bar?.start(Math.max(source.totalOctets, 1), 0, { messages: 0 });
      try {
        return await importMessages(store, account, source, {
          mailbox: opts.mailbox,
          onProgress: (p) => bar?.update(p.octets, { messages: p.messages }),
        });
      } finally {
        bar?.stop();
      }
    });
    process.stdout.write(formatSummary(summary));
  });
}

/** formatSummary renders the import summary: one line of totals, then messages per mailbox, then each skipped file with its reason. */
export function formatSummary(s: ImportSummary): string {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const lines = [
    `imported ${plural(s.messages, 'message', 'messages')} (${(s.octets / 1048576).toFixed(1)} MiB) into ${plural(s.mailboxes.size, 'mailbox', 'mailboxes')}, skipped ${s.skipped.length}`,
  ];
  for (const [name, count] of s.mailboxes) lines.push(`  ${name}: ${plural(count, 'message', 'messages')}${s.created.includes(name) ? ' (new mailbox)' : ''}`);
  for (const { source, reason } of s.skipped) lines.push(`  skipped ${source}: ${reason}`);
  return lines.join('\n') + '\n';
}
