/**
 * Dovecot's imaptest (../shared/tools/imaptest: the IMAP field's conformance and stress tool) for the
 * tests: builds it once with the shared build.sh (cached in ~/.cache/imaptest), runs it against a server,
 * and reads its verdict: the scripted suite's summary and `*** Test` failure blocks, and the state checker's
 * `Error:`/`Warning:`/`Panic:`/`Fatal:` lines. Also an mbox of real corpus mail for the stress runs, and
 * a round-robin TCP balancer that spreads imaptest's connections over several nodes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** SHARED is the folder beside the repository that holds the corpus and the imaptest sources. */
const SHARED = path.resolve(import.meta.dirname, '..', '..', '..', 'shared');
const BUILD = path.join(SHARED, 'tools', 'imaptest', 'build.sh');

let built: { path: string } | { error: string } | null = null;

/**
 * imaptest returns the path of the imaptest wrapper, building it on first use (about a minute; build.sh
 * installs dovecot-dev and build tools with apt when missing), or an error saying why it cannot be had.
 */
export function imaptest(): { path: string } | { error: string } {
  if (built) return built;
  if (!existsSync(BUILD)) return (built = { error: `${BUILD} is missing (the shared folder beside the repository)` });
  const r = spawnSync('bash', [BUILD], { encoding: 'utf8', timeout: 600_000 });
  const out = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !existsSync(out)) {
    built = { error: `imaptest could not be built (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-5).join(' / ')}` };
  } else built = { path: out };
  return built;
}

/** testsDir is imaptest's scripted suite (src/tests beside the built binary: 71 groups). */
export function testsDir(binary: string): string {
  return path.join(path.dirname(binary), 'imaptest-src', 'src', 'tests');
}

/** ImaptestRun is one finished run: its exit code and everything it printed (stdout and stderr interleaved). */
export interface ImaptestRun {
  code: number | null;
  output: string;
}

/** runImaptest runs imaptest with `args` (key=value) in `cwd`; rejects when it outlives `timeoutMs`. */
export function runImaptest(binary: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<ImaptestRun> {
  return new Promise((resolve, reject) => {
    const p = spawn(binary, args, { cwd: opts.cwd });
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString('latin1')));
    p.stderr.on('data', (d: Buffer) => (output += d.toString('latin1')));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`imaptest ${args.join(' ')} did not finish in ${opts.timeoutMs} ms; output so far:\n${output.slice(-4000)}`));
    }, opts.timeoutMs ?? 300_000);
    p.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** ScriptedVerdict is the scripted suite's summary: groups failed and skipped, commands failed of run. */
export interface ScriptedVerdict {
  groups: number;
  failedGroups: number;
  skippedGroups: number;
  base: { failed: number; total: number };
  extensions: { failed: number; total: number };
}

/** scriptedVerdict reads the last three lines of a scripted run, or null when they are missing (a crash, a hang). */
export function scriptedVerdict(output: string): ScriptedVerdict | null {
  const g = /(\d+) test groups: (\d+) failed, (\d+) skipped due to missing capabilities/.exec(output);
  const b = /base protocol: (\d+)\/(\d+) individual commands failed/.exec(output);
  const e = /extensions: (\d+)\/(\d+) individual commands failed/.exec(output);
  if (!g || !b || !e) return null;
  return {
    groups: Number(g[1]),
    failedGroups: Number(g[2]),
    skippedGroups: Number(g[3]),
    base: { failed: Number(b[1]), total: Number(b[2]) },
    extensions: { failed: Number(e[1]), total: Number(e[2]) },
  };
}

/** failureBlocks returns each `*** Test ...` block of a scripted run (the test, the command, expected and received). */
export function failureBlocks(output: string): string[] {
  return output
    .split(/\n(?=\*\*\* Test )/)
    .filter((b) => b.startsWith('*** Test '))
    .map((b) => b.split(/\n\n/)[0]!);
}

/** checkerLines returns the lines in which imaptest's state checker reports a protocol or consistency violation. */
export function checkerLines(output: string): string[] {
  return output.split('\n').filter((l) => /^(Error|Warning|Panic|Fatal): /.test(l));
}

/**
 * corpusMbox writes the first `n` messages of ../shared/corpus/real into an mbox at `file` (for imaptest's
 * mbox= APPENDs): a `From ` line before each, body lines that start with "From " quoted as ">From ".
 */
export function corpusMbox(file: string, n: number): void {
  const dir = path.join(SHARED, 'corpus', 'real');
  const names = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().slice(0, n);
  const parts: string[] = [];
  for (const name of names) {
    const text = readFileSync(path.join(dir, name), 'latin1').replace(/\r\n/g, '\n');
    parts.push('From sender@example.com Thu Jan  1 00:00:00 2026\n');
    parts.push(text.replace(/^From /gm, '>From '));
    parts.push(text.endsWith('\n') ? '\n' : '\n\n');
  }
  writeFileSync(file, parts.join(''), 'latin1');
}

/** Balancer is a round-robin TCP proxy on 127.0.0.1: each new connection goes to the next of `ports`. */
export interface Balancer {
  port: number;
  close(): Promise<void>;
}

/**
 * balancer spreads connections over the nodes listening on `ports` (127.0.0.1), one after the other, as a
 * layer-4 load balancer in front of several Letterbox nodes does (README, Scale out).
 */
export async function balancer(ports: readonly number[]): Promise<Balancer> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(ports[next++ % ports.length]!, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
