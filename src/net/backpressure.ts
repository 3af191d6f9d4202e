/**
 * waitForDrain is the one rule for output backpressure on a client socket, shared by the IMAP and POP3
 * writers: a session produces nothing more while the socket's buffer is above its high-water mark, and a
 * client that reads nothing for a while is given up on, so a client that never reads cannot make the
 * server buffer without bound.
 */
import type { Duplex } from 'node:stream';

/** StallPolicy: call `onStall` when the socket has not drained for `timeoutMs` milliseconds. */
export interface StallPolicy {
  timeoutMs: number;
  onStall: () => void;
}

/**
 * waitForDrain resolves at once when `stream` has room (writableNeedDrain false) or is destroyed, else when
 * it emits 'drain' or 'close'. With `stall`, `stall.onStall()` runs if that takes longer than
 * `stall.timeoutMs` (the caller then destroys the stream, which resolves the wait). Never rejects.
 */
export async function waitForDrain(stream: Duplex, stall?: StallPolicy): Promise<void> {
  const s = stream as Duplex & { writableNeedDrain?: boolean };
  if (s.destroyed || !s.writableNeedDrain) return;
  await new Promise<void>((resolve) => {
    const timer = stall ? setTimeout(() => stall.onStall(), stall.timeoutMs) : null;
    timer?.unref();
    const done = (): void => {
      if (timer) clearTimeout(timer);
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}
