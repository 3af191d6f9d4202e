/**
 * ServeProcess runs `letterbox serve` as a child process on free loopback ports, with a config file
 * written for it, for tests that signal or kill the server (SIGHUP, SIGTERM, SIGKILL).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bin, freePort } from './cli.js';

/** ServeProcess is a running `letterbox serve`. */
export interface ServeProcess {
  proc: ChildProcessWithoutNullStreams;
  imapPort: number;
  imapsPort: number;
  /** POP3 with STLS and POP3 over TLS; 0 unless startServe was asked for POP3. */
  pop3Port: number;
  pop3sPort: number;
  /** LMTP port on 127.0.0.1 (the LMTP socket is the default <dataDir>/lmtp.sock). */
  lmtpPort: number;
  /** Everything written to stdout so far (JSON log lines). */
  output(): string;
  /** Resolves when a log line containing `text` has appeared (after `from` octets of output). */
  waitForLog(text: string, from?: number, ms?: number): Promise<void>;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
}

/**
 * startServe writes `<dataDir>/letterbox.yaml` (IMAP and LMTP ports, POP3 ports with `pop3`, loopback, data_dir, plus `extraYaml` lines at top
 * level, e.g. a tls: block) and starts `letterbox serve -c` on it; resolves once it logged "Letterbox ready".
 * Ports are reused when given (restart after a kill).
 */
export async function startServe(
  dataDir: string,
  opts: {
    extraYaml?: string;
    imapPort?: number;
    imapsPort?: number;
    lmtpPort?: number;
    logLevel?: string;
    maxConnections?: number;
    maxConnectionsPerUserIp?: number;
    pop3?: boolean;
  } = {},
): Promise<ServeProcess> {
  const imapPort = opts.imapPort ?? (await freePort());
  const imapsPort = opts.imapsPort ?? (await freePort());
  const lmtpPort = opts.lmtpPort ?? (await freePort());
  // POP3 only when asked: its default ports (110, 995) may be taken.
  const [pop3Port, pop3sPort] = opts.pop3 ? [await freePort(), await freePort()] : [0, 0];
  const file = path.join(dataDir, 'letterbox.yaml');
  await writeFile(
    file,
    [
      `data_dir: ${JSON.stringify(dataDir)}`,
      'imap:',
      '  host: 127.0.0.1',
      `  port: ${imapPort}`,
      `  tls_port: ${imapsPort}`,
      `  max_connections: ${opts.maxConnections ?? 5000}`,
      ...(opts.maxConnectionsPerUserIp !== undefined ? [`  max_connections_per_user_ip: ${opts.maxConnectionsPerUserIp}`] : []),
      'pop3:',
      '  host: 127.0.0.1',
      `  port: ${pop3Port}`,
      `  tls_port: ${pop3sPort}`,
      'lmtp:',
      '  host: 127.0.0.1',
      `  port: ${lmtpPort}`,
      'log:',
      `  level: ${opts.logLevel ?? 'info'}`,
      opts.extraYaml ?? '',
    ].join('\n'),
  );
  const proc = spawn(process.execPath, [bin(), 'serve', '-c', file], { env: { ...process.env, LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '' } });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  });
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const waitForLog = (text: string, from = 0, ms = 30_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (out.indexOf(text, from) >= 0) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no log line with ${JSON.stringify(text)} in time; stdout: ${out.slice(-2000)} stderr: ${err.slice(-2000)}`));
      }, ms);
      listeners.add(check);
      void exited.then(() => {
        if (listeners.has(check)) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`server exited before logging ${JSON.stringify(text)}; stdout: ${out.slice(-2000)} stderr: ${err.slice(-2000)}`));
        }
      });
      check();
    });
  try {
    await waitForLog('Letterbox ready');
  } catch (err) {
    // A server that never got ready must not outlive the test (its handle would keep the runner waiting).
    proc.kill('SIGKILL');
    throw err;
  }
  return { proc, imapPort, imapsPort, pop3Port, pop3sPort, lmtpPort, output: () => out, waitForLog, exited };
}
