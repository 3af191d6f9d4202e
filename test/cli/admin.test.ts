/**
 * The admin port of a real `letterbox serve`: GET /health is 200 when every listener and the store are
 * ready, 503 (with the failing check) while starting or when the store cannot answer; GET /metrics is
 * Prometheus text whose numbers move with a session: connections, logins, commands and their durations,
 * LMTP deliveries and refusals, store commits, penalised addresses.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { startAdmin, type AdminState } from '../../src/cli/serve-setup.js';
import { loadConfig } from '../../src/config/load.js';
import { SessionRegistry } from '../../src/sessions/registry.js';
import { openStore } from '../../src/store/open.js';
import { bin, runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { LmtpClient, RawClient } from '../support/line-client.js';
import { login } from '../support/transcript.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };

async function get(port: number, p: string): Promise<{ status: number; body: string; type: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${p}`);
  return { status: r.status, body: await r.text(), type: r.headers.get('content-type') ?? '' };
}

/** sample reads one sample's value from Prometheus text, 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('admin port', { timeout: 120_000 }, () => {
  it('serves /health and /metrics, whose numbers move during a session', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lb-admin-'));
    assert.equal((await runCli(['user', 'add', 'alice@example.com', '--password-stdin', '--data-dir', dir], 'pw\n', NO_ENV)).code, 0);
    const [imap, lmtpPort, admin] = [await freePort(), await freePort(), await freePort()];
    const p = spawn(process.execPath, [bin(), 'serve', '--data-dir', dir, '--host', '127.0.0.1', '--imap-port', `${imap}`, '--imaps-port', '0', '--pop3-port', '0', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', `${lmtpPort}`, '--lmtp-socket', 'none', '--admin-port', `${admin}`], {
      env: { ...process.env, ...NO_ENV },
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => p.once('exit', (c) => resolve(c)));
    try {
      while (!out.includes('Letterbox ready')) {
        if (p.exitCode !== null) throw new Error(out);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(out, new RegExp(`admin on 127\\.0\\.0\\.1:${admin} \\(/health, /metrics\\)`));
      const health = await get(admin, '/health');
      assert.equal(health.status, 200);
      assert.deepEqual(JSON.parse(health.body), { status: 'ok', checks: { server: 'ok', imap: 'ok', lmtp: 'ok', store: 'ok' } }, 'POP3 is off: no check for it');
      assert.equal((await get(admin, '/nothing')).status, 404);

      const before = (await get(admin, '/metrics')).body;
      assert.equal(sample(before, 'letterbox_connections{protocol="imap"}'), 0);
      const c = await login(imap, 'alice@example.com');
      await c.command('s', 'SELECT INBOX');
      await c.command('n', 'NOOP');
      const bad = await RawClient.connect(imap);
      await bad.command('l', 'LOGIN alice@example.com wrong');
      const l = await LmtpClient.connect(lmtpPort);
      await l.command('LHLO mta');
      await l.command('MAIL FROM:<bob@example.org>');
      await l.command('RCPT TO:<alice@example.com>');
      await l.command('RCPT TO:<nobody@example.com>');
      await l.command('DATA');
      l.write('Subject: hi\r\n\r\nhello\r\n.\r\n');
      await l.readReply();

      const during = await get(admin, '/metrics');
      assert.match(during.type, /^text\/plain; version=0\.0\.4/);
      const m = during.body;
      assert.equal(sample(m, 'letterbox_connections{protocol="imap"}'), 2);
      assert.equal(sample(m, 'letterbox_connections{protocol="lmtp"}'), 1);
      assert.equal(sample(m, 'letterbox_sessions'), 1);
      assert.equal(sample(m, 'letterbox_logins_total{result="success"}') - sample(before, 'letterbox_logins_total{result="success"}'), 1);
      assert.equal(sample(m, 'letterbox_logins_total{result="failure"}') - sample(before, 'letterbox_logins_total{result="failure"}'), 1);
      assert.equal(sample(m, 'letterbox_commands_total{command="SELECT"}'), 1);
      assert.equal(sample(m, 'letterbox_commands_total{command="NOOP"}'), 1);
      assert.equal(sample(m, 'letterbox_command_duration_seconds_count{command="SELECT"}'), 1);
      assert.equal(sample(m, 'letterbox_command_duration_seconds_bucket{le="+Inf",command="SELECT"}'), 1);
      assert.equal(sample(m, 'letterbox_lmtp_deliveries_total{result="delivered"}'), 1);
      assert.equal(sample(m, 'letterbox_lmtp_deliveries_total{result="unknown_user"}'), 1);
      assert.ok(sample(m, 'letterbox_store_commit_duration_seconds_count') > sample(before, 'letterbox_store_commit_duration_seconds_count'), 'commits counted');
      assert.ok(sample(m, 'letterbox_store_writes_per_commit_sum') >= sample(m, 'letterbox_store_writes_per_commit_count'));
      assert.equal(sample(m, 'letterbox_auth_penalty_addresses'), 1);
      assert.ok(sample(m, 'process_resident_memory_bytes') > 0);
      for (const x of [c, bad]) x.close();
      l.close();
      p.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      p.kill('SIGKILL');
    }
  });

  it('/health is 503 naming the check while starting and when the store cannot answer', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lb-admin-'));
    const config = await loadConfig({ overrides: { dataDir: dir, admin: { host: '127.0.0.1', port: await freePort() } } });
    const state: AdminState = { phase: 'starting', store: null, imap: null, pop3: null, managesieve: null, lmtp: null };
    const admin = await startAdmin({ ...config, imap: { ...config.imap, port: 0, tlsPort: 0 }, pop3: { ...config.pop3, port: 0, tlsPort: 0 }, managesieve: { ...config.managesieve, port: 0 }, lmtp: { ...config.lmtp, port: 0, socket: null } }, pino({ level: 'silent' }), state, new SessionRegistry());
    try {
      const port = admin.server.address.port;
      let h = await get(port, '/health');
      assert.equal(h.status, 503);
      assert.deepEqual(JSON.parse(h.body), { status: 'unavailable', checks: { server: 'starting', store: 'not open' } });
      state.store = await openStore(config);
      state.phase = 'ready';
      assert.equal((await get(port, '/health')).status, 200);
      await state.store.close();
      h = await get(port, '/health');
      assert.equal(h.status, 503);
      assert.match((JSON.parse(h.body) as { checks: { store: string } }).checks.store, /^SQLite: /);
    } finally {
      await admin.server.close();
    }
  });
});
