/**
 * The one raw line client of the tests, for IMAP, POP3 and LMTP transcripts: connect over TCP, TLS or a
 * unix socket, send exact bytes, read exact lines. LineClient is the transport (buffering, reads with a
 * deadline, the TLS upgrade of STARTTLS and STLS); each protocol adds only how a reply is framed:
 * RawClient (IMAP: literals kept inline in their line, replies up to the tagged one, COMPRESS DEFLATE),
 * Pop3Client (one-line and dot-terminated multi-line replies) and LmtpClient ("ddd-" continued replies).
 */
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import zlib from 'node:zlib';

/**
 * ConnectOptions: TLS from the start when `tlsCa` (the PEM to trust) is given; `localAddress` picks the source address (e.g. 127.0.0.2);
 * `greetingMs` bounds the wait for the greeting (IMAP, ManageSieve).
 */
export interface ConnectOptions {
  tlsCa?: string;
  localAddress?: string;
  /** How long connect waits for the greeting, ms (default: the client's read timeout). */
  greetingMs?: number;
}

/**
 * onLines calls `onLine` with each CRLF-terminated line `socket` receives, without the CRLF and decoded as
 * latin1 (one character per octet), for clients that answer each line as it comes (load generators,
 * probes) rather than read replies in turn as LineClient does. Once `onLine` returns 'stop', the rest of
 * the input is ignored.
 */
export function onLines(socket: net.Socket, onLine: (line: string) => void | 'stop'): void {
  let buf = '';
  let stopped = false;
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while (!stopped && (nl = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      if (onLine(line) === 'stop') stopped = true;
    }
  });
}

/** LineClient: a line-oriented test client; the protocol clients below extend it. */
export class LineClient {
  protected buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  protected ended = false;
  /** The server's first line. */
  greeting = '';
  /** How lines are decoded: 'utf8', or 'latin1' to see every octet as it came (one character per byte). */
  encoding: 'utf8' | 'latin1' = 'utf8';
  /** Default time for a read, in ms. */
  protected readMs = 10_000;
  /** Default time closedByServer waits, in ms. */
  protected closeMs = 5000;
  /** True for IMAP: a line ending in `{n}` goes on after n octets of literal (kept inline in the line). */
  protected literals = false;

  protected constructor(public socket: net.Socket) {
    this.attach(socket);
  }

  /** dial connects to a TCP port on 127.0.0.1 (with TLS when `opts.tlsCa` is given) or to a unix socket path. */
  protected static async dial(target: number | string, opts: ConnectOptions = {}): Promise<net.Socket> {
    const from = opts.localAddress ? { localAddress: opts.localAddress } : {};
    const socket =
      typeof target === 'string'
        ? net.connect(target)
        : opts.tlsCa
          ? tls.connect({ host: '127.0.0.1', port: target, ca: opts.tlsCa, servername: 'localhost', ...from })
          : net.connect({ host: '127.0.0.1', port: target, ...from });
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tlsCa && typeof target === 'number' ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return socket;
  }

