/**
 * freePort hands out loopback TCP ports for the servers a test starts (Letterbox, Dovecot, Postfix,
 * PostgreSQL) that neither another test process nor the kernel can take before the server listens.
 *
 * Asking the kernel for a free port (listen on 0, close, pass the number on) races twice: the kernel gives
 * the same port to the next outgoing connection of any process, and `node --test` runs test files in
 * parallel, each opening thousands of connections. So on Linux the ports come from just below the kernel's
 * ephemeral range (net.ipv4.ip_local_port_range), which outgoing connections never use, and each port is
 * claimed by creating a file named after it in a directory under the temp directory (O_EXCL), which keeps
 * parallel test processes apart. A process removes its claims when it exits; a claim left by a killed
 * process expires after STALE_MS.
 */
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** How many ports below the ephemeral range are used. */
const SPAN = 10_000;
/** A claim file older than this (milliseconds) belongs to a process that was killed, not to a running test. */
const STALE_MS = 30 * 60_000;
const CLAIMS = path.join(os.tmpdir(), 'letterbox-test-ports');
const held: string[] = [];

/**
 * freePort returns a TCP port that was free on 127.0.0.1 a moment ago and that no other caller of
 * freePort on this machine gets until this process exits. Where the ephemeral range is unknown (not
 * Linux), it falls back to a port the kernel picks, with the race described above.
 */
export async function freePort(): Promise<number> {
  const range = ephemeralStart();
  if (range === null) return kernelPort();
  const low = Math.max(1024, range - SPAN);
  const count = range - low;
  const start = Math.floor(Math.random() * count);
  for (let i = 0; i < count; i++) {
    const port = low + ((start + i) % count);
    if (!claim(port)) continue;
    if (await bindable(port)) return port;
  }
  throw new Error(`freePort: no free port in ${low}-${range - 1} (claims in ${CLAIMS})`);
}

/** ephemeralStart reads the first port of the kernel's ephemeral range, or null when it cannot. */
function ephemeralStart(): number | null {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 1024 + 1000 ? first : null;
  } catch {
    return null;
  }
}

/** claim creates the claim file for `port`; false when another live process holds it. */
function claim(port: number): boolean {
  const file = path.join(CLAIMS, String(port));
  mkdirSync(CLAIMS, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(file, 'wx'));
      if (held.push(file) === 1) process.once('exit', release);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(file).mtimeMs < STALE_MS) return false;
        unlinkSync(file);
      } catch {
        // Removed or replaced meanwhile by another process: try once more.
      }
    }
  }
  return false;
}

/** release removes this process's claim files (at exit, so synchronously). */
function release(): void {
  for (const file of held) {
    try {
      unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

/** bindable tells whether a listener can bind `port` on 127.0.0.1 now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** kernelPort returns a port the kernel picked for a listener that is then closed. */
async function kernelPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
