/**
 * runCli runs `letterbox` (bin/letterbox.js) as a child process, as an operator would, and collects
 * its exit code and output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN_PATH = path.join(ROOT, 'bin', 'letterbox.js');
let built = false;

/**
 * bin returns the absolute path of the CLI entry point, bin/letterbox.js, which runs the compiled dist/.
 * It throws when dist/ is missing or older than a file of src/ (`npm test` builds first; a test file run
 * alone after an edit needs `npm run build`), so no test drives yesterday's code.
 */
export function bin(): string {
  if (built) return BIN_PATH;
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) {
        const out = path.join(ROOT, 'dist', path.relative('src', rel).replace(/\.ts$/, '.js'));
        let outTime = 0;
        try {
          outTime = statSync(out).mtimeMs;
        } catch {
          // missing: stale
        }
        if (outTime < statSync(path.join(ROOT, rel)).mtimeMs) stale.push(rel);
      }
    }
  };
  walk('src');
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ` and ${stale.length - 3} more` : ''}: run "npm run build" (npm test builds first)`);
  built = true;
  return BIN_PATH;
}

/** runCli resolves with the exit code, stdout and stderr; `input` is written to stdin (then closed); `as` runs it as another user (root only). */
export function runCli(args: string[], input = '', env: NodeJS.ProcessEnv = {}, as: { uid?: number; gid?: number; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin(), ...args], { env: { ...process.env, ...env }, ...as });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(input);
  });
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
export async function spawnServe(args: string[], opts: { cwd?: string } = {}): Promise<ServeProcess> {
  const p = spawn(process.execPath, [bin(), 'serve', ...args], { env: { ...process.env, LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '' }, ...opts });
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
