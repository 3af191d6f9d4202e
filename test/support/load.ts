/**
 * Load generation for overload tests and bench/overload.ts: many raw connections that each send a
 * command, wait for its tagged reply and send the next one, as fast as the server answers.
 */
import net from 'node:net';
import { onLines } from './line-client.js';

/** Load is a running set of busy connections. */
export interface Load {
  /** Connections that received the greeting. */
  connected: number;
  /** Tagged replies received so far, over all connections. */
  replies(): number;
  /** Stops sending and closes every connection; resolves with the total of tagged replies. */
  stop(): Promise<number>;
}

/**
 * startLoad opens `connections` connections to 127.0.0.1:`port` (in batches, so the accept queue does
 * not overflow) and has each loop on `command` (default NOOP). Resolves once all are connected and greeted.
 */
export async function startLoad(port: number, connections: number, command = 'NOOP'): Promise<Load> {
  let replies = 0;
  let stopped = false;
  const sockets: net.Socket[] = [];
  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      sockets.push(s);
      let greeted = false;
      let n = 0;
      s.on('error', (err) => (greeted ? undefined : reject(err)));
      onLines(s, (line) => {
        if (!greeted) {
          greeted = true;
          if (!line.startsWith('* OK')) {
            reject(new Error(`greeting: ${line}`));
            return 'stop';
          }
          resolve();
        } else if (line.startsWith('t')) replies++;
        else return;
        if (!stopped && !s.destroyed) s.write(`t${++n} ${command}\r\n`);
      });
    });
  for (let i = 0; i < connections; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, connections - i) }, open));
  }
  return {
    connected: sockets.length,
    replies: () => replies,
    async stop() {
      stopped = true;
      for (const s of sockets) s.destroy();
      return replies;
    },
  };
}

/** probe connects, reads the greeting, sends NOOP and resolves with the reply lines and the milliseconds from connect to the tagged reply. */
export function probe(port: number, timeoutMs = 30_000): Promise<{ greeting: string; reply: string | null; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect(port, '127.0.0.1');
    const received: string[] = [];
    let greeting: string | null = null;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer in ${timeoutMs} ms; got ${JSON.stringify(received)}`));
    }, timeoutMs);
    const done = (reply: string | null): 'stop' => {
      clearTimeout(timer);
      s.destroy();
      resolve({ greeting: greeting ?? '', reply, ms: performance.now() - t0 });
      return 'stop';
    };
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    s.on('close', () => done(null));
    onLines(s, (line) => {
      received.push(line);
      if (greeting === null) {
        greeting = line;
        if (line.startsWith('* BYE')) return done(null);
        s.write('p NOOP\r\n');
      } else if (line.startsWith('p ')) return done(line);
    });
  });
}
