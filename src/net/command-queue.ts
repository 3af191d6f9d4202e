/**
 * The input side of a protocol session, written once for IMAP and POP3: CommandQueue keeps what the client
 * sent ahead of the replies (pipelining, RFC 9051 section 5.5 and RFC 2449 section 6.6) to be run strictly
 * in order, with backpressure on input (reading pauses while too many commands wait); LineDeadline ends a
 * session whose command line has begun and does not end in time (slowloris).
 *
 * Imports: node only; never a protocol folder (src/net/listeners.ts states the rule of this folder).
 */

/** FlowControl stops and restarts reading from the client (the socket, and any layer above it such as DEFLATE). */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

/**
 * CommandQueue<T> holds the client's framed commands (or framing errors) in arrival order. Reading pauses
 * when `max` entries wait and resumes once fewer than half of them do. One consumer waits at a time (the
 * command loop, or a command that reads the client's next line).
 */
export class CommandQueue<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | null = null;
  private paused = false;

  /**
   * @param max entries waiting at which reading pauses (MAX_QUEUED_COMMANDS)
   * @param flow how to pause and resume reading
   */
  constructor(
    private readonly max: number,
    private readonly flow: FlowControl,
  ) {}

  /** length is the number of entries waiting. */
  get length(): number {
    return this.items.length;
  }

  /** push appends what one read of the client framed, pauses reading at `max`, and wakes the consumer when anything waits. */
  push(items: readonly T[]): void {
    for (const item of items) this.items.push(item);
    if (this.items.length >= this.max && !this.paused) {
      this.paused = true;
      this.flow.pause();
    }
    if (this.items.length > 0) this.wake();
  }

  /** shift takes the oldest entry (undefined when none waits), resuming reading once the queue has room again. */
  shift(): T | undefined {
    const item = this.items.shift();
    if (item !== undefined && this.paused && this.items.length < this.max / 2) {
      this.paused = false;
      this.flow.resume();
    }
    return item;
  }

  /** clear drops every waiting entry (STARTTLS, COMPRESS: nothing sent before the switch may run after it). */
  clear(): void {
    this.items.length = 0;
  }

  /** wait resolves at the next push with entries, or at wake(). */
  wait(): Promise<void> {
    return new Promise<void>((resolve) => (this.waiter = resolve));
  }

  /** wake ends the consumer's wait (the connection closed). */
  wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

/**
 * LineDeadline runs `onExpire` when a command line stays incomplete for `ms` milliseconds (RFC 9051
 * section 5.4 lets a server end such a session; COMMAND_COMPLETION_TIMEOUT_MS). The timer does not keep
 * the process alive.
 */
export class LineDeadline {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {}

  /** watch starts the timer when a line is left incomplete (`midLine`) and none runs, and stops it when no line is. */
  watch(midLine: boolean): void {
    if (!midLine) {
      this.stop();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(this.onExpire, this.ms);
    this.timer.unref();
  }

  /** stop cancels the timer. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
