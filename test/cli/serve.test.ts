/**
 * `letterbox serve` as a process: the ready line, shutdown on SIGTERM, and the messages for ports it
 * cannot use. (IMAP behaviour is tested in test/imap, POP3 in test/pop3.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { describeListenError } from '../../src/cli/serve-setup.js';
import { loadConfig } from '../../src/config/load.js';
import { bin, runCli, spawnServe } from '../support/cli.js';
import { freePort } from '../support/ports.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };

describe('letterbox serve', () => {
  it('logs one ready line naming each address, and exits 0 on SIGTERM', async () => {
    const data = await mkdtemp(path.join(os.tmpdir(), 'lb-serve-'));
    const [imap, imaps, pop3, pop3s, sieve, lmtp] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const ports = ['--imap-port', String(imap), '--imaps-port', String(imaps), '--pop3-port', String(pop3), '--pop3s-port', String(pop3s), '--managesieve-port', String(sieve), '--lmtp-port', String(lmtp)];
    const p = spawn(process.execPath, [bin(), 'serve', '--data-dir', data, '--host', '127.0.0.1', ...ports], {
      env: { ...process.env, ...NO_ENV },
    });
    let out = '';
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in time; stdout: ${out} stderr: ${err}`)), 20_000);
      p.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        for (const line of out.split('\n').slice(0, -1)) {
          if (line.includes('Letterbox ready')) {
            clearTimeout(timer);
            resolve(JSON.parse(line) as Record<string, unknown>);
          }
        }
      });
    });
    assert.equal(
      ready.msg,
      `Letterbox ready: imap on 127.0.0.1:${imap} (STARTTLS), imaps on 127.0.0.1:${imaps} (TLS), pop3 on 127.0.0.1:${pop3} (STLS), pop3s on 127.0.0.1:${pop3s} (TLS), managesieve on 127.0.0.1:${sieve} (STARTTLS), ` +
        `lmtp on 127.0.0.1:${lmtp}, lmtp on ${data}/lmtp.sock, data in ${data}`,
    );
    assert.match(out, /generated a self-signed TLS certificate/);
    assert.equal(out.split('\n').filter((l) => l.includes('ready')).length, 1);

    const greeting = await new Promise<string>((resolve, reject) => {
      const s = net.connect(imap, '127.0.0.1');
      s.once('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
      s.once('error', reject);
    });
    assert.match(greeting, /^\* OK /);
    const pop3Greeting = await new Promise<string>((resolve, reject) => {
      const s = net.connect(pop3, '127.0.0.1');
      s.once('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
      s.once('error', reject);
    });
    assert.equal(pop3Greeting, '+OK Letterbox ready.\r\n');
    const lmtpGreeting = await new Promise<string>((resolve, reject) => {
      const s = net.connect(path.join(data, 'lmtp.sock'));
      s.once('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
      s.once('error', reject);
    });
    assert.match(lmtpGreeting, /^220 \S+ LMTP Letterbox LMTP ready\r\n$/);

    const code = await new Promise<number | null>((resolve) => {
      p.once('exit', (c) => resolve(c));
      p.kill('SIGTERM');
    });
    assert.equal(code, 0, err);
    assert.equal(err, '');
    await assert.rejects(access(path.join(data, 'lmtp.sock')), /ENOENT/, 'the socket file is removed at shutdown');
  });

  it('says a port is in use and how to pick another', async () => {
    const data = await mkdtemp(path.join(os.tmpdir(), 'lb-serve-'));
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const r = await runCli(['serve', '--data-dir', data, '--host', '127.0.0.1', '--imap-port', '0', '--imaps-port', String(port), '--pop3-port', '0', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', '0', '--lmtp-socket', 'none'], '', NO_ENV);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `letterbox: cannot listen on port ${port}: 127.0.0.1:${port} is already in use (is another IMAP server running?); stop it, or pick another port with --imaps-port ${port + 1} / imap.tls_port in the config\n`,
      );
      const pop = await runCli(['serve', '--data-dir', data, '--host', '127.0.0.1', '--imap-port', '0', '--imaps-port', '0', '--pop3-port', String(port), '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', '0', '--lmtp-socket', 'none'], '', NO_ENV);
      assert.equal(pop.code, 1);
      assert.equal(
        pop.stderr,
        `letterbox: cannot listen on port ${port}: 127.0.0.1:${port} is already in use (is another POP3 server running?); stop it, or pick another port with --pop3-port ${port + 1} / pop3.port in the config\n`,
      );
    } finally {
      busy.close();
    }
  });

  it('refuses to start with every listener off', async () => {
    const data = await mkdtemp(path.join(os.tmpdir(), 'lb-serve-'));
    const r = await runCli(['serve', '--data-dir', data, '--imap-port', '0', '--imaps-port', '0', '--pop3-port', '0', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', '0', '--lmtp-socket', 'none'], '', NO_ENV);
    assert.equal(r.code, 78);
    assert.equal(r.stderr, 'letterbox: nothing to serve: the IMAP, IMAPS, POP3, POP3S, ManageSieve and LMTP ports are 0 and the LMTP socket is "none" (off)\n');
  });

  it('refuses two listeners on one port', async () => {
    const data = await mkdtemp(path.join(os.tmpdir(), 'lb-serve-'));
    const r = await runCli(['serve', '--data-dir', data, '--imap-port', '1143', '--imaps-port', '0', '--pop3-port', '1143', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', '0', '--lmtp-socket', 'none'], '', NO_ENV);
    assert.equal(r.code, 78);
    assert.equal(r.stderr, 'letterbox: the IMAP port and the POP3 port are both 1143: choose different ports\n');
  });

  it('serves LMTP alone, without TLS material, when the IMAP and POP3 ports are 0', async () => {
    const data = await mkdtemp(path.join(os.tmpdir(), 'lb-serve-'));
    const lmtp = await freePort();
    const server = await spawnServe(['--data-dir', data, '--imap-port', '0', '--imaps-port', '0', '--pop3-port', '0', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', String(lmtp), '--lmtp-socket', 'none']);
    try {
      const ready = server.output().split('\n').find((l) => l.includes('Letterbox ready'))!;
      assert.equal((JSON.parse(ready) as { msg: string }).msg, `Letterbox ready: lmtp on 127.0.0.1:${lmtp}, data in ${data}`);
      await assert.rejects(access(path.join(data, 'tls')), /ENOENT/);
      await assert.rejects(access(path.join(data, 'lmtp.sock')), /ENOENT/);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('says the LMTP port is in use, and that the LMTP socket path is not a socket', async () => {
    const data = await mkdtemp(path.join(os.tmpdir(), 'lb-serve-'));
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const r = await runCli(['serve', '--data-dir', data, '--imap-port', '0', '--imaps-port', '0', '--pop3-port', '0', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', String(port), '--lmtp-socket', 'none'], '', NO_ENV);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `letterbox: cannot listen for LMTP on port ${port}: 127.0.0.1:${port} is already in use (is another LMTP server, e.g. Dovecot, running?); stop it, or pick another port with --lmtp-port ${port + 1} / lmtp.port in the config (0 turns TCP LMTP off)\n`,
      );
    } finally {
      busy.close();
    }
    const file = path.join(data, 'not-a-socket');
    await writeFile(file, 'x');
    const r = await runCli(['serve', '--data-dir', data, '--imap-port', '0', '--imaps-port', '0', '--pop3-port', '0', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', '0', '--lmtp-socket', file], '', NO_ENV);
    assert.equal(r.code, 78);
    assert.equal(
      r.stderr,
      `letterbox: cannot listen on the LMTP socket ${file}: the path exists and is not a socket; remove it, or pick another path with --lmtp-socket / lmtp.socket in the config ("none" turns the socket off)\n`,
    );
  });

  it('explains EACCES on a privileged port', async () => {
    const config = await loadConfig({});
    const err = Object.assign(new Error('listen EACCES'), { code: 'EACCES', port: 143 });
    assert.equal(
      (describeListenError(err, config) as Error).message,
      'cannot listen on port 143: ports below 1024 need root; run as root, or pick another port with --imap-port 1143 / imap.port in the config',
    );
    const err993 = Object.assign(new Error('listen EACCES'), { code: 'EACCES', port: 993 });
    assert.match((describeListenError(err993, config) as Error).message, /port 993: .*--imaps-port 1993 \/ imap\.tls_port/);
    const err995 = Object.assign(new Error('listen EACCES'), { code: 'EACCES', port: 995 });
    assert.equal(
      (describeListenError(err995, config) as Error).message,
      'cannot listen on port 995: ports below 1024 need root; run as root, or pick another port with --pop3s-port 1995 / pop3.tls_port in the config',
    );
    const other = new Error('boom');
    assert.equal(describeListenError(other, config), other);
  });
});

describe('letterbox serve: operator mistakes get a clear line and the exit status of their class', () => {
  const OFF = ['--imap-port', '0', '--imaps-port', '0', '--pop3-port', '0', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-socket', 'none'];

  it('refuses a data directory that does not exist (flag, environment or config file) and creates nothing', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'lb-datadir-'));
    const typo = path.join(base, 'dtaa');
    const port = String(await freePort());
    let r = await runCli(['serve', '--data-dir', typo, '--lmtp-port', port, ...OFF], '', NO_ENV);
    assert.equal(r.code, 78);
    assert.equal(r.stderr, `letterbox: data directory ${typo} (--data-dir) does not exist: create it (mkdir -m 700 ${typo}), or correct the path\n`);
    r = await runCli(['serve', '--lmtp-port', port, ...OFF], '', { ...NO_ENV, LETTERBOX_DATA_DIR: typo });
    assert.match(r.stderr, /\(LETTERBOX_DATA_DIR\) does not exist/);
    const file = path.join(base, 'letterbox.yaml');
    await writeFile(file, 'data_dir: ./dtaa\n');
    r = await runCli(['serve', '-c', file, '--lmtp-port', port, ...OFF], '', NO_ENV);
    assert.equal(r.code, 78);
    assert.equal(r.stderr, `letterbox: data directory ${typo} (data_dir in ${file}) does not exist: create it (mkdir -m 700 ${typo}), or correct the path\n`);
    await assert.rejects(access(typo), /ENOENT/, 'nothing was created');
  });

  it('creates the default ./data of the quick start (mode 0700) when it is missing', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'lb-cwd-'));
    const server = await spawnServe(['--lmtp-port', String(await freePort()), ...OFF], { cwd });
    try {
      assert.equal((await stat(path.join(cwd, 'data'))).mode & 0o777, 0o700);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('says when the data directory is a file, when the database is damaged, and when imap.host does not resolve', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'lb-mistake-'));
    const port = String(await freePort());
    const notDir = path.join(base, 'file');
    await writeFile(notDir, 'x');
    let r = await runCli(['serve', '--data-dir', notDir, '--lmtp-port', port, ...OFF], '', NO_ENV);
    assert.equal(r.code, 78);
    assert.equal(r.stderr, `letterbox: data directory ${notDir} (--data-dir) is a file, not a directory\n`);

    const damaged = path.join(base, 'damaged');
    await mkdir(damaged);
    await writeFile(path.join(damaged, 'letterbox.db'), 'this is not a SQLite database, but it is long enough to have a header of 100 octets...............'.repeat(50));
    r = await runCli(['serve', '--data-dir', damaged, '--lmtp-port', port, ...OFF], '', NO_ENV);
    assert.equal(r.code, 65);
    assert.match(r.stderr, new RegExp(`^letterbox: the database ${path.join(damaged, 'letterbox.db')} is damaged or is not a SQLite database \\(file is not a database\\); restore it from a backup\\n$`));
    r = await runCli(['user', 'list', '--data-dir', damaged], '', NO_ENV);
    assert.equal(r.code, 65, 'every command says so alike');

    r = await runCli(['serve', '--data-dir', base, '--host', 'no-such-host.invalid', '--imap-port', String(await freePort()), '--imaps-port', '0', '--pop3-port', '0', '--pop3s-port', '0', '--managesieve-port', '0', '--lmtp-port', '0', '--lmtp-socket', 'none'], '', NO_ENV);
    assert.equal(r.code, 78);
    assert.equal(r.stderr, 'letterbox: cannot listen on no-such-host.invalid (imap.host / --host): no such host name or address on this machine\n');
  });

  it('says when the data directory or the database may not be written by the user letterbox runs as', { skip: process.getuid?.() !== 0 && 'needs root to run letterbox as another user' }, async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'lb-perm-'));
    await chmod(base, 0o755);
    const data = path.join(base, 'data');
    await mkdir(data, { mode: 0o700 });
    const port = String(await freePort());
    const asNobody = { uid: 65534, gid: 65534 };
    let r = await runCli(['serve', '--data-dir', data, '--lmtp-port', port, ...OFF], '', NO_ENV, asNobody);
    assert.equal(r.code, 78);
    assert.equal(r.stderr, `letterbox: data directory ${data} (--data-dir): no permission to write it as nobody; run letterbox as the directory's owner, or chown it\n`);
    // A directory nobody may write, holding a database nobody may write.
    assert.equal((await runCli(['user', 'list', '--data-dir', data], '', NO_ENV)).code, 0);
    await chmod(data, 0o777);
    await chmod(path.join(data, 'letterbox.db'), 0o600);
    r = await runCli(['serve', '--data-dir', data, '--lmtp-port', port, ...OFF], '', NO_ENV, asNobody);
    assert.equal(r.code, 78);
    assert.match(r.stderr, new RegExp(`^letterbox: cannot open the database ${path.join(data, 'letterbox.db')} for writing as uid 65534: .*; run letterbox as the owner of the data directory\\n$`));
  });
});