  protected attach(socket: net.Socket): void {
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

  /** startTls upgrades this connection to TLS, trusting `ca`; call after the server's OK to STARTTLS or STLS. */
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

  /** Sends raw data (no CRLF added). */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends a line, adding CRLF. */
  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  /** Waits until `done()` holds for the buffered input; rejects when the connection ends first, or after `ms`. */
  protected async waitFor(done: () => boolean, ms: number, what = 'a line'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (this.ended) throw new Error(`connection closed; unread: ${this.unread()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${what}; unread: ${this.unread()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private unread(): string {
    return JSON.stringify(this.buf.toString('latin1').slice(0, 2000));
  }

  /** Reads one line without its CRLF (with its literals, for IMAP); rejects after `ms` or when the connection closes first. */
  async readLine(ms = this.readMs): Promise<string> {
    let line: string | null = null;
    await this.waitFor(() => (line = this.takeLine()) !== null, ms);
    return line!;
  }

  /** Takes one complete line from the buffer, or null. */
  private takeLine(): string | null {
    let pos = 0;
    for (;;) {
      const nl = this.buf.indexOf('\r\n', pos, 'latin1');
      if (nl < 0) return null;
      const m = this.literals ? /\{(\d+)\}$/.exec(this.buf.subarray(Math.max(pos, nl - 20), nl).toString('latin1')) : null;
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

  /** True when the server has closed the connection (after reading what is buffered). */
  async closedByServer(ms = this.closeMs): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** RawClient: the IMAP dialect. Literals in responses are returned inline in the line text ("{5}\r\nhello" included). */
export class RawClient extends LineClient {
  protected override readMs = 5000;
  protected override closeMs = 2000;
  protected override literals = true;

  /** connect opens a connection (TLS when `tlsCa` is given; from `localAddress` when given) and reads the greeting. */
  static async connect(port: number, opts: ConnectOptions = {}): Promise<RawClient> {
    const c = new RawClient(await LineClient.dial(port, opts));
    c.greeting = await c.readLine(opts.greetingMs);
    return c;
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

  /** Sends `tag command` and returns every line up to and including the tagged reply. */
  async command(tag: string, command: string, ms = this.readMs): Promise<string[]> {
    this.send(`${tag} ${command}`);
    return this.readUntilTagged(tag, ms);
  }

  /** Reads lines until one starts with `tag `. */
  async readUntilTagged(tag: string, ms = this.readMs): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const l = await this.readLine(ms);
      lines.push(l);
      if (l.startsWith(tag + ' ')) return lines;
    }
  }
}

/** Pop3Client: the POP3 dialect; a multi-line response can be read as lines or as the exact octets sent (byte-stuffing and all). */
export class Pop3Client extends LineClient {
  /** connect opens a connection (TLS when `tlsCa` is given) and reads the greeting. */
  static async connect(port: number, opts: { tlsCa?: string } = {}): Promise<Pop3Client> {
    const c = new Pop3Client(await LineClient.dial(port, opts));
    c.greeting = await c.readLine();
    return c;
  }

  /** stls sends STLS and upgrades the connection once the server has said +OK; returns that reply. */
  async stls(ca: string): Promise<string> {
    const reply = await this.command('STLS');
    if (reply.startsWith('+OK')) await this.startTls(ca);
    return reply;
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
    await this.waitFor(() => endOf() >= 0, ms, 'the end of a multi-line response');
    const end = endOf();
    const data = this.buf.subarray(0, end);
    this.buf = this.buf.subarray(end);
    return { status, data: Buffer.from(data) };
  }
}

/** LmtpClient: the LMTP dialect (RFC 2033), over TCP or a unix socket; a multi-line reply is returned as all its lines. */
export class LmtpClient extends LineClient {
  /** connect opens a connection to a TCP port on 127.0.0.1 or to a unix socket path, and reads the greeting. */
  static async connect(target: number | string): Promise<LmtpClient> {
    const c = new LmtpClient(await LineClient.dial(target));
    c.greeting = await c.readLine();
    return c;
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
}

/**
 * ManageSieveClient: the ManageSieve dialect (RFC 5804). A response is every line up to the one that
 * begins with OK, NO or BYE; literals (`{n}` at the end of a line) are kept inline in their line, as
 * RawClient keeps IMAP's, so a script's lines never end a response early.
 */
export class ManageSieveClient extends LineClient {
  protected override literals = true;
  /** The greeting's lines: the capabilities and the final OK. */
  greetingLines: string[] = [];

  /** connect opens a cleartext connection (ManageSieve has no implicit-TLS port) and reads the greeting. */
  static async connect(port: number, opts: ConnectOptions = {}): Promise<ManageSieveClient> {
    const c = new ManageSieveClient(await LineClient.dial(port, opts));
    c.greetingLines = await c.readResponse(opts.greetingMs);
    c.greeting = c.greetingLines[c.greetingLines.length - 1]!;
    return c;
  }

  /** Reads lines up to and including the one that begins with OK, NO or BYE. */
  async readResponse(ms?: number): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const l = await this.readLine(ms);
      lines.push(l);
      if (/^(OK|NO|BYE)( |$)/.test(l)) return lines;
    }
  }

  /** Sends `line` (CRLF added) and returns the response lines. */
  async command(line: string, ms?: number): Promise<string[]> {
    this.send(line);
    return this.readResponse(ms);
  }

  /** starttls sends STARTTLS, upgrades after the OK and returns the OK and then the capability lines and OK the server sends over TLS. */
  async starttls(ca: string): Promise<{ ok: string[]; capabilities: string[] }> {
    const ok = await this.command('STARTTLS');
    if (!ok[ok.length - 1]!.startsWith('OK')) return { ok, capabilities: [] };
    await this.startTls(ca);
    return { ok, capabilities: await this.readResponse() };
  }
}
