/**
 * openImportSourceInThread: the source openImportSource (open.ts) would open, read on a thread of its own
 * (reader-thread.ts) that also converts and parses each message, so that the calling thread only stores
 * them (about 40 % of an import's CPU moves to the other core).
 */
import { Worker } from 'node:worker_threads';
import { MAX_LITERAL_OCTETS } from '../limits.js';
import { threadEntry } from '../threads.js';
import type { ReaderOut, ReaderThreadData, WireEvent } from './reader-thread.js';
import { ImportError, type ImportEvent, type ImportSource } from './types.js';

/**
 * openImportSourceInThread opens `target` on a reader thread as openImportSource(target, maxOctets) would
 * and resolves once the thread has opened it; its events are the same, in the same order, each message
 * with `parsed` set (and `raw` already CRLF). Throws ImportError as openImportSource does, and an Error if
 * the thread fails (also from events()). The thread ends when events() is done or closed early; a source
 * whose events() never runs leaves a thread that keeps no process alive.
 */
export async function openImportSourceInThread(target: string, maxOctets: number = MAX_LITERAL_OCTETS): Promise<ImportSource> {
  const data: ReaderThreadData = { target, maxOctets };
  const entry = threadEntry(new URL('./reader-thread', import.meta.url));
  const worker = new Worker(entry.code, { eval: entry.eval, workerData: data });
  const inbox: ReaderOut[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  worker.on('message', (m: ReaderOut) => {
    inbox.push(m);
    wake?.();
  });
  worker.on('error', (err) => {
    failure = err;
    wake?.();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`the import's reader thread ended early (exit code ${code})`);
    wake?.();
  });
  /** receive returns the thread's next message; throws what the thread reported, or that it ended. */
  const receive = async (): Promise<Exclude<ReaderOut, { error: string }>> => {
    while (inbox.length === 0) {
      if (failure) throw failure;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
    const m = inbox.shift()!;
    if ('error' in m) throw m.importError ? new ImportError(m.error) : new Error(`import source: ${m.error}`);
    return m;
  };

  let opened;
  try {
    const first = await receive();
    if (!('opened' in first)) throw new Error('the import reader thread sent events before the source was opened');
    opened = first.opened;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  // Until events() runs, the thread (the source opened, waiting for 'start') keeps no process alive: a
  // caller that fails before it reads the source still exits.
  worker.unref();
  return {
    ...opened,
    async *events(): AsyncIterable<ImportEvent> {
      worker.ref();
      worker.postMessage('start');
      try {
        for (;;) {
          const m = await receive();
          if ('done' in m) return;
          if (!('events' in m)) continue;
          for (const ev of m.events) yield fromWire(ev);
          worker.postMessage({ ack: m.octets });
        }
      } finally {
        worker.postMessage('stop');
        await worker.terminate();
      }
    },
  };
}

function fromWire(ev: WireEvent): ImportEvent {
  return ev.kind === 'message' ? { ...ev, raw: Buffer.from(ev.raw) } : ev;
}
