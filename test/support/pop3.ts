/**
 * Pop3Client speaks POP3 as bytes over TCP or TLS, for transcript tests: send exact lines, read exact
 * replies, read a multi-line response as lines or as the exact octets sent (byte-stuffing and all).
 */
import net from 'node:net';
import tls from 'node:tls';

export class Pop3Client {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private ended = false;
  greeting = '';

  private constructor(public socket: net.Socket) {
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    const end = (): void => {
      this.ended = true;
      this.notify();
    };
    socket.on('close', end);
    socket.on('error', end);
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** connect opens a connection (TLS when `tlsCa` is given) and reads the greeting. */
  static async connect(port: number, opts: { tlsCa?: string } = {}): Promise<Pop3Client> {
    const socket = opts.tlsCa ? tls.connect({ host: '127.0.0.1', port, ca: opts.tlsCa, servername: 'localhost' }) : net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tlsCa ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    const c = new Pop3Client(socket);
    c.greeting = await c.readLine();
    return c;
  }

  /** stls sends STLS and upgrades the connection once the server has said +OK; returns that reply. */
  async stls(ca: string): Promise<string> {
    const reply = await this.command('STLS');
    if (!reply.startsWith('+OK')) return reply;
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    const secure = tls.connect({ socket: this.socket, ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.buf = Buffer.alloc(0);
    this.attach(secure);
    return reply;
  }

  /** Sends raw data (no CRLF added). */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends a line, adding CRLF. */
  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  /** Waits until `done()` holds for the buffered input; rejects when the connection ends first, or after `ms`. */
  private async waitFor(done: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (this.ended) throw new Error(`connection closed; unread: ${JSON.stringify(this.buf.toString('latin1').slice(0, 500))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout; unread: ${JSON.stringify(this.buf.toString('latin1').slice(0, 500))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Reads one line, without its CRLF (UTF-8). */
  async readLine(ms = 10_000): Promise<string> {
    await this.waitFor(() => this.buf.indexOf('\r\n') >= 0, ms);
    const nl = this.buf.indexOf('\r\n');
    const line = this.buf.subarray(0, nl).toString('utf8');
    this.buf = this.buf.subarray(nl + 2);
    return line;
  }

  /** Sends `line` and returns the one-line reply. */
  async command(line: string, ms?: number): Promise<string> {
    this.send(line);
    return this.readLine(ms);
  }

  /** Sends `line` and returns the status line and the lines of a multi-line reply as sent (still byte-stuffed), without the final ".". A -ERR reply returns just its line. */
  async multiline(line: string, ms?: number): Promise<string[]> {
    this.send(line);
    const first = await this.readLine(ms);
    if (!first.startsWith('+OK')) return [first];
    const lines = [first];
    for (;;) {
      const l = await this.readLine(ms);
      if (l === '.') return lines;
      lines.push(l);
    }
  }

  /**
   * Sends `line` and returns the status line and the exact octets of the multi-line data that follows,
   * up to and including the terminating CRLF.CRLF (or the ".\r\n" right after the status line).
   */
  async multilineBytes(line: string, ms = 30_000): Promise<{ status: string; data: Buffer }> {
    this.send(line);
    const status = await this.readLine(ms);
    if (!status.startsWith('+OK')) return { status, data: Buffer.alloc(0) };
    const endOf = (): number => {
      if (this.buf.subarray(0, 3).toString('latin1') === '.\r\n') return 3;
      const i = this.buf.indexOf('\r\n.\r\n');
      return i < 0 ? -1 : i + 5;
    };
    await this.waitFor(() => endOf() >= 0, ms);
    const end = endOf();
    const data = this.buf.subarray(0, end);
    this.buf = this.buf.subarray(end);
    return { status, data: Buffer.from(data) };
  }

  /** True when the server has closed the connection (after reading what is buffered). */
  async closedByServer(ms = 5000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** unstuff turns the data of a multi-line response (as multilineBytes returns it) back into the message: the terminating line removed and a leading "." taken off each line (RFC 1939 section 3). */
export function unstuff(data: Buffer): Buffer {
  const body = data.length === 3 ? Buffer.alloc(0) : data.subarray(0, data.length - 3);
  const out: Buffer[] = [];
  let start = 0;
  while (start < body.length) {
    const nl = body.indexOf(0x0a, start);
    const end = nl < 0 ? body.length : nl + 1;
    out.push(body[start] === 0x2e ? body.subarray(start + 1, end) : body.subarray(start, end));
    start = end;
  }
  return Buffer.concat(out);
}

/** Pop3Mode: how a test reaches POP3: STLS on the cleartext port, or the implicit-TLS port. */
export type Pop3Mode = 'STLS' | 'TLS';

/** POP3_MODES: every test that talks POP3 runs over both. */
export const POP3_MODES: readonly Pop3Mode[] = ['STLS', 'TLS'];

/** openPop3 connects over `mode` (STLS: the cleartext port, then STLS) and returns the client, greeted and encrypted. */
export async function openPop3(srv: { pop3Port: number; pop3sPort: number; cert: string }, mode: Pop3Mode): Promise<Pop3Client> {
  if (mode === 'TLS') return Pop3Client.connect(srv.pop3sPort, { tlsCa: srv.cert });
  const c = await Pop3Client.connect(srv.pop3Port);
  const reply = await c.stls(srv.cert);
  if (reply !== '+OK Begin TLS negotiation now.') throw new Error(`STLS: ${reply}`);
  return c;
}

/** loginPop3 opens a session over `mode` and logs in with USER/PASS. */
export async function loginPop3(srv: { pop3Port: number; pop3sPort: number; cert: string }, mode: Pop3Mode, user: string, password = 'pw'): Promise<Pop3Client> {
  const c = await openPop3(srv, mode);
  for (const line of [`USER ${user}`, `PASS ${password}`]) {
    const reply = await c.command(line);
    if (!reply.startsWith('+OK')) throw new Error(`${line.split(' ')[0]}: ${reply}`);
  }
  return c;
}
