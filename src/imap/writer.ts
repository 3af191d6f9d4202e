/**
 * SocketWriter writes responses to the client's socket in order, with backpressure: handlers that
 * stream large FETCH replies await drain(), and the connection awaits it before each command, so a
 * client that does not read cannot make the server buffer without bound. A client that does not read
 * for stallTimeoutMs is given up on (onStall).
 */
import type { Duplex } from 'node:stream';
import { waitForDrain, type StallPolicy } from '../net/backpressure.js';
import type { ResponseWriter } from './session.js';
import type { DeflateChannel } from './deflate.js';

/** SocketWriter implements ResponseWriter over a socket that can be swapped (STARTTLS). */
export class SocketWriter implements ResponseWriter {
  private closed = false;
  private deflate: DeflateChannel | null = null;
  /** Octets of responses written (before compression and TLS), for the disconnect log line. */
  octets = 0;

  /**
   * @param socket the current transport; replaced by setSocket after STARTTLS
   * @param stall when given, drain() calls `onStall` after `timeoutMs` without the socket draining
   */
  constructor(
    private socket: Duplex,
    private readonly stall?: StallPolicy,
  ) {}

  /** Replaces the transport (after the TLS handshake of STARTTLS). */
  setSocket(socket: Duplex): void {
    this.socket = socket;
  }

  /** Sends everything from now on through the DEFLATE compressor (COMPRESS, RFC 4978). */
  compress(channel: DeflateChannel): void {
    this.deflate = channel;
    this.socket = channel.output;
  }

  /** Marks the writer closed: further writes are dropped, drain() resolves at once. */
  close(): void {
    this.closed = true;
  }

  /** Writes `* ${text}\r\n`. */
  untagged(text: string): void {
    this.raw(`* ${text}\r\n`);
  }

  /** Writes a tagged status response `${tag} ${status} ${text}\r\n`. */
  tagged(tag: string, status: 'OK' | 'NO' | 'BAD', text: string): void {
    this.raw(`${tag} ${status} ${text}\r\n`);
  }

  /** Writes raw response text (already CRLF-terminated). */
  raw(text: string): void {
    if (this.closed || this.socket.destroyed) return;
    this.octets += Buffer.byteLength(text);
    this.socket.write(text);
    this.deflate?.written();
  }

  /** Writes one response made of pieces; strings are UTF-8, Buffers go out as they are (corked: one writev). */
  write(pieces: Array<string | Buffer>): void {
    if (this.closed || this.socket.destroyed) return;
    for (const p of pieces) this.octets += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
    if (pieces.length === 1) {
      this.socket.write(pieces[0]!);
    } else {
      this.socket.cork();
      for (const p of pieces) this.socket.write(p);
      this.socket.uncork();
    }
    this.deflate?.written();
  }

  /** Resolves when the socket's buffer has drained below its high-water mark, or the socket closed (net/backpressure.ts). */
  async drain(): Promise<void> {
    if (this.closed) return;
    await waitForDrain(this.socket, this.stall);
  }
}
