/**
 * `log.format: text` and `log.file` of a real `letterbox serve`: lines a person reads, in a file that
 * SIGUSR1 reopens after logrotate moved it (nothing on stdout then); an unusable log file stops serve
 * with exit 78 naming it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { bin, runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };

async function fileContains(file: string, text: string, ms = 20_000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const content = await readFile(file, 'utf8').catch(() => '');
    if (content.includes(text)) return content;
    if (Date.now() > until) throw new Error(`${file} never contained ${JSON.stringify(text)}: ${content.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('log.format and log.file', { timeout: 60_000 }, () => {
  it('writes text lines to the file, and SIGUSR1 reopens it after logrotate moved it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lb-logs-'));
    const log = path.join(dir, 'letterbox.log');
    const port = await freePort();
    const config = path.join(dir, 'letterbox.yaml');
    await writeFile(config, `data_dir: ${dir}\nimap: { host: 127.0.0.1, port: ${port}, tls_port: 0 }\npop3: { port: 0, tls_port: 0 }\nmanagesieve: { port: 0 }\nlmtp: { port: 0, socket: none }\nlog: { format: text, file: ./letterbox.log }\n`);
    const p = spawn(process.execPath, [bin(), 'serve', '-c', config], { env: { ...process.env, ...NO_ENV } });
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
    try {
      const first = await fileContains(log, 'Letterbox ready');
      const ready = first.split('\n').find((l) => l.includes('Letterbox ready'))!;
      assert.match(ready, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4}\] INFO: Letterbox ready: imap on 127\.0\.0\.1:\d+ \(STARTTLS\), data in /);
      await rename(log, `${log}.1`);
      p.kill('SIGUSR1');
      await fileContains(log, 'log file reopened');
      await new Promise<void>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.once('data', () => {
            s.destroy();
            resolve();
          });
        });
        s.once('error', reject);
      });
      const second = await fileContains(log, 'disconnect');
      // With several worker processes (serve.workers), each line also says which one served it.
      assert.match(second, /INFO: connect \{("worker":\d+,)?"session":"[A-Za-z0-9_-]{8}","remote":"127\.0\.0\.1"/);
      assert.equal((await readFile(`${log}.1`, 'utf8')).includes('INFO: connect'), false, 'the old file got nothing more');
      p.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.equal(stdout, '', 'nothing on stdout');
      assert.match(await readFile(log, 'utf8'), /INFO: stopped/);
    } finally {
      p.kill('SIGKILL');
    }
  });

  it('stops with exit 78 naming log.file when the file cannot be opened', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lb-logs-'));
    const config = path.join(dir, 'letterbox.yaml');
    await writeFile(config, `data_dir: ${dir}\nimap: { host: 127.0.0.1, port: ${await freePort()}, tls_port: 0 }\npop3: { port: 0, tls_port: 0 }\nmanagesieve: { port: 0 }\nlmtp: { port: 0, socket: none }\nlog: { file: ./no/such/dir/letterbox.log }\n`);
    const r = await runCli(['serve', '-c', config], '', NO_ENV);
    assert.equal(r.code, 78);
    assert.equal(r.stderr, `letterbox: cannot open the log file ${path.join(dir, 'no/such/dir/letterbox.log')} (log.file): its directory does not exist\n`);
  });
});
