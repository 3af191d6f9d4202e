/**
 * `letterbox penalty`: the failed-login penalty (auth/penalty.ts) as the server applies it, shared by
 * every node on PostgreSQL: which addresses are slowed down, by how much; `--clear ADDRESS` forgives one
 * (a webmail or an office NAT after a misconfigured client), `--clear-all` every one.
 */
import { Command } from 'commander';
import { addCommonOptions, adminLogger, CliError, EXIT, resolveConfig, withStore, type CommonOptions } from './context.js';

interface PenaltyOptions extends CommonOptions {
  clear?: string;
  clearAll?: boolean;
}

/** penaltyCommand builds the `penalty` command. */
export function penaltyCommand(): Command {
  return addCommonOptions(
    new Command('penalty')
      .summary('show or clear the failed-login penalty of client addresses')
      .description(
        'list the client addresses whose failed logins delay their answers (auth.penalty_* in the config): failures, the delay ' +
          'their next answer gets, the last failure and how many user names were tried; IPv6 addresses count by their /64',
      )
      .option('--clear <address>', 'forget the failures of this address (an IPv6 address clears its /64)')
      .option('--clear-all', 'forget the failures of every address'),
  ).action(async (opts: PenaltyOptions) => {
    if (opts.clear !== undefined && opts.clearAll) throw new CliError('give --clear ADDRESS or --clear-all, not both', EXIT.USAGE);
    const config = await resolveConfig(opts);
    const { penaltyAddress, penaltyDelay } = await import('../auth/penalty.js');
    const limits = { delayMs: config.auth.penaltyDelayMs, maxDelayMs: config.auth.penaltyMaxDelayMs, expireMs: config.auth.penaltyExpireMs, parallel: config.imap.maxConnectionsPerUserIp };
    const out = await withStore(config, adminLogger(opts), false, async (store) => {
      if (opts.clearAll) {
        const n = await store.clearPenalties(null);
        return `cleared the penalty of ${n} address${n === 1 ? '' : 'es'}\n`;
      }
      if (opts.clear !== undefined) {
        const remote = penaltyAddress(opts.clear);
        const n = await store.clearPenalties(remote);
        return n > 0 ? `cleared the penalty of ${remote}\n` : `${remote} has no penalty\n`;
      }
      const entries = await store.listPenalties(Date.now(), limits.expireMs);
      if (entries.length === 0) return 'no address has a penalty\n';
      const rows = entries.map((e) => [e.remote, String(e.failures), `${(penaltyDelay(e.failures, limits) / 1000).toFixed(0)}s`, new Date(e.lastFailure).toISOString(), String(e.names)]);
      return [['ADDRESS', 'FAILURES', 'DELAY', 'LAST FAILURE', 'NAMES TRIED'], ...rows].map((r) => r.join('\t')).join('\n') + '\n';
    });
    process.stdout.write(out);
  });
}
