/**
 * The primary of `letterbox serve` with workers binds every listener before it starts the workers, one
 * listener after the other: a client that connects as soon as the first port is bound must not be lost in
 * between. bindListeners holds each connection from the first one on until forkWorkers takes them
 * (BoundListener.onConnection), in order, and then gives it every new one.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { bindListeners } from '../../src/server/cluster.js';
import { freePort } from '../support/ports.js';
import { until } from '../support/until.js';

/** connect opens a client connection and collects what it reads. */
async function connect(port: number): Promise<{ client: net.Socket; received: () => string }> {
  const client = net.connect(port, '127.0.0.1');
  let text = '';
  client.on('data', (d: Buffer) => (text += d.toString('latin1')));
  await once(client, 'connect');
  return { client, received: () => text };
}

describe('the primary\'s listeners before the workers start', () => {
  it('hold the connections they accept until they are taken, then hand those and every new one on, in order', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lb-held-'));
    const config = await loadConfig({
      overrides: {
        dataDir: dir,
        imap: { host: '127.0.0.1', port: await freePort(), tlsPort: 0 },
        pop3: { port: 0, tlsPort: 0 },
        managesieve: { port: 0 },
        lmtp: { port: 0, socket: 'none' },
      },
    });
    const listeners = await bindListeners(config);
    const clients: Array<{ client: net.Socket; received: () => string }> = [];
    const handed: net.Socket[] = [];
    try {
      assert.deepEqual(listeners.map((l) => l.name), ['imap']);
      const imap = listeners[0]!;
      const port = (imap.address as { port: number }).port;
      // Counts the connections the listener accepts; the listener holds them meanwhile.
      let accepts = 0;
      imap.server.on('connection', () => accepts++);
      clients.push(await connect(port), await connect(port));
      await until('the two early connections to be accepted', () => accepts === 2);
      imap.onConnection((socket) => {
        handed.push(socket);
        socket.end(`* OK ${handed.length}\r\n`);
      });
      assert.equal(handed.length, 2, 'both connections accepted before onConnection are handed on at once');
      clients.push(await connect(port));
      await until('the three connections to be handed on', () => handed.length === 3);
      for (const [i, c] of clients.entries()) {
        await until('the client to read what the handler wrote', () => c.received().length > 0);
        assert.equal(c.received(), `* OK ${i + 1}\r\n`);
      }
    } finally {
      // The server's ends were accepted paused: they would not see the clients close.
      for (const socket of handed) socket.destroy();
      for (const c of clients) c.client.destroy();
      // Not awaited: close() waits for connections, and one held and never handed on (the failure this test is
      // for) is paused, so it would never see its client go.
      for (const l of listeners) l.server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
