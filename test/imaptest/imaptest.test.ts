/**
 * Dovecot's imaptest against `letterbox serve`, on SQLite and on PostgreSQL, and on two nodes sharing one
 * PostgreSQL: the scripted suite (every command's exact replies, with two sessions) must pass with no
 * failed group, no group skipped and no failed command; the stress checker (many sessions, random commands,
 * every reply checked against the state it tracks) must see no Error, Warning, Panic or Fatal line, in the
 * default mix and with long-lived sessions (logout=0). These are correctness tests: throughput is measured
 * in bench/. Without imaptest the tests skip, except under CI=true where they fail. A red run prints
 * imaptest's own `***` blocks and checker lines, so it explains itself.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../src/auth/password.js';
import { openStore } from '../../src/store/open.js';
import type { StorageConfig } from '../../src/config/types.js';
import { balancer, checkerLines, corpusMbox, failureBlocks, imaptest, runImaptest, scriptedVerdict, testsDir } from '../support/imaptest.js';
import { testDatabase, type TestDatabase } from '../support/postgres.js';
import { startServe, type ServeProcess } from '../support/server.js';

const CI = process.env.CI === 'true';
const tool = imaptest();
const skip = 'error' in tool && !CI ? `imaptest is not available: ${tool.error}` : false;

const PASSWORD = 'imaptest-pw';
/** Stress users testuser1..STRESS_USERS, clients and seconds per run (issue 12: 20 s at 20 clients). */
const STRESS_USERS = 20;
const CLIENTS = 20;
const SECONDS = 20;

/** binary is the imaptest wrapper; under CI=true a missing one fails the test here. */
function binary(): string {
  if ('error' in tool) throw new Error(tool.error);
  return tool.path;
}

/** addUsers creates the scripted suite's two accounts and the stress accounts, all with PASSWORD. */
async function addUsers(dataDir: string, storage: StorageConfig): Promise<void> {
  const store = await openStore({ dataDir, storage });
  try {
    const hash = await hashPassword(PASSWORD);
    for (const name of ['u1', 'u2', ...Array.from({ length: STRESS_USERS }, (_, i) => `testuser${i + 1}`)]) {
      await store.createAccount(`${name}@example.com`, hash);
    }
  } finally {
    await store.close();
  }
}

/** Node is one running `letterbox serve` with its data directory. */
interface Node {
  serve: ServeProcess;
  dataDir: string;
}

async function startNode(storage: StorageConfig, dataDir?: string): Promise<Node> {
  const dir = dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'lb-imaptest-')));
  // imaptest opens many sessions per user from one address; the per-user limit is Dovecot's default of 10.
  // Two workers, whatever the machine's default: imaptest's sessions are spread over both, so its checker
  // also sees every change cross from one worker process to the other.
  const serve = await startServe(dir, { storage: storage.kind === 'postgres' ? storage.url : undefined, maxConnectionsPerUserIp: 1000, extraYaml: 'serve:\n  workers: 2' });
  return { serve, dataDir: dir };
}

async function stopNode(n: Node | undefined): Promise<void> {
  if (!n) return;
  if (n.serve.proc.exitCode === null) {
    n.serve.proc.kill('SIGTERM');
    await n.serve.exited;
  }
  await rm(n.dataDir, { recursive: true, force: true });
}

