/**
 * LineReader frames a POP3 client's byte stream into lines (RFC 1939 section 3: commands end in CRLF; a
 * bare LF is accepted too, and the CR before it dropped). No I/O: the connection pushes chunks and
 * queues the events. A line longer than POP3_MAX_LINE_OCTETS is read to its end without being kept and
 * reported as `too-long`, so a client cannot make the server hold an unbounded line.
 */
import { POP3_MAX_LINE_OCTETS } from '../limits.js';

/** LineEvent: one complete line (UTF-8 decoded, without its line ending), or a line that was too long and was dropped. */
export type LineEvent = { kind: 'line'; text: string } | { kind: 'too-long' };

const LF = 0x0a;
const CR = 0x0d;

/** LineReader keeps at most `max` octets of an incomplete line; it keeps references to pushed chunks until their line completes. */
export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  /** @param max longest line in octets, without the LF (default POP3_MAX_LINE_OCTETS) */
  constructor(private readonly max = POP3_MAX_LINE_OCTETS) {}

  /** True while a line has begun and not ended (for the command-completion timer). */
  get midLine(): boolean {
    return this.size > 0 || this.skipping;
  }

  /** push takes the next chunk of input and returns the lines it completes, in order. */
  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(LF, pos);
      const end = nl < 0 ? chunk.length : nl;
      if (!this.skipping) {
        if (this.size + (end - pos) > this.max) {
          this.skipping = true;
          this.parts = [];
          this.size = 0;
        } else if (end > pos) {
          this.parts.push(chunk.subarray(pos, end));
          this.size += end - pos;
        }
      }
      if (nl < 0) break;
      if (this.skipping) {
        events.push({ kind: 'too-long' });
        this.skipping = false;
      } else {
        let line = Buffer.concat(this.parts, this.size);
        if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
        events.push({ kind: 'line', text: line.toString('utf8') });
      }
      this.parts = [];
      this.size = 0;
      pos = nl + 1;
    }
    return events;
  }
}
