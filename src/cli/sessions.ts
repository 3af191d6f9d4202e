/**
 * `letterbox who` and `letterbox kick`: the logged-in IMAP and POP3 sessions of every running server on
 * the store (every node of a PostgreSQL installation, every process on a SQLite file), asked for at the
 * moment (sessions/who.ts), and ending one user's sessions everywhere (the `end-sessions` control message
 * `user delete` and `user passwd` send too).
 */
import { Command } from 'commander';
import type { SessionInfo } from '../sessions/registry.js';
import type { ServerNode } from '../store/types.js';
import { addCommonOptions, adminLogger, checkedEmail, requireAccount, resolveConfig, withStore, type CommonOptions } from './context.js';

/** KICK_REASON is what a kicked session is told (IMAP: `* BYE ...`; POP3: `-ERR [SYS/TEMP] ...`). */
export const KICK_REASON = 'Disconnected by the administrator.';

/** whoCommand builds the `who` command. */
export function whoCommand(): Command {
  return addCommonOptions(
    new Command('who')
      .summary('list the logged-in IMAP and POP3 sessions on every running server')
      .description(
        'list the logged-in IMAP and POP3 sessions of every server running on this store (every node of a PostgreSQL installation), ' +
          'one per line: user, protocol, remote address, TLS, selected mailbox, connected since (UTC), server (host and pid), session id (as in the logs)',
      )
      .argument('[email]', 'only this user'),
  ).action(async (address: string | undefined, opts: CommonOptions) => {
    const email = address === undefined ? undefined : checkedEmail(address);
    const config = await resolveConfig(opts);
    const { listAllSessions } = await import('../sessions/who.js');
    const { describeStorage } = await import('../store/open.js');
    const all = await withStore(config, adminLogger(opts), false, (store) => listAllSessions(store));
    warnSilent(all.silent);
    const servers = all.answered.length + all.silent.length;
    if (servers === 0) {
      process.stdout.write(`no server is running on ${describeStorage(config)}\n`);
      return;
    }
    const rows = all.answered
      .flatMap(({ node, sessions }) => sessions.map((s) => ({ node, s })))
      .filter(({ s }) => email === undefined || s.user === email)
      .sort((a, b) => (a.s.user < b.s.user ? -1 : a.s.user > b.s.user ? 1 : a.s.since - b.s.since));
    if (rows.length === 0) {
      process.stdout.write(`no sessions${email ? ` of ${email}` : ''} on ${servers} running server${servers === 1 ? '' : 's'}\n`);
      return;
    }
    const head = ['USER', 'PROTOCOL', 'REMOTE', 'TLS', 'MAILBOX', 'SINCE', 'SERVER', 'SESSION'];
    const lines = rows.map(({ node, s }) => [s.user, s.protocol, s.remote, s.tls ? 'yes' : 'no', s.mailbox ?? '-', new Date(s.since).toISOString(), serverName(node), s.id]);
    process.stdout.write([head, ...lines].map((r) => r.join('\t')).join('\n') + '\n');
  });
}

/** kickCommand builds the `kick` command. */
export function kickCommand(): Command {
  return addCommonOptions(
    new Command('kick')
      .summary("end a user's IMAP and POP3 sessions on every running server")
      .description(
        `end every IMAP and POP3 session of the user on every server running on this store: each gets "* BYE ${KICK_REASON}" ` +
          `(POP3: "-ERR [SYS/TEMP] ${KICK_REASON}", deleting nothing) once its running command has finished; the user may log in again`,
      )
      .argument('<email>', 'the user'),
  ).action(async (address: string, opts: CommonOptions) => {
    const email = checkedEmail(address);
    const config = await resolveConfig(opts);
    const { listAllSessions } = await import('../sessions/who.js');
    const { ended, silent } = await withStore(config, adminLogger(opts), false, async (store) => {
      const account = await requireAccount(store, email);
      const all = await listAllSessions(store);
      await store.sendControl({ kind: 'end-sessions', accountId: account.id, reason: KICK_REASON });
      return { ended: all.answered.flatMap(({ node, sessions }) => sessions.filter((s) => s.user === email).map((s) => ({ node, s }))), silent: all.silent };
    });
    warnSilent(silent, 'they were told to end its sessions too');
    if (ended.length === 0) process.stdout.write(`${email} has no sessions\n`);
    for (const { node, s } of ended) process.stdout.write(`ended ${describeSession(s)} on ${serverName(node)}\n`);
  });
}

function serverName(n: ServerNode): string {
  return `${n.host} pid ${n.pid}`;
}

function describeSession(s: SessionInfo): string {
  return `${s.protocol} session ${s.id} of ${s.user} from ${s.remote}`;
}

/** warnSilent tells the operator, on stderr, of each running server that did not answer. */
function warnSilent(silent: ServerNode[], note = 'its sessions are not listed'): void {
  const now = Date.now();
  for (const n of silent) {
    process.stderr.write(`letterbox: warning: the server on ${serverName(n)} (heartbeat ${Math.round((now - n.seenAt) / 1000)} s ago) did not answer; ${note}\n`);
  }
}
