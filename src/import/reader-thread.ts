/**
 * The import's reader thread (reader.ts starts it): it opens the source (open.ts), reads its files, and
 * readies each message that importMessages will store (bare LF to CRLF, the MIME parse of parse.ts), so
 * that the thread that stores them does only the store's work, on the other core.
 *
 * Events go to the parent in batches, each message's bytes moved (transferred), not copied. The thread
 * reads ahead of the parent by at most AHEAD_BATCHES batches and AHEAD_OCTETS octets of messages (at
 * least one batch), and sends nothing before the parent has asked for the events ('start').
 *
 * workerData: ReaderThreadData. Messages in: 'start', { ack: octets } (a batch of that many octets was
 * taken), 'stop'. Messages out: ReaderOut.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toCrlf } from '../mime/crlf.js';
import { parseMessage } from '../mime/parse.js';
import type { ParsedMessage } from '../mime/types.js';
import { notAMessage } from './not-a-message.js';
import { openImportSource } from './open.js';
import { ImportError, type ImportEvent, type ImportMessage } from './types.js';

/** ReaderThreadData is the workerData the thread is started with: the path to import and the size limit (octets, after CRLF conversion). */
export interface ReaderThreadData {
  target: string;
  maxOctets: number;
}

/** WireEvent is an ImportEvent as posted: a message's bytes are an ArrayBuffer of their own (transferred), `parsed` always set. */
export type WireEvent = Exclude<ImportEvent, ImportMessage> | (Omit<ImportMessage, 'raw' | 'parsed'> & { raw: ArrayBuffer; parsed: ParsedMessage | null });

/** ReaderOut is what the thread posts: the opened source, a batch of events (`octets`: their message octets), the end, or a failure (`importError`: an ImportError's one-line message). */
export type ReaderOut =
  | { opened: { kind: 'maildir' | 'mbox' | 'eml'; path: string; totalOctets: number } }
  | { events: WireEvent[]; octets: number }
  | { done: true }
  | { error: string; importError: boolean };

/**
 * BATCH_EVENTS and BATCH_OCTETS bound one posted batch: a post then costs little per message. The first
 * batches are smaller (1, 2, 4, ... events), so that storing starts while this thread is still warming up.
 */
const BATCH_EVENTS = 32;
const BATCH_OCTETS = 4 * 1024 * 1024;

/** AHEAD_BATCHES and AHEAD_OCTETS bound what is posted and not yet taken by the parent (the memory the read-ahead holds). */
const AHEAD_BATCHES = 16;
const AHEAD_OCTETS = 16 * 1024 * 1024;

/** ownBuffer returns the bytes of `b` as an ArrayBuffer holding exactly them, copying only when `b` is a view into a larger (or pooled) one. */
function ownBuffer(b: Buffer): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  const copy = new ArrayBuffer(b.length);
  new Uint8Array(copy).set(b);
  return copy;
}

/** wireMessage readies a message: CRLF bytes, and the parse of those importMessages will store (not empty, within the limit, a message). */
function wireMessage(ev: ImportMessage, maxOctets: number): Extract<WireEvent, { kind: 'message' }> {
  const raw = toCrlf(ev.raw);
  const parsed = raw.length > 0 && raw.length <= maxOctets && notAMessage(raw) === null ? parseMessage(raw) : null;
  return { ...ev, raw: ownBuffer(raw), parsed };
}

async function main(data: ReaderThreadData): Promise<void> {
  const port = parentPort!;
  let started = false;
  let stopped = false;
  let aheadBatches = 0;
  let aheadOctets = 0;
  let wake: (() => void) | null = null;
  port.on('message', (m: 'start' | 'stop' | { ack: number }) => {
    if (m === 'stop') stopped = true;
    else if (m === 'start') started = true;
    else {
      aheadBatches--;
      aheadOctets -= m.ack;
    }
    wake?.();
  });
  const post = (m: ReaderOut, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  let source;
  try {
    source = await openImportSource(data.target, data.maxOctets);
  } catch (err) {
    post({ error: (err as Error).message, importError: err instanceof ImportError });
    return;
  }
  post({ opened: { kind: source.kind, path: source.path, totalOctets: source.totalOctets } });

  let batch: WireEvent[] = [];
  let transfer: ArrayBuffer[] = [];
  let octets = 0;
  let limit = 1;
  const mayPost = (): boolean => started && aheadBatches < AHEAD_BATCHES && (aheadBatches === 0 || aheadOctets + octets <= AHEAD_OCTETS);
  const send = async (): Promise<void> => {
    while (!stopped && !mayPost()) await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
    if (stopped) return;
    aheadBatches++;
    aheadOctets += octets;
    post({ events: batch, octets }, transfer);
    batch = [];
    transfer = [];
    octets = 0;
    limit = Math.min(limit * 2, BATCH_EVENTS);
  };
  try {
    for await (const ev of source.events()) {
      if (stopped) return;
      if (ev.kind === 'message') {
        const wire = wireMessage(ev, data.maxOctets);
        batch.push(wire);
        transfer.push(wire.raw);
        octets += wire.raw.byteLength;
      } else batch.push(ev);
      if (batch.length >= limit || octets >= BATCH_OCTETS) await send();
    }
    if (batch.length > 0) await send();
    if (!stopped) post({ done: true });
  } catch (err) {
    post({ error: (err as Error).message, importError: err instanceof ImportError });
  }
}

void main(workerData as ReaderThreadData).finally(() => parentPort?.close());