/** stress runs imaptest's stress checker against `port` and asserts that it saw no violation. */
async function stress(port: number, mbox: string, extra: string[] = []): Promise<void> {
  const args = [
    'host=127.0.0.1',
    `port=${port}`,
    'user=testuser%d@example.com',
    `users=${STRESS_USERS}`,
    `pass=${PASSWORD}`,
    `clients=${CLIENTS}`,
    `secs=${SECONDS}`,
    'seed=123',
    `mbox=${mbox}`,
    ...extra,
  ];
  const run = await runImaptest(binary(), args, { timeoutMs: (SECONDS + 120) * 1000 });
  const bad = checkerLines(run.output);
  assert.deepEqual(bad.slice(0, 40), [], `imaptest ${extra.join(' ')}: ${bad.length} checker lines\n${bad.slice(0, 40).join('\n')}`);
  assert.match(run.output, /Totals:/, `imaptest ended without its totals:\n${run.output.slice(-3000)}`);
  assert.equal(run.code, 0, run.output.slice(-3000));
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`imaptest against letterbox serve [${backend}]`, { skip, timeout: 600_000 }, () => {
    let node: Node | undefined;
    let db: TestDatabase | undefined;
    let mbox = '';

    before(async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-imaptest-'));
      db = backend === 'postgres' ? await testDatabase() : undefined;
      const storage: StorageConfig = db ? { kind: 'postgres', url: db.url } : { kind: 'sqlite' };
      await addUsers(dataDir, storage);
      node = await startNode(storage, dataDir);
      mbox = path.join(dataDir, 'stress.mbox');
      corpusMbox(mbox, 200);
    });
    after(async () => {
      await stopNode(node);
      await db?.drop();
    });

    it('passes the scripted suite: no failed group, none skipped, no failed command', async () => {
      const tests = testsDir(binary());
      const run = await runImaptest(
        binary(),
        ['host=127.0.0.1', `port=${node!.serve.imapPort}`, 'user=u1@example.com', 'user2=u2@example.com', `pass=${PASSWORD}`, `test=${tests}`],
        { cwd: path.dirname(path.dirname(tests)), timeoutMs: 300_000 },
      );
      const verdict = scriptedVerdict(run.output);
      const failures = failureBlocks(run.output).join('\n\n');
      assert.ok(verdict, `imaptest printed no verdict:\n${run.output.slice(-4000)}`);
      assert.equal(verdict.failedGroups, 0, `${verdict.failedGroups} of ${verdict.groups} groups failed:\n${failures}`);
      assert.equal(verdict.skippedGroups, 0, `${verdict.skippedGroups} groups skipped for missing capabilities`);
      assert.equal(verdict.base.failed, 0, `base protocol: ${verdict.base.failed}/${verdict.base.total} failed:\n${failures}`);
      assert.equal(verdict.extensions.failed, 0, `extensions: ${verdict.extensions.failed}/${verdict.extensions.total} failed:\n${failures}`);
      assert.deepEqual(checkerLines(run.output), []);
      assert.ok(verdict.groups >= 71 && verdict.base.total > 400 && verdict.extensions.total > 200, JSON.stringify(verdict));
    });

    it(`stress, default mix (${CLIENTS} clients, ${SECONDS} s): the checker sees no violation`, async () => {
      await stress(node!.serve.imapPort, mbox);
    });

    it(`stress, long-lived sessions (logout=0): the checker sees no violation`, async () => {
      await stress(node!.serve.imapPort, mbox, ['logout=0']);
    });
  });
}

describe('imaptest against two letterbox nodes on one PostgreSQL', { skip, timeout: 600_000 }, () => {
  let a: Node | undefined;
  let b: Node | undefined;
  let db: TestDatabase | undefined;
  let lb: Awaited<ReturnType<typeof balancer>> | undefined;
  let mbox = '';

  before(async () => {
    db = await testDatabase();
    const storage: StorageConfig = { kind: 'postgres', url: db.url };
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-imaptest-'));
    await addUsers(dataDir, storage);
    [a, b] = await Promise.all([startNode(storage, dataDir), startNode(storage)]);
    // Every other connection to each node: the sessions of one user meet across the two nodes.
    lb = await balancer([a.serve.imapPort, b.serve.imapPort]);
    mbox = path.join(dataDir, 'stress.mbox');
    corpusMbox(mbox, 200);
  });
  after(async () => {
    await lb?.close();
    await Promise.all([stopNode(b), stopNode(a)]);
    await db?.drop();
  });

  it(`stress with half the sessions on each node: the checker sees no violation`, async () => {
    await stress(lb!.port, mbox);
  });
});
