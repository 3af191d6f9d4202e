/**
 * DeflateChannel is the COMPRESS=DEFLATE layer of one connection (RFC 4978): raw DEFLATE (RFC 1951) in
 * both directions. Output is flushed with Z_SYNC_FLUSH once per batch of responses (everything written in
 * one turn of the event loop), so the client can decode each response without waiting for more.
 * Input is inflated in bounded slices (see INFLATE_SLICE_OCTETS) so the compression ratio cannot make the
 * server hold more than the command reader's own limits allow.
 */
import zlib from 'node:zlib';
import type { Duplex } from 'node:stream';
import { DEFLATE_WINDOW_BITS, INFLATE_CHUNK_OCTETS, INFLATE_SLICE_OCTETS } from '../limits.js';

/** DeflateChannel: feed socket bytes to input(); inflated bytes come out through onData; write responses to `output`. */
export class DeflateChannel {
  /** Where responses are written; its compressed bytes are piped to the socket. */
  readonly output: zlib.DeflateRaw;
  private readonly inflate: zlib.InflateRaw;
  private readonly pending: Buffer[] = [];
  private busy = false;
  private paused = false;
  private flushScheduled = false;

  /**
   * @param socket the transport (TCP or TLS); compressed output is piped into it and ends it when the output ends
   * @param onData receives inflated input, in pieces of at most INFLATE_CHUNK_OCTETS
   * @param onError called once for corrupt input or a zlib failure; the connection should close
   */
  constructor(socket: Duplex, onData: (chunk: Buffer) => void, onError: (err: Error) => void) {
    this.output = zlib.createDeflateRaw({ windowBits: DEFLATE_WINDOW_BITS });
    this.inflate = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK_OCTETS });
    this.output.pipe(socket);
    this.inflate.on('data', onData);
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      onError(err);
    };
    this.inflate.on('error', fail);
    this.output.on('error', fail);
  }

  /** input queues compressed bytes from the socket and inflates them slice by slice. */
  input(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pump();
  }

  /** pause stops inflating (the connection has enough queued commands); resume continues. */
  pause(): void {
    this.paused = true;
    this.inflate.pause();
  }

  resume(): void {
    this.paused = false;
    this.inflate.resume();
    this.pump();
  }

  /** written must be called after each write to `output`: schedules one Z_SYNC_FLUSH for the batch. */
  written(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (!this.output.writableEnded && !this.output.destroyed) this.output.flush(zlib.constants.Z_SYNC_FLUSH);
    });
  }

  /** end finishes the compressed stream (Z_FINISH) and then ends the socket. */
  end(): void {
    if (!this.output.writableEnded) this.output.end();
    this.inflate.destroy();
  }

  private pump(): void {
    if (this.busy || this.paused || this.inflate.destroyed) return;
    const head = this.pending[0];
    if (!head) return;
    const slice = head.subarray(0, INFLATE_SLICE_OCTETS);
    if (slice.length === head.length) this.pending.shift();
    else this.pending[0] = head.subarray(INFLATE_SLICE_OCTETS);
    this.busy = true;
    this.inflate.write(slice, () => {
      this.busy = false;
      this.pump();
    });
  }
}
