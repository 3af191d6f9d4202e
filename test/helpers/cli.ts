/**
 * runCli runs `letterbox` (bin/letterbox.js) as a child process, as an operator would, and collects
 * its exit code and output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** Absolute path of the CLI entry point. */
export const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'letterbox.js');

/** runCli resolves with the exit code, stdout and stderr; `input` is written to stdin (then closed). */
export function runCli(args: string[], input = '', env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(input);
  });
}

/** freePort returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** ServeProcess is a running `letterbox serve` child process. */
export interface ServeProcess {
  process: ChildProcess;
  /** Everything it wrote to stdout so far (JSON log lines). */
  output(): string;
  /** Sends `signal` and resolves with the exit code (or the signal name) once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** spawnServe starts `letterbox serve ARGS` and resolves once it has logged the whole "Letterbox ready" line; rejects if it exits first. */
export async function spawnServe(args: string[]): Promise<ServeProcess> {
  const p = spawn(process.execPath, [BIN, 'serve', ...args], { env: { ...process.env, LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '' } });
  let out = '';
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => p.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  await new Promise<void>((resolve, reject) => {
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // The whole line: a chunk may end in the middle of it.
      if (/Letterbox ready[^\n]*\n/.test(out)) resolve();
    });
    void exited.then((code) => reject(new Error(`letterbox serve exited (${code}) before it was ready: ${out} ${err}`)));
  });
  return {
    process: p,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (p.exitCode === null && p.signalCode === null) p.kill(signal);
      return exited;
    },
  };
}
