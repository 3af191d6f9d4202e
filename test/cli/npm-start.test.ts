/**
 * `npm start`, the README's quick start, as a supervisor or a shell signals it: SIGTERM and SIGINT to the
 * npm process stop the server cleanly (npm passes them on to `exec node bin/letterbox.js serve`); a SIGHUP or
 * SIGKILL that ends npm alone never leaves the server running as an orphan holding its ports; and SIGHUP to
 * the server's own pid (the `pid` of its log lines, as the README says) reloads the certificate.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bin } from '../support/cli.js';
import { freePort } from '../support/ports.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

interface NpmStart {
  npmPid: number;
  serverPid: number;
  imapPort: number;
  output(): string;
  npmExited: Promise<number | string>;
}

/** npmStart runs `npm start -- ARGS` in the repository and resolves once the server logged its ready line. */
async function npmStart(dataDir: string): Promise<NpmStart> {
  bin(); // dist/ must be current: npm start runs it
  const imapPort = await freePort();
  const imapsPort = await freePort();
  // A process group of its own, as a shell gives a foreground job: Ctrl-C signals the whole group.
  const p = spawn('npm', ['start', '--silent', '--', '--data-dir', dataDir, '--host', '127.0.0.1', '--imap-port', `${imapPort}`, '--imaps-port', `${imapsPort}`, '--pop3-port', '0', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', '0', '--lmtp-socket', 'none'], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' },
  });
  let out = '';
  const npmExited = new Promise<number | string>((resolve) => p.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const serverPid = await new Promise<number>((resolve, reject) => {
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('Letterbox ready'));
      if (line && out.includes(`${line}\n`)) resolve((JSON.parse(line) as { pid: number }).pid);
    });
    void npmExited.then((code) => reject(new Error(`npm start exited (${code}) before the server was ready: ${out}`)));
  });
  return { npmPid: p.pid!, serverPid, imapPort, output: () => out, npmExited };
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readStatus(pid));
}

function readStatus(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('npm start', { timeout: 180_000 }, () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-npm-start-'));
  });
  after(async () => rm(dataDir, { recursive: true, force: true }));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to npm stops the server cleanly: it exits 0 and frees its ports`, async () => {
      const s = await npmStart(dataDir);
      process.kill(s.npmPid, signal);
      await s.npmExited;
      assert.equal(await gone(s.serverPid, 15_000), true, 'the server process is gone');
      assert.match(s.output(), new RegExp(`"signal":"${signal}","msg":"shutting down"`));
      assert.match(s.output(), /"msg":"stopped"/);
      assert.equal(await refused(s.imapPort), true);
    });
  }

  it('Ctrl-C (SIGINT to the whole process group: npm and the server) stops the server cleanly, once', async () => {
    const s = await npmStart(dataDir);
    process.kill(-s.npmPid, 'SIGINT');
    await s.npmExited;
    assert.equal(await gone(s.serverPid, 15_000), true, 'the server process is gone');
    assert.match(s.output(), /"signal":"SIGINT","msg":"shutting down"/);
    assert.match(s.output(), /"msg":"stopped"/);
    assert.doesNotMatch(s.output(), /second signal/);
    assert.equal(await refused(s.imapPort), true);
  });

  it('a SIGHUP that ends npm alone leaves no orphan; SIGHUP to the server pid reloads the certificate', async () => {
    const s = await npmStart(dataDir);
    process.kill(s.serverPid, 'SIGHUP');
    const until = Date.now() + 15_000;
    while (!s.output().includes('TLS certificate reloaded') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.match(s.output(), /TLS certificate reloaded/);
    assert.equal(alive(s.serverPid), true, 'the server goes on after SIGHUP');

    process.kill(s.npmPid, 'SIGHUP');
    await s.npmExited;
    assert.equal(await gone(s.serverPid, 15_000), true, 'the server stopped when npm went away');
    assert.match(s.output(), /"signal":"parent exited","msg":"shutting down"/);
    assert.equal(await refused(s.imapPort), true);
  });
});
