/**
 * SocketWriter writes responses to the client's socket in order, with backpressure: handlers that
 * stream large FETCH replies await drain(), and the connection awaits it before each command, so a
 * client that does not read cannot make the server buffer without bound. A client that does not read
 * for stallTimeoutMs is given up on (onStall).
 *
 * Responses are gathered until the event loop's next check phase (setImmediate) and then written at
 * once, the strings joined: a command's untagged responses and its tagged one mostly leave in one writev,
 * instead of a system call and a UTF-8 conversion each; so do the responses of commands a client pipelined,
 * which the command loop runs one after the other before that phase (ready()). flush() writes them at once;
 * drain(), close(), STARTTLS and COMPRESS call it first, so nothing is held back or sent through the wrong
 * layer.
 */
import type { Duplex } from 'node:stream';
import { waitForDrain, type StallPolicy } from '../net/backpressure.js';
import type { ResponseWriter } from './session.js';
import type { DeflateChannel } from './deflate.js';

/** How much ready() leaves gathered for the next flush, in UTF-16 code units of strings plus octets of Buffers. */
const GATHER_LIMIT = 64 * 1024;

/** SocketWriter implements ResponseWriter over a socket that can be swapped (STARTTLS). */
export class SocketWriter implements ResponseWriter {
  private closed = false;
  /** Responses written since the last flush, in order. */
  private pending: Array<string | Buffer> = [];
  /** The size of `pending`, in GATHER_LIMIT's measure. */
  private pendingSize = 0;
  private flushScheduled = false;
  private readonly flushLater = (): void => {
    this.flushScheduled = false;
    this.flush();
  };
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
    this.flush();
    this.socket = socket;
  }

  /** Sends everything from now on through the DEFLATE compressor (COMPRESS, RFC 4978). */
  compress(channel: DeflateChannel): void {
    // The OK to COMPRESS goes out uncompressed.
    this.flush();
    this.deflate = channel;
    this.socket = channel.output;
  }

  /** Marks the writer closed: further writes are dropped, drain() resolves at once. */
  close(): void {
    this.flush();
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
    this.pending.push(text);
    this.pendingSize += text.length;
    this.schedule();
  }

  /** Writes one response made of pieces; strings are UTF-8, Buffers go out as they are. */
  write(pieces: Array<string | Buffer>): void {
    if (this.closed || this.socket.destroyed) return;
    for (const p of pieces) {
      this.pending.push(p);
      this.pendingSize += p.length;
    }
    this.schedule();
  }

  /** flush writes what was gathered now: adjacent strings joined, one writev for the rest. */
  flush(): void {
    if (this.pending.length === 0) return;
    const pieces = this.pending;
    this.pending = [];
    this.pendingSize = 0;
    if (this.closed || this.socket.destroyed) return;
    const out: Array<string | Buffer> = [];
    let text = '';
    for (const p of pieces) {
      if (typeof p === 'string') text += p;
      else {
        if (text !== '') out.push(text);
        text = '';
        out.push(p);
      }
    }
    if (text !== '') out.push(text);
    for (const p of out) this.octets += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
    if (out.length === 1) this.socket.write(out[0]!);
    else {
      this.socket.cork();
      for (const p of out) this.socket.write(p);
      this.socket.uncork();
    }
    this.deflate?.written();
  }

  /** Resolves when the socket's buffer has drained below its high-water mark, or the socket closed (net/backpressure.ts). */
  async drain(): Promise<void> {
    this.flush();
    if (this.closed) return;
    await waitForDrain(this.socket, this.stall);
  }

  /**
   * ready is drain() for the command loop, before each command: it resolves once the socket has room, but
   * leaves what was gathered (under GATHER_LIMIT) for the flush already scheduled, so the responses of
   * pipelined commands leave together.
   */
  async ready(): Promise<void> {
    if (this.pendingSize >= GATHER_LIMIT) this.flush();
    if (this.closed) return;
    await waitForDrain(this.socket, this.stall);
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flushLater);
  }
}
