/**
 * LmtpClient speaks LMTP (RFC 2033) as lines over TCP or a unix socket, for transcript tests: send exact
 * lines, read exact replies (a multi-line reply is returned as all its lines).
 */
import net from 'node:net';

/** LmtpClient: a line-oriented LMTP test client. */
export class LmtpClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private ended = false;
  greeting = '';

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    const end = () => {
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

  /** connect opens a connection to a TCP port on 127.0.0.1 or to a unix socket path, and reads the greeting. */
  static async connect(target: number | string): Promise<LmtpClient> {
    const socket = typeof target === 'number' ? net.connect({ host: '127.0.0.1', port: target }) : net.connect(target);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const c = new LmtpClient(socket);
    c.greeting = await c.readLine();
    return c;
  }

  /** Sends raw bytes (no CRLF added). */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends a line, adding CRLF. */
  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  /** Reads one line without its CRLF; rejects after `ms` or when the connection closes first. */
  async readLine(ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const nl = this.buf.indexOf('\r\n');
      if (nl >= 0) {
        const line = this.buf.subarray(0, nl).toString('utf8');
        this.buf = this.buf.subarray(nl + 2);
        return line;
      }
      if (this.ended) throw new Error(`connection closed; unread: ${JSON.stringify(this.buf.toString('latin1'))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for a line; unread: ${JSON.stringify(this.buf.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Reads one reply: every "ddd-" continuation line and the final "ddd " line. */
  async readReply(ms?: number): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.readLine(ms);
      lines.push(line);
      if (!/^\d{3}-/.test(line)) return lines;
    }
  }

  /** Sends `line` and returns the reply lines. */
  async command(line: string): Promise<string[]> {
    this.send(line);
    return this.readReply();
  }

  /** True when the server has closed the connection. */
  async closedByServer(ms = 5000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }
}
