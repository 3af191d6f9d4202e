/** DeflateChannel (RFC 4978): round trip, and a zip bomb cannot make it hold more than one inflated chunk while paused. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import { INFLATE_CHUNK_OCTETS } from '../limits.js';
import { DeflateChannel } from './deflate.js';

/** Waits until `fn` is true, checking after each turn of the event loop (no timed assertion). */
async function until(fn: () => boolean): Promise<void> {
  while (!fn()) await new Promise((r) => setImmediate(r));
}

/** Lets zlib's thread pool work finish: many turns of the event loop without a new event. */
async function settle(): Promise<void> {
  for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r));
}

describe('DeflateChannel', () => {
  it('inflates input and compresses output with a sync flush per batch', async () => {
    const socket = new PassThrough();
    const received: Buffer[] = [];
    const channel = new DeflateChannel(socket, (b) => received.push(b), (err) => assert.fail(err));
    const wire: Buffer[] = [];
    socket.on('data', (b: Buffer) => wire.push(b));
    channel.output.write('* OK hello\r\n');
    channel.written();
    channel.output.write('a OK done\r\n');
    channel.written();
    await until(() => wire.length > 0);
    await settle();
    // A sync flush ends with the empty stored block 00 00 FF FF: the client can decode without more data.
    assert.deepEqual([...Buffer.concat(wire).subarray(-4)], [0x00, 0x00, 0xff, 0xff]);
    assert.equal(zlib.inflateRawSync(Buffer.concat(wire), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString(), '* OK hello\r\na OK done\r\n');
    channel.input(zlib.deflateRawSync(Buffer.from('b NOOP\r\n')));
    await until(() => received.length > 0);
    assert.equal(Buffer.concat(received).toString(), 'b NOOP\r\n');
    channel.end();
  });

  it('a zip bomb: while paused it holds at most one inflated chunk, then goes on to the end', async () => {
    const total = 64 * 1024 * 1024;
    const bomb = zlib.deflateRawSync(Buffer.alloc(total, 0x78));
    assert.ok(bomb.length < total / 500);
    let got = 0;
    let channel: DeflateChannel | null = null;
    channel = new DeflateChannel(new PassThrough(), (b) => {
      got += b.length;
      if (got >= 4 * INFLATE_CHUNK_OCTETS && got - b.length < 4 * INFLATE_CHUNK_OCTETS) channel!.pause();
    }, (err) => assert.fail(err));
    channel.input(bomb);
    await until(() => got >= 4 * INFLATE_CHUNK_OCTETS);
    await settle();
    const inflate = (channel as unknown as { inflate: zlib.InflateRaw }).inflate;
    // Paused: what was handed out before the pause, plus at most one chunk waiting in the inflater.
    assert.ok(got < 5 * INFLATE_CHUNK_OCTETS, `handed out ${got} octets`);
    assert.ok(inflate.readableLength <= INFLATE_CHUNK_OCTETS, `held ${inflate.readableLength} octets`);
    assert.ok((channel as unknown as { pending: Buffer[] }).pending.length > 0, 'the rest of the input waits, not inflated');
    channel.resume();
    await until(() => got === total);
    channel.end();
  });
});
