/**
 * The one way tests start a Letterbox server. startTestServer runs it in this process on loopback with
 * ephemeral ports (IMAP and POP3, started by server/node.ts as `letterbox serve` and the library start
 * theirs), a fresh data directory and the chosen storage backend (PostgreSQL: a fresh database, dropped on
 * close), for tests that talk to it over TCP and TLS. startServe runs the same server as a child process
 * (`letterbox serve -c`, config file written for it), for tests that signal or kill it (SIGHUP, SIGTERM,
 * SIGKILL) or run several nodes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { after, before, beforeEach } from 'node:test';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import selfsigned from 'selfsigned';
import { hashPassword } from '../../src/auth/password.js';
import type { Config, StorageConfig } from '../../src/config/types.js';
import type { RunningServer, ServerLimits } from '../../src/imap/server.js';
import type { Pop3Limits, RunningPop3 } from '../../src/pop3/server.js';
import type { ManageSieveLimits, RunningManageSieve } from '../../src/managesieve/server.js';
import type { Logger } from '../../src/log/logger.js';
import { startNode, type RunningNode } from '../../src/server/node.js';
import { openStore } from '../../src/store/open.js';
import type { Account, Store } from '../../src/store/types.js';
import { bin } from './cli.js';
import { freePort } from './ports.js';
import { testDatabase } from './postgres.js';

/** BACKENDS are the storage backends the shared suites run against. */
export const BACKENDS = ['sqlite', 'postgres'] as const;
/** Backend names a storage backend of BACKENDS. */
export type Backend = (typeof BACKENDS)[number];

/** TestServer: a running server and its parts. */
export interface TestServer {
  imapPort: number;
  imapsPort: number;
  /** POP3 with STLS (0 when configured off). */
  pop3Port: number;
  /** POP3 over TLS (0 when configured off). */
  pop3sPort: number;
  /** ManageSieve with STARTTLS (0 when configured off). */
  managesievePort: number;
  store: Store;
  dataDir: string;
  /** The config the server runs with (lmtp off; test/lmtp starts its own LMTP listeners on this store). */
  config: Config;
  /** The storage of the server's config (to open a second store on the same data). */
  storage: StorageConfig;
  /** Options that point the letterbox CLI at this server's data: --data-dir, and --storage for PostgreSQL. */
  cliArgs: string[];
  server: RunningServer;
  pop3: RunningPop3;
  /** The ManageSieve server, or null when configured off. */
  managesieve: RunningManageSieve | null;
  /** The whole node (its session registry, its presence in the store). */
  node: RunningNode;
  /** PEM certificate, to trust in TLS clients. */
  cert: string;
  /** Creates an account (with its default mailboxes). */
  addUser(email: string, password: string): Promise<Account>;
  close(): Promise<void>;
}

let tlsMaterial: Promise<{ key: string; cert: string }> | null = null;

/** testTls generates one self-signed certificate for localhost per test process. */
export function testTls(): Promise<{ key: string; cert: string }> {
  tlsMaterial ??= (async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      days: 30,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    } as never);
    return { key: pems.private, cert: pems.cert };
  })();
  return tlsMaterial;
}

/**
 * startTestServer starts a server; `configure` may change the config (e.g. plaintextAuth); `opts.limits`
 * lowers IMAP limits (timeouts, connection caps), `opts.pop3Limits` POP3's (config.auth sets the login
 * penalty's delays); `opts.log` replaces the silent logger; `opts.shareWith` makes it a second node on
 * another test server's data (another process on the SQLite file, another node on PostgreSQL).
 */
