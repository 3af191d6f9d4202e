/**
 * A minimal IMAP client over a raw socket for benchmarks: one command at a time, responses split into
 * lines with literals ({n}) skipped by count, so a client library's parsing is not what is measured.
 * It understands just enough to find the tagged response that completes a command.
 */
import net from 'node:net';

/** Reply is the outcome of one command: the untagged data (raw bytes, literals included) and the tagged status line. */
export interface Reply {
  status: 'OK' | 'NO' | 'BAD';
  /** The tagged line without the tag, e.g. "OK [READ-WRITE] SELECT completed". */
  text: string;
  /** Everything the server sent before the tagged line, as latin1 text (octets kept one to one). */
  untagged: string;
}

/** ImapClient is one connection; commands are sent one at a time (no pipelining). */
export class ImapClient {
  /** What was received and not yet consumed: the first `buf.length` octets of `store`. */
  private buf: Buffer = Buffer.alloc(0);
  /** Room for `buf` to grow into, doubled when full, so a long response is copied O(log n) times, not once per chunk. */
  private store: Buffer = Buffer.alloc(0);
  private pending: { tag: string; resolve: (r: Reply) => void; reject: (e: Error) => void; from: number } | null = null;
  private waiter: { test: (s: string) => boolean; resolve: () => void } | null = null;
  /** Where the search for the next CRLF resumes, and where the current logical response line began. */
  private scan = 0;
  private lineStart = 0;
  private n = 0;
  private closed: Error | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.append(d);
      this.drain();
    });
    const fail = (e: Error) => {
      this.closed = e;
      this.pending?.reject(e);
      this.pending = null;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  /** connect opens a connection and waits for the greeting. */
  static async connect(port: number, host = '127.0.0.1'): Promise<ImapClient> {
    const socket = net.connect({ port, host });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new ImapClient(socket);
    await c.waitFor((s) => s.includes('\r\n'));
    c.consume();
    return c;
  }

  /** append adds received octets to `buf`, growing `store` by doubling when they do not fit. */
  private append(d: Buffer): void {
    const used = this.buf.length;
    const offset = this.buf.length === 0 ? 0 : this.buf.byteOffset - this.store.byteOffset;
    if (offset + used + d.length > this.store.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.store.length, used + d.length, 65536));
      this.buf.copy(grown, 0);
      this.store = grown;
      this.buf = grown.subarray(0, used);
    }
    const start = this.buf.length === 0 ? 0 : this.buf.byteOffset - this.store.byteOffset;
    d.copy(this.store, start + used);
    this.buf = this.store.subarray(start, start + used + d.length);
  }

  /** Finds complete response lines (skipping literal payloads) from `scan` on; resolves the command whose tagged line arrived. */
  private drain(): void {
    if (this.waiter) {
      const text = this.buf.toString('latin1');
      if (this.waiter.test(text)) {
        const w = this.waiter;
        this.waiter = null;
        w.resolve();
      }
    }
    const p = this.pending;
    if (!p) return;
    for (;;) {
      // LF found as a byte (cheaper than a string needle, which counts with 100,000 lines); a response line ends in CRLF.
      const lf = this.buf.indexOf(0x0a, this.scan);
      if (lf < 0) return;
      if (lf === 0 || this.buf[lf - 1] !== 0x0d) {
        this.scan = lf + 1;
        continue;
      }
      const eol = lf - 1;
      const lineStart = this.lineStart;
      // A line ending in {n} or {n+} announces n octets of literal that follow the CRLF.
      const m = this.buf[eol - 1] === 0x7d ? /\{(\d+)\+?\}$/.exec(this.buf.toString('latin1', Math.max(lineStart, eol - 24), eol)) : null;
      if (m) {
        const skip = eol + 2 + Number(m[1]);
        if (this.buf.length < skip) return;
        this.scan = skip;
        continue; // the same logical line goes on after the literal
      }
      this.scan = eol + 2;
      this.lineStart = this.scan;
      // Untagged ("*") and continuation ("+") lines are most lines: told apart by their first octet.
      const first = this.buf[lineStart];
      if (first !== 0x2a && first !== 0x2b && this.buf.toString('latin1', lineStart, lineStart + p.tag.length + 1) === p.tag + ' ') {
        const line = this.buf.toString('latin1', lineStart + p.tag.length + 1, eol);
        const untagged = this.buf.toString('latin1', p.from, lineStart);
        this.buf = this.buf.subarray(this.scan);
        this.scan = 0;
        this.lineStart = 0;
        this.pending = null;
        const status = line.slice(0, line.indexOf(' ') < 0 ? line.length : line.indexOf(' ')) as Reply['status'];
        p.resolve({ status, text: line, untagged });
        return;
      }
    }
  }

  /** consume drops everything received so far (after a greeting or an awaited untagged response). */
  consume(): void {
    this.buf = Buffer.alloc(0);
    this.scan = 0;
    this.lineStart = 0;
  }

  /** waitFor resolves when the text received since the last consume() satisfies `test`. */
  waitFor(test: (received: string) => boolean): Promise<void> {
    if (test(this.buf.toString('latin1'))) return Promise.resolve();
    return new Promise((resolve) => (this.waiter = { test, resolve }));
  }

  /** command sends `line` (without tag or CRLF) and resolves with the reply; `literal` is sent as {n+} (LITERAL+). */
  command(line: string, literal?: Buffer): Promise<Reply> {
    if (this.closed) return Promise.reject(this.closed);
    const tag = `A${++this.n}`;
    const p = new Promise<Reply>((resolve, reject) => (this.pending = { tag, resolve, reject, from: this.scan }));
    if (literal) {
      this.socket.write(`${tag} ${line} {${literal.length}+}\r\n`);
      this.socket.write(literal);
      this.socket.write('\r\n');
    } else {
      this.socket.write(`${tag} ${line}\r\n`);
    }
    return p;
  }

  /** ok sends a command and throws unless it completes with OK. */
  async ok(line: string, literal?: Buffer): Promise<Reply> {
    const r = await this.command(line, literal);
    if (r.status !== 'OK') throw new Error(`${line.slice(0, 60)}: ${r.text}`);
    return r;
  }

  /** idle sends IDLE and resolves at the continuation request; later data is watched with waitFor. */
  async idle(): Promise<void> {
    this.consume();
    this.socket.write(`I${++this.n} IDLE\r\n`);
    await this.waitFor((s) => s.includes('+ '));
    this.consume();
  }

  /** close ends the connection without LOGOUT. */
  close(): void {
    this.socket.destroy();
  }
}

/** quoted renders a string as an IMAP quoted string. */
export function quoted(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => '\\' + c)}"`;
}
