/**
 * Pop3Writer writes replies to the client's socket in order (RFC 1939 section 3: "+OK"/"-ERR" status lines
 * and multi-line responses), with the backpressure rule of net/backpressure.ts: the connection awaits
 * drain() before each command and RETR/TOP between pieces of a message, so a client that does not read
 * cannot make the server buffer without bound, and one that reads nothing for the stall timeout is cut.
 */
import type { Duplex } from 'node:stream';
import { waitForDrain, type StallPolicy } from '../net/backpressure.js';

/** Lines of a multi-line listing (LIST, UIDL) written between two waits for the socket to drain. */
const LINES_PER_WRITE = 1000;

/** Pop3Writer writes to a socket that can be swapped (STLS). */
export class Pop3Writer {
  private closed = false;

  constructor(
    private socket: Duplex,
    private readonly stall: StallPolicy,
  ) {}

  /** Replaces the transport (after the TLS handshake of STLS). */
  setSocket(socket: Duplex): void {
    this.socket = socket;
  }

  /** Marks the writer closed: further writes are dropped and drain() resolves at once. */
  close(): void {
    this.closed = true;
  }

  /** True once closed, or when the socket is gone. */
  get isClosed(): boolean {
    return this.closed || this.socket.destroyed;
  }

  /** Writes `+OK text` (or `+OK` for empty text) and CRLF. */
  ok(text: string): void {
    this.line(text ? `+OK ${text}` : '+OK');
  }

  /** Writes `-ERR text` and CRLF. */
  err(text: string): void {
    this.line(`-ERR ${text}`);
  }

  /** Writes one line; CRLF is added. */
  line(text: string): void {
    this.write(`${text}\r\n`);
  }

  /** Writes raw data: a string as UTF-8, a Buffer as it is. */
  write(data: string | Buffer): void {
    if (this.isClosed) return;
    this.socket.write(data);
  }

  /**
   * listing writes a multi-line response of short lines that never begin with "." (CAPA, LIST, UIDL, AUTH):
   * `+OK status`, the lines, and the terminating ".", waiting for the socket between batches of lines.
   */
  async listing(status: string, lines: readonly string[]): Promise<void> {
    this.ok(status);
    for (let i = 0; i < lines.length; i += LINES_PER_WRITE) {
      this.write(lines.slice(i, i + LINES_PER_WRITE).join('\r\n') + '\r\n');
      await this.drain();
    }
    this.write('.\r\n');
  }

  /** Resolves when the socket's buffer is below its high-water mark, or the socket closed. */
  async drain(): Promise<void> {
    if (this.closed) return;
    await waitForDrain(this.socket, this.stall);
  }
}
