/**
 * PostgreSQL for tests: finds a server ($LETTERBOX_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/test)
 * or starts a throwaway one in a temp dir with Debian's binaries (/usr/lib/postgresql/N/bin), and gives
 * every caller a fresh database of its own (CREATE DATABASE letterbox_test_<random>, dropped on cleanup),
 * so parallel test files never see each other's accounts or notifications.
 * When no PostgreSQL can be had, testDatabase throws: a missing PostgreSQL fails the tests, it never skips them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

/** DEFAULT_PG_URL is tried when LETTERBOX_TEST_PG_URL is not set. */
export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

let admin: Promise<string> | null = null;

/** adminUrl resolves to a URL of a reachable PostgreSQL database with the right to CREATE DATABASE. */
export function adminUrl(): Promise<string> {
  admin ??= findOrStart();
  return admin;
}

async function reachable(url: string): Promise<string | null> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await c.end().catch(() => {});
  }
}

async function findOrStart(): Promise<string> {
  const url = process.env.LETTERBOX_TEST_PG_URL || DEFAULT_PG_URL;
  const why = await reachable(url);
  if (why === null) return url;
  try {
    return await startThrowaway();
  } catch (err) {
    throw new Error(
      `no PostgreSQL for the tests: ${redact(url)} is not reachable (${why}), and starting a throwaway server failed: ${(err as Error).message}. ` +
        'Set LETTERBOX_TEST_PG_URL to a database where the user may CREATE DATABASE, or install the postgresql package (initdb, pg_ctl).',
    );
  }
}

function redact(url: string): string {
  return url.replace(/:\/\/([^:@/]*):[^@/]*@/, '://$1:***@');
}

/**
 * startThrowaway runs initdb and pg_ctl from the newest /usr/lib/postgresql/N/bin in a temp dir on a free
 * loopback port (as the "postgres" user when we are root: PostgreSQL refuses to run as root), stopped and
 * removed when this process exits. Resolves to its admin URL.
 */
async function startThrowaway(): Promise<string> {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no ${base}/*/bin/initdb`);
  const bin = path.join(base, versions[0]!, 'bin');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'letterbox-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').pop()}`);
  };
  if (asRoot) execFileSync('chown', ['postgres:', dir]);
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  process.on('exit', () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const why = await reachable(url);
  if (why !== null) throw new Error(`the throwaway server on port ${port} does not answer: ${why}`);
  return url;
}

/** TestDatabase is a fresh, empty database: its URL and the function that drops it. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** testDatabase creates a new database letterbox_test_<random> and returns its URL. Throws when no PostgreSQL can be had. */
export async function testDatabase(): Promise<TestDatabase> {
  const base = await adminUrl();
  const name = `letterbox_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(base, `CREATE DATABASE ${name}`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      await adminQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** adminQuery runs one statement on its own connection to `url`. */
export async function adminQuery(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end().catch(() => {});
  }
}
