/**
 * RawClient speaks IMAP as bytes over TCP or TLS, for transcript tests: send exact lines, read exact
 * responses. Literals in responses are returned inline in the line text ("{5}\r\nhello" included).
 */
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import zlib from 'node:zlib';

/** RawClient: a line-oriented IMAP test client. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private ended = false;
  greeting = '';

  /** How response lines are decoded: 'utf8', or 'latin1' to see every octet as it came (one character per byte). */
  encoding: 'utf8' | 'latin1' = 'utf8';

  private constructor(public socket: net.Socket) {
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', () => {
      this.ended = true;
      this.notify();
    });
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** connect opens a connection (TLS when `tlsCa` is given; from `localAddress`, e.g. 127.0.0.2, when given) and reads the greeting. */
  static async connect(port: number, opts: { tlsCa?: string; localAddress?: string } = {}): Promise<RawClient> {
    const from = opts.localAddress ? { localAddress: opts.localAddress } : {};
    const socket = opts.tlsCa
      ? tls.connect({ host: '127.0.0.1', port, ca: opts.tlsCa, servername: 'localhost', ...from })
      : net.connect({ host: '127.0.0.1', port, ...from });
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tlsCa ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    const c = new RawClient(socket);
    c.greeting = await c.readLine();
    return c;
  }

  /** startTls upgrades this connection after the server's OK to STARTTLS. */
  async startTls(ca: string): Promise<void> {
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
  }

  /**
   * startCompression switches this connection to raw DEFLATE both ways after the server's OK to
   * COMPRESS DEFLATE (RFC 4978): every write is compressed and flushed with Z_SYNC_FLUSH.
   */
  startCompression(): void {
    const socket = this.socket;
    socket.removeAllListeners('data');
    socket.removeAllListeners('close');
    const deflate = zlib.createDeflateRaw();
    const inflate = zlib.createInflateRaw();
    deflate.pipe(socket);
    socket.pipe(inflate);
    const duplex = new Duplex({
      write(chunk: Buffer, _enc, cb): void {
        deflate.write(chunk);
        deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => cb());
      },
      read(): void {},
    });
    inflate.on('data', (d: Buffer) => duplex.push(d));
    inflate.on('error', (err) => duplex.destroy(err));
    // The socket may close before the inflater has emitted the last bytes: end with the inflater.
    inflate.on('end', () => duplex.destroy());
    socket.on('error', () => inflate.end());
    duplex.destroy = ((orig) =>
      function (this: Duplex, err?: Error) {
        socket.destroy();
        return orig.call(this, err);
      })(duplex.destroy);
    this.socket = duplex as unknown as net.Socket;
    this.buf = Buffer.alloc(0);
    this.attach(this.socket);
  }

  /** Sends raw text (no CRLF added). */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends a line, adding CRLF. */
  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  /** Reads one response line, including any literals it carries, without the final CRLF. Rejects after `ms`. */
  async readLine(ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const line = this.tryTakeLine();
      if (line !== null) return line;
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

  private tryTakeLine(): string | null {
    let pos = 0;
    for (;;) {
      const nl = this.buf.indexOf('\r\n', pos, 'latin1');
      if (nl < 0) return null;
      const m = /\{(\d+)\}$/.exec(this.buf.subarray(Math.max(pos, nl - 20), nl).toString('latin1'));
      if (m) {
        const end = nl + 2 + Number(m[1]);
        if (this.buf.length < end) return null;
        pos = end;
        continue;
      }
      const line = this.buf.subarray(0, nl).toString(this.encoding);
      this.buf = this.buf.subarray(nl + 2);
      return line;
    }
  }

  /** Sends `tag command` and returns every line up to and including the tagged reply. */
  async command(tag: string, command: string, ms = 5000): Promise<string[]> {
    this.send(`${tag} ${command}`);
    return this.readUntilTagged(tag, ms);
  }

  /** Reads lines until one starts with `tag `. */
  async readUntilTagged(tag: string, ms = 5000): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const l = await this.readLine(ms);
      lines.push(l);
      if (l.startsWith(tag + ' ')) return lines;
    }
  }

  /** True when the server has closed the connection (after reading what is buffered). */
  async closedByServer(ms = 2000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }
}
