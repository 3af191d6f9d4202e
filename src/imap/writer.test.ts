/** SocketWriter over a real loopback TCP connection: when responses leave, and in how many writes. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { SocketWriter } from './writer.js';

let server: net.Server;
let port = 0;
const accepted: net.Socket[] = [];
before(async () => {
  server = net.createServer((s) => accepted.push(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as net.AddressInfo).port;
});
after(() => server.close());

/** connected returns the server's end of a new connection, whose write calls are counted, and what the client reads. */
async function connected(): Promise<{ socket: net.Socket; writes: () => number; received: () => string; close: () => void }> {
  const client = net.connect(port, '127.0.0.1');
  let text = '';
  client.on('data', (d: Buffer) => (text += d.toString('latin1')));
  await once(client, 'connect');
  while (accepted.length === 0) await new Promise((r) => setImmediate(r));
  const socket = accepted.shift()!;
  let writes = 0;
  const write = socket.write.bind(socket) as (chunk: string | Buffer) => boolean;
  socket.write = ((chunk: string | Buffer) => {
    writes++;
    return write(chunk);
  }) as typeof socket.write;
  return {
    socket,
    writes: () => writes,
    received: () => text,
    close: () => {
      client.destroy();
      socket.destroy();
    },
  };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SocketWriter', () => {
  it('ready() leaves the responses of pipelined commands for the scheduled flush: one write carries them all, in order', async () => {
    const c = await connected();
    try {
      const out = new SocketWriter(c.socket);
      out.untagged('1 EXISTS');
      out.tagged('a', 'OK', 'NOOP completed');
      await out.ready();
      out.tagged('b', 'OK', 'NOOP completed');
      await out.ready();
      assert.equal(c.writes(), 0, 'nothing written before the flush');
      await turn();
      assert.equal(c.writes(), 1);
      const want = '* 1 EXISTS\r\na OK NOOP completed\r\nb OK NOOP completed\r\n';
      while (c.received().length < want.length) await turn();
      assert.equal(c.received(), want);
      assert.equal(out.octets, want.length);
    } finally {
      c.close();
    }
  });

  it('ready() writes at once what reached 64 KiB, and drain() writes at once whatever was gathered', async () => {
    const c = await connected();
    try {
      const out = new SocketWriter(c.socket);
      out.write([Buffer.alloc(64 * 1024, 0x61), '\r\n']);
      await out.ready();
      assert.equal(c.writes(), 2, 'the Buffer and the string, corked into one writev');
      out.tagged('a', 'OK', 'done');
      await out.drain();
      assert.equal(c.writes(), 3);
      const want = 64 * 1024 + 2 + 'a OK done\r\n'.length;
      while (c.received().length < want) await turn();
      assert.equal(c.received().slice(-13), '\r\na OK done\r\n');
    } finally {
      c.close();
    }
  });
});
