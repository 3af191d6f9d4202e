/**
 * runCli runs `letterbox` (bin/letterbox.js) as a child process, as an operator would, and collects
 * its exit code and output.
 */
import { spawn } from 'node:child_process';
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
