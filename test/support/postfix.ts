/**
 * startPostfix runs Debian's Postfix as an ordinary process group with its own config directory, queue
 * and log in a temporary directory: SMTP on a loopback port, mail for the virtual domains handed to
 * Letterbox over LMTP. It needs root (Postfix drops to mail_owner "postfix" and uses group "postdrop").
 */
import { execFile } from 'node:child_process';
import { access, chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** POSTFIX is the postfix command; tests that need it must fail, not skip, when CI=true and it is missing. */
export const POSTFIX = '/usr/sbin/postfix';

/** postfixAvailable tells whether Postfix is installed and we are root (needed to start it). */
export async function postfixAvailable(): Promise<string | null> {
  try {
    await access(POSTFIX);
    await access('/usr/lib/postfix/sbin/master');
  } catch {
    return `Postfix is not installed (${POSTFIX})`;
  }
  if (process.getuid?.() !== 0) return 'starting Postfix needs root';
  return null;
}

/** RunningPostfix is a started Postfix instance. */
export interface RunningPostfix {
  /** Its config directory (main.cf, master.cf). */
  configDir: string;
  /** The mail log (maillog_file), as written so far. */
  maillog(): Promise<string>;
  /** Waits until the mail log matches `pattern` (polling), or throws after `ms` with the log in the message. */
  waitForLog(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** postfix stop, then removes its directory. */
  stop(): Promise<void>;
}

/**
 * startPostfix writes main.cf/master.cf into a new temporary directory and runs `postfix -c DIR start`.
 * `domains` maps each virtual mailbox domain to its Postfix transport, e.g.
 * { 'example.com': 'lmtp:unix:/run/lb/lmtp.sock', 'example.net': 'lmtp:inet:127.0.0.1:2424' }.
 */
export async function startPostfix(opts: { smtpPort: number; domains: Record<string, string> }): Promise<RunningPostfix> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'lb-postfix-'));
  // Postfix's daemons run as "postfix": they must reach the queue through the temporary directory.
  await chmod(root, 0o755);
  const configDir = path.join(root, 'etc');
  const queue = path.join(root, 'queue');
  const data = path.join(root, 'data');
  const maillog = path.join(root, 'maillog');
  await mkdir(configDir);
  // The queue directory belongs to root (postfix check says so; Postfix makes its subdirectories), the data directory to mail_owner.
  await mkdir(queue);
  await mkdir(data);
  const id = async (flag: string) => Number((await run('id', [flag, 'postfix'])).stdout.trim());
  await chown(data, await id('-u'), await id('-g'));
  const domains = Object.keys(opts.domains);
  const mainCf = [
    'compatibility_level = 3.6',
    `queue_directory = ${queue}`,
    `data_directory = ${data}`,
    'mail_owner = postfix',
    'setgid_group = postdrop',
    `maillog_file = ${maillog}`,
    `maillog_file_prefixes = ${root}`,
    'myhostname = mta.letterbox.test',
    'mydomain = letterbox.test',
    'myorigin = $myhostname',
    'inet_interfaces = loopback-only',
    'inet_protocols = ipv4',
    'mynetworks = 127.0.0.0/8',
    'mydestination =',
    'relayhost =',
    'alias_maps =',
    'alias_database =',
    'local_recipient_maps =',
    `virtual_mailbox_domains = ${domains.join(', ')}`,
    // Letterbox decides who exists (550 5.1.1 at RCPT TO); Postfix has no list of its own.
    'smtpd_reject_unlisted_recipient = no',
    `transport_maps = inline:{ ${domains.map((d) => `${d}=${opts.domains[d]}`).join(', ')} }`,
    'smtp_dns_support_level = disabled',
    'lmtp_dns_support_level = disabled',
    'smtpd_banner = $myhostname ESMTP',
    'biff = no',
    'delay_warning_time = 0',
    'queue_run_delay = 1s',
    'minimal_backoff_time = 1s',
    'maximal_backoff_time = 2s',
    '',
  ].join('\n');
  // service type private unpriv chroot wakeup maxproc command (Debian's master.cf, chroot off everywhere).
  const masterCf = [
    `127.0.0.1:${opts.smtpPort} inet n - n - - smtpd`,
    'pickup unix n - n 60 1 pickup',
    'cleanup unix n - n - 0 cleanup',
    'qmgr unix n - n 300 1 qmgr',
    'rewrite unix - - n - - trivial-rewrite',
    'bounce unix - - n - 0 bounce',
    'defer unix - - n - 0 bounce',
    'trace unix - - n - 0 bounce',
    'verify unix - - n - 1 verify',
    'flush unix n - n 1000? 0 flush',
    'proxymap unix - - n - - proxymap',
    'smtp unix - - n - - smtp',
    'relay unix - - n - - smtp',
    'showq unix n - n - - showq',
    'error unix - - n - - error',
    'retry unix - - n - - error',
    'discard unix - - n - - discard',
    'lmtp unix - - n - - lmtp',
    'anvil unix - - n - 1 anvil',
    'scache unix - - n - 1 scache',
    'postlog unix-dgram n - n - 1 postlogd',
    '',
  ].join('\n');
  await writeFile(path.join(configDir, 'main.cf'), mainCf);
  await writeFile(path.join(configDir, 'master.cf'), masterCf);

  const stop = async () => {
    try {
      await run(POSTFIX, ['-c', configDir, 'stop']);
    } catch {
      // not running (start failed); the directory goes anyway
    }
    await rm(root, { recursive: true, force: true });
  };
  try {
    await run(POSTFIX, ['-c', configDir, 'check']);
    await run(POSTFIX, ['-c', configDir, 'start']);
  } catch (err) {
    const log = await readFile(maillog, 'utf8').catch(() => '');
    await stop();
    const e = err as Error & { stderr?: string };
    throw new Error(`postfix did not start: ${e.message} ${e.stderr ?? ''} ${log}`);
  }
  const readLog = () => readFile(maillog, 'utf8').catch(() => '');
  return {
    configDir,
    maillog: readLog,
    async waitForLog(pattern, ms = 30_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const log = await readLog();
        const m = pattern.exec(log);
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`no ${pattern} in the Postfix log after ${ms} ms:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
}
