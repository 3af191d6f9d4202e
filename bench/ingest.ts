/**
 * Benchmark 4, ingest: messages/s and MB/s (10^6 octets/s) of
 * - import: the same Maildir of N corpus messages, by `letterbox import` and by `doveadm import`;
 * - LMTP delivery (RFC 2033) over K concurrent connections, one recipient per transaction, by a raw-socket
 *   LMTP client; n/a for a server without an LMTP listener (Letterbox before `serve --lmtp-port`;
 *   Dovecot without Debian's dovecot-lmtpd);
 * - for reference, Dovecot's LDA (`dovecot-lda -d user`, one process per message, K at a time).
 *
 * Usage: node --import tsx bench/ingest.ts [--messages 5000] [--lmtp-messages 5000] [--connections 4]
 *        [--workers N]  (Letterbox's serve.workers; default: its own default, one per core but one, at least one)
 *        [--servers letterbox,dovecot]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { messages } from './lib/corpus.js';
import { flags, now, numFlag, printReport, serversFlag, type Figure } from './lib/report.js';
import { letterboxCli, PASSWORD, startDovecotBench, startLetterbox, writeMaildir, type Server } from './lib/servers.js';

const USER = 'ingest@bench.test';
const LDA = '/usr/lib/dovecot/dovecot-lda';

/** Rate is a throughput: messages and octets over seconds. */
interface Rate {
  messages: number;
  octets: number;
  seconds: number;
}

/** LmtpClient speaks just enough LMTP to deliver: replies are read line by line, a multi-line reply ends at "NNN ". */
class LmtpClient {
  private buf = '';
  private waiting: ((line: string) => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      this.pump();
    });
  }

  private pump(): void {
    for (;;) {
      if (!this.waiting) return;
      const eol = this.buf.indexOf('\r\n');
      if (eol < 0) return;
      const line = this.buf.slice(0, eol);
      this.buf = this.buf.slice(eol + 2);
      if (/^\d{3}-/.test(line)) continue;
      const w = this.waiting;
      this.waiting = null;
      w(line);
    }
  }

  private reply(): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.pump();
    });
  }

  private async expect(code: string, send?: string | Buffer): Promise<void> {
    if (send !== undefined) this.socket.write(send);
    const line = await this.reply();
    if (!line.startsWith(code)) throw new Error(`LMTP: expected ${code}, got ${line}`);
  }

  static async connect(port: number): Promise<LmtpClient> {
    const socket = net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new LmtpClient(socket);
    await c.expect('220');
    await c.expect('250', 'LHLO bench.test\r\n');
    return c;
  }

  /** deliver sends one message (CRLF bytes) to one recipient; throws unless it is accepted (250). */
  async deliver(to: string, raw: Buffer): Promise<void> {
    await this.expect('250', 'MAIL FROM:<sender@bench.test>\r\n');
    await this.expect('250', `RCPT TO:<${to}>\r\n`);
    await this.expect('354', 'DATA\r\n');
    // Dot-stuffing (RFC 5321 section 4.5.2): a line starting with "." gets another.
    const body = Buffer.from(raw.toString('latin1').replace(/(^|\r\n)\./g, '$1..'), 'latin1');
    const end = body.subarray(body.length - 2).toString() === '\r\n' ? '.\r\n' : '\r\n.\r\n';
    this.socket.write(body);
    await this.expect('250', end);
  }

  async quit(): Promise<void> {
    this.socket.end('QUIT\r\n');
  }
}

async function lmtpRate(port: number, mail: Buffer[], connections: number): Promise<Rate> {
  let next = 0;
  const t = now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = await LmtpClient.connect(port);
      while (next < mail.length) await c.deliver(USER, mail[next++]!);
      await c.quit();
    }),
  );
  return { messages: mail.length, octets: mail.reduce((a, m) => a + m.length, 0), seconds: (now() - t) / 1000 };
}

async function ldaRate(configPath: string, mail: Buffer[], parallel: number): Promise<Rate> {
  let next = 0;
  const t = now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < mail.length) {
        const m = mail[next++]!;
        await new Promise<void>((resolve, reject) => {
          const p = spawn(LDA, ['-c', configPath, '-d', USER], { stdio: ['pipe', 'ignore', 'pipe'] });
          let err = '';
          p.stderr.on('data', (d: Buffer) => (err += d.toString()));
          p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`dovecot-lda exited ${code}: ${err}`))));
          p.stdin.end(m);
        });
      }
    }),
  );
  return { messages: mail.length, octets: mail.reduce((a, m) => a + m.length, 0), seconds: (now() - t) / 1000 };
}