export async function startTestServer(
  backend: Backend = 'sqlite',
  configure?: (c: Config) => void,
  opts: { limits?: Partial<ServerLimits>; pop3Limits?: Partial<Pop3Limits>; manageSieveLimits?: Partial<ManageSieveLimits>; log?: Logger; shareWith?: TestServer } = {},
): Promise<TestServer> {
  // With shareWith: a second node on the other server's data (its SQLite file, its PostgreSQL database), which it keeps on close.
  const shared = opts.shareWith;
  const dataDir = shared ? shared.dataDir : await mkdtemp(path.join(os.tmpdir(), 'letterbox-test-'));
  // PostgreSQL: a database of its own per server, so test files running in parallel never meet.
  const pg = backend === 'postgres' && !shared ? await testDatabase() : null;
  const config: Config = {
    dataDir,
    storage: shared ? shared.storage : pg ? { kind: 'postgres', url: pg.url } : { kind: 'sqlite' },
    imap: { host: '127.0.0.1', port: 1, tlsPort: 1, plaintextAuth: 'loopback', maxConnections: 5000, maxConnectionsPerIp: 1000, maxConnectionsPerUserIp: 10 },
    pop3: { host: '127.0.0.1', port: 1, tlsPort: 1, plaintextAuth: 'loopback', maxConnections: 5000, maxConnectionsPerIp: 1000, maxConnectionsPerUserIp: 10 },
    managesieve: { host: '127.0.0.1', port: 1, plaintextAuth: 'loopback', maxConnections: 5000, maxConnectionsPerIp: 1000, maxConnectionsPerUserIp: 10, maxScripts: 20, maxScriptOctets: null },
    outgoing: { smtp: null },
    lmtp: { host: '127.0.0.1', port: 0, socket: null },
    tls: { cert: null, key: null },
    quota: { storage: null, messages: null },
    log: { level: 'silent', format: 'json', file: null },
    serve: { workers: 1 },
    admin: { host: '127.0.0.1', port: 0 },
    // Failed logins are answered after 50-200 ms instead of 2-15 s, so suites that test a wrong password stay fast.
    auth: { penaltyDelayMs: 50, penaltyMaxDelayMs: 200, penaltyExpireMs: 15 * 60 * 1000 },
  };
  configure?.(config);
  const log = opts.log ?? pino({ level: process.env.LETTERBOX_TEST_LOG ?? 'silent' });
  const store = await openStore(config, log);
  const tls = await testTls();
  const material = { key: Buffer.from(tls.key), cert: Buffer.from(tls.cert) };
  // The node serve and the library run: one penalty and one session registry for both protocols.
  const node = await startNode({ config, store, log, tls: material, ephemeral: true, limits: opts.limits, pop3Limits: opts.pop3Limits, manageSieveLimits: opts.manageSieveLimits });
  const server = node.imap!;
  const pop3 = node.pop3!;
  const port = (name: string): number => [...server.addresses, ...pop3.addresses, ...(node.managesieve?.addresses ?? [])].find((a) => a.name === name)?.port ?? 0;
  return {
    imapPort: port('imap'),
    imapsPort: port('imaps'),
    pop3Port: port('pop3'),
    pop3sPort: port('pop3s'),
    managesievePort: port('managesieve'),
    store,
    dataDir,
    config,
    storage: config.storage,
    cliArgs: ['--data-dir', dataDir, ...(config.storage.kind === 'postgres' ? ['--storage', config.storage.url] : [])],
    server,
    pop3,
    managesieve: node.managesieve,
    node,
    cert: tls.cert,
    async addUser(email, password) {
      return store.createAccount(email, await hashPassword(password));
    },
    async close() {
      await node.close();
      await store.close();
      await pg?.drop();
      if (!shared) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** SuiteEnv is filled in by serverPerSuite's hooks: the suite's server and the account of the running test. */
export interface SuiteEnv {
  srv: TestServer;
  /** Email of a new account (password "pw") created before each test. */
  user: string;
}

/**
 * serverPerSuite registers hooks in the current describe block: one server for the whole block
 * (closed after it) and a new account `${prefix}N@example.com` with password "pw" before each test,
 * so tests share a server but never each other's mail.
 */
export function serverPerSuite(backend: Backend, prefix: string): SuiteEnv {
  const env = { user: '' } as SuiteEnv;
  let n = 0;
  before(async () => {
    env.srv = await startTestServer(backend);
  });
  after(async () => env.srv.close());
  beforeEach(async () => {
    env.user = `${prefix}${++n}@example.com`;
    await env.srv.addUser(env.user, 'pw');
  });
  return env;
}

/** ServeProcess is a running `letterbox serve`. */
export interface ServeProcess {
  proc: ChildProcessWithoutNullStreams;
  imapPort: number;
  imapsPort: number;
  /** POP3 with STLS and POP3 over TLS; 0 unless startServe was asked for POP3. */
  pop3Port: number;
  pop3sPort: number;
  /** ManageSieve with STARTTLS; 0 unless startServe was asked for it. */
  managesievePort: number;
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
 * startServe writes `<dataDir>/letterbox.yaml` (IMAP and LMTP ports, POP3 ports with `pop3`, loopback, data_dir,
 * PostgreSQL at `storage` when given (a postgres:// URL; else SQLite in dataDir), plus `extraYaml` lines at
 * top level, e.g. a tls: block) and starts `letterbox serve -c` on it, with no LETTERBOX_* variable of the
 * test's environment; resolves once it logged "Letterbox ready" (or at once with `waitReady: false`). Ports
 * are reused when given (restart after a kill).
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
    managesieve?: boolean;
    storage?: string;
    /** false: return as soon as the process is spawned, without waiting for "Letterbox ready" (default true). */
    waitReady?: boolean;
  } = {},
): Promise<ServeProcess> {
  const imapPort = opts.imapPort ?? (await freePort());
  const imapsPort = opts.imapsPort ?? (await freePort());
  const lmtpPort = opts.lmtpPort ?? (await freePort());
  // POP3 only when asked: its default ports (110, 995) may be taken.
  const [pop3Port, pop3sPort] = opts.pop3 ? [await freePort(), await freePort()] : [0, 0];
  // ManageSieve only when asked: its default port (4190) may be taken.
  const managesievePort = opts.managesieve ? await freePort() : 0;
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
      'managesieve:',
      '  host: 127.0.0.1',
      `  port: ${managesievePort}`,
      'lmtp:',
      '  host: 127.0.0.1',
      `  port: ${lmtpPort}`,
      'log:',
      `  level: ${opts.logLevel ?? 'info'}`,
      ...(opts.storage !== undefined ? ['storage:', '  kind: postgres', `  url: ${JSON.stringify(opts.storage)}`] : []),
      opts.extraYaml ?? '',
    ].join('\n'),
  );
  const proc = spawn(process.execPath, [bin(), 'serve', '-c', file], { env: { ...process.env, LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' } });
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
    if (opts.waitReady !== false) await waitForLog('Letterbox ready');
  } catch (err) {
    // A server that never got ready must not outlive the test (its handle would keep the runner waiting).
    proc.kill('SIGKILL');
    throw err;
  }
  return { proc, imapPort, imapsPort, pop3Port, pop3sPort, managesievePort, lmtpPort, output: () => out, waitForLog, exited };
}
