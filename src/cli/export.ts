/**
 * `letterbox export EMAIL DIR`: a thin layer over src/export (a Maildir or a folder of mbox files that
 * `letterbox import` reads back), adding progress (cli/progress.ts) and the summary for the operator.
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import { addCommonOptions, adminLogger, checkedEmail, CliError, EXIT, requireAccount, resolveConfig, withStore, type CommonOptions } from './context.js';
import { startProgress } from './progress.js';

interface ExportOptions extends CommonOptions {
  format: 'maildir' | 'mbox';
  mailbox?: string;
}

/** exportCommand builds the `export` command. */
export function exportCommand(): Command {
  return addCommonOptions(
    new Command('export')
      .summary("export a user's mailboxes as a Maildir or mbox files")
      .description(
        "write a user's mailboxes into DIR (new or empty): as a Maildir (INBOX at the top, Maildir++ subfolders such as .Lists.Rust, " +
          'flags in the file names, keywords in dovecot-keywords, internal dates as file times) or as mbox files (INBOX.mbox, Lists/Rust.mbox; ' +
          'flags in Status, X-Status and X-Keywords, internal dates in the "From " lines). Messages are written byte for byte; ' +
          '`letterbox import` reads the export back into the same mailboxes with the same flags. The server may run meanwhile.',
      )
      .argument('<email>', 'the user')
      .argument('<dir>', 'where to write: a directory that does not exist yet, or is empty')
      .addOption(new Option('-f, --format <format>', 'maildir or mbox').choices(['maildir', 'mbox']).default('maildir'))
      .option('-m, --mailbox <name>', 'export only this mailbox and the mailboxes below it (they keep their names)'),
  ).action(async (address: string, dir: string, opts: ExportOptions) => {
    const email = checkedEmail(address);
    const config = await resolveConfig(opts);
    const { exportAccount } = await import('../export/run.js');
    const { ExportError } = await import('../export/types.js');
    const target = path.resolve(dir);
    const summary = await withStore(config, adminLogger(opts), false, async (store) => {
      const account = await requireAccount(store, email);
      // The total is known once the export has counted the mailboxes' messages: its first report.
      const progress = await startProgress({ verb: 'exporting', total: 0, unit: 'messages' });
      try {
        return await exportAccount(store, account, target, {
          format: opts.format,
          mailbox: opts.mailbox,
          onProgress: (p) => {
            if (p.messages === 0) progress.setTotal(p.total);
            progress.update(p.messages, p.mailbox);
          },
        });
      } catch (err) {
        if (err instanceof ExportError) throw new CliError(err.message, EXIT.CANTCREAT);
        throw err;
      } finally {
        progress.stop();
      }
    });
    const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
    const lines = [
      `exported ${plural(summary.messages, 'message')} (${(summary.octets / 1048576).toFixed(1)} MiB) from ${summary.mailboxes.length} mailbox${summary.mailboxes.length === 1 ? '' : 'es'} to ${target} as ${opts.format === 'maildir' ? 'a Maildir' : 'mbox files'}`,
      ...summary.mailboxes.map((m) => `  ${m.name}: ${plural(m.messages, 'message')}`),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    for (const w of summary.warnings) process.stderr.write(`letterbox: warning: ${w}\n`);
  });
}