async function main(): Promise<void> {
  const f = flags();
  const n = numFlag(f, 'messages', 5000);
  const nLmtp = numFlag(f, 'lmtp-messages', 5000);
  const conns = numFlag(f, 'connections', 4);
  const workers = f.has('workers') ? numFlag(f, 'workers', 1) : undefined;
  const which = serversFlag(f, ['letterbox', 'dovecot']);
  const work = await mkdtemp(path.join(os.tmpdir(), 'bench-ingest-'));
  const rates = new Map<string, Record<string, Rate | null>>();
  const notes: string[] = [];
  const srcMail = messages(n);
  const lmtpMail = messages(nLmtp);
  try {
    const src = path.join(work, 'Maildir');
    // Readable by Dovecot's mail user when we run as root.
    await writeMaildir(src, srcMail, process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined);
    spawnSync('chmod', ['-R', 'a+rX', work]);
    for (const name of which) {
      const r: Record<string, Rate | null> = { import: null, lmtp: null, lda: null };
      if (name === 'letterbox') {
        const dataDir = path.join(work, 'letterbox');
        letterboxCli(['user', 'add', '--data-dir', dataDir, USER, '--password-stdin'], PASSWORD + '\n');
        const t = now();
        letterboxCli(['import', '--data-dir', dataDir, USER, src]);
        r.import = { messages: n, octets: srcMail.reduce((a, m) => a + m.length, 0), seconds: (now() - t) / 1000 };
        const server: Server = await startLetterbox({ dataDir, lmtp: true, ...(workers === undefined ? {} : { workers }) });
        try {
          if (server.lmtpPort !== null) r.lmtp = await lmtpRate(server.lmtpPort, lmtpMail, conns);
          else notes.push('letterbox: this build has no LMTP listener (serve --lmtp-port): LMTP n/a');
        } finally {
          await server.stop();
        }
      } else {
        const server = await startDovecotBench({ users: [USER], connections: 50, lmtp: true });
        try {
          const t = now();
          const res = spawnSync('doveadm', ['-c', server.dovecot.configPath, 'import', '-u', USER, `maildir:${src}`, '', 'all'], { encoding: 'utf8' });
          if (res.status !== 0) throw new Error(`doveadm import failed: ${res.stderr}`);
          r.import = { messages: n, octets: srcMail.reduce((a, m) => a + m.length, 0), seconds: (now() - t) / 1000 };
          const st = spawnSync('doveadm', ['-c', server.dovecot.configPath, 'mailbox', 'status', '-u', USER, 'messages', 'INBOX'], { encoding: 'utf8' });
          if (!st.stdout.includes(`messages=${n}`)) throw new Error(`doveadm import left INBOX with ${st.stdout.trim()} ${st.stderr}, expected ${n}`);
          if (server.lmtpPort !== null) r.lmtp = await lmtpRate(server.lmtpPort, lmtpMail, conns);
          else notes.push('dovecot: dovecot-lmtpd is not installed (/usr/lib/dovecot/lmtp): LMTP n/a');
          if (existsSync(LDA)) r.lda = await ldaRate(server.dovecot.configPath, lmtpMail.slice(0, Math.min(nLmtp, 1000)), conns);
        } finally {
          await server.stop();
        }
      }
      rates.set(name, r);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const vals = (kind: string, get: (r: Rate) => number) =>
    Object.fromEntries(which.map((w) => {
      const r = rates.get(w)?.[kind] ?? null;
      return [w, r ? get(r) : null];
    }));
  const figures: Figure[] = [
    { name: 'import', unit: 'msg/s', better: 'higher', values: vals('import', (r) => r.messages / r.seconds) },
    { name: 'import', unit: 'MB/s', better: 'higher', values: vals('import', (r) => r.octets / 1e6 / r.seconds) },
    { name: `LMTP delivery (${conns} connections)`, unit: 'msg/s', better: 'higher', values: vals('lmtp', (r) => r.messages / r.seconds), target: '>= 1x' },
    { name: `LMTP delivery (${conns} connections)`, unit: 'MB/s', better: 'higher', values: vals('lmtp', (r) => r.octets / 1e6 / r.seconds) },
    { name: `dovecot-lda, ${conns} processes at a time (reference)`, unit: 'msg/s', better: 'higher', values: vals('lda', (r) => r.messages / r.seconds) },
  ];
  printReport('ingest', { messages: n, lmtpMessages: nLmtp, connections: conns, workers: workers ?? 'default' }, figures, notes);
}

await main();
