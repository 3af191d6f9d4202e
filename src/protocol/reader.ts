/**
 * Resumable command framer: turns the byte stream of one connection into complete commands (a line plus its
 * literals), continuation requests and framing errors (RFC 9051 sections 2.2.1 and 4.3, RFC 7888 LITERAL+,
 * RFC 3516 literal8). No I/O: the connection pushes chunks and acts on the events.
 */
import { tagOfLine } from './chars.js';
import {
  MAX_COMMAND_OCTETS,
  MAX_LINE_OCTETS,
  MAX_LITERAL_OCTETS,
  MAX_LITERALS_PER_COMMAND,
} from '../limits.js';
import type { RawCommand } from './types.js';

/**
 * ReaderEvent is what CommandReader.push reports, in stream order:
 * - `command`: one complete command;
 * - `continue`: a synchronizing literal was accepted; the connection must now send `+ ...`;
 * - `error`: a framing error; the command it belonged to is dropped. `tag` is the command's tag when it could
 *   be read. `code` is a response code without brackets (TOOBIG). When `fatal` is true the stream cannot be
 *   framed any more and the connection should say BYE and close; the reader ignores all further input.
 */
export type ReaderEvent =
  | { kind: 'command'; command: RawCommand }
  | { kind: 'continue' }
  | { kind: 'error'; tag: string | null; message: string; code?: string; fatal: boolean };

const LINE = 0;
const LITERAL = 1;
const SKIP_LINE = 2;
const SKIP_LITERAL = 3;
const FAILED = 4;

/** Bytes kept from the end of a discarded line: enough for the longest marker `~{9999999999999999+}` and CR. */
const TAIL_OCTETS = 32;
/** Bytes of a discarded first line kept to read the tag from. */
const TAG_PREFIX_OCTETS = 256;
/** Largest literal size we are willing to skip without buffering (RFC 9051 `number` is at most 2^32-1). */
const MAX_SKIPPABLE = 0xffffffff;
const EMPTY = Buffer.alloc(0);

/** A literal marker found at the end of a line. */
interface Marker {
  /** Offset of `{` (or `~`) in the line. */
  start: number;
  /** Announced size in octets; Infinity when the number has more than 15 digits. */
  size: number;
  nonSync: boolean;
  literal8: boolean;
}

/**
 * parseMarker finds `{n}`, `{n+}`, `~{n}` or `~{n+}` at the end of `line[0, end)` (RFC 9051 `literal`,
 * RFC 7888 `literal-nonsync`, RFC 3516 `literal8`), or returns null.
 */
function parseMarker(line: Buffer, end: number): Marker | null {
  let i = end - 1;
  if (i < 2 || line[i] !== 0x7d) return null; // "}"
  i--;
  let nonSync = false;
  if (line[i] === 0x2b) {
    nonSync = true;
    i--;
  }
  const digitsEnd = i + 1;
  while (i >= 0 && line[i]! >= 0x30 && line[i]! <= 0x39) i--;
  const digits = digitsEnd - (i + 1);
  if (digits === 0 || i < 0 || line[i] !== 0x7b) return null; // "{"
  let size = 0;
  if (digits > 15) size = Infinity;
  else for (let j = i + 1; j < digitsEnd; j++) size = size * 10 + (line[j]! - 0x30);
  let start = i;
  const literal8 = start > 0 && line[start - 1] === 0x7e; // "~"
  if (literal8) start--;
  return { start, size, nonSync, literal8 };
}

/**
 * CommandReader frames one connection's input into commands. Feed it with push(); it keeps references to the
 * pushed chunks (zero copy), so callers must not reuse a chunk's memory afterwards. Memory is bounded by
 * MAX_LINE_OCTETS of pending line text plus the literal being read (at most MAX_LITERAL_OCTETS); the total
 * work is linear in the input. Limits come from limits.ts; see ReaderEvent for what is reported.
 */
export class CommandReader {
  private state = LINE;
  /** Pieces of the line being read, and their total length. */
  private pieces: Buffer[] = [];
  private pieceLen = 0;
  /** The command being assembled. */
  private lines: Buffer[] = [];
  private literals: Buffer[] = [];
  private literal8: boolean[] = [];
  private commandOctets = 0;
  /** Remaining octets of the literal being read or skipped. */
  private remaining = 0;
  private litPieces: Buffer[] = [];
  private litSize = 0;
  /** While discarding: the end of the discarded line so far, and the error to report when done. */
  private tail: Buffer = EMPTY;
  private pending: { tag: string | null; message: string; code?: string } | null = null;

  /**
   * midLine is true while a command line has begun but not ended: its text so far, the text after a literal,
   * or the rest of a line being discarded. The connection times such a line out (slowloris).
   */
  get midLine(): boolean {
    return (this.state === LINE && (this.pieceLen > 0 || this.lines.length > 0)) || this.state === SKIP_LINE;
  }

  /**
   * push consumes one chunk of input and returns the events it completes, in order (possibly none).
   * Lines end with CRLF or a bare LF. After a fatal error every later call returns [].
   */
  push(chunk: Buffer): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    const n = chunk.length;
    let pos = 0;
    while (pos < n) {
      switch (this.state) {
        case LINE: {
          const lf = chunk.indexOf(0x0a, pos);
          const end = lf < 0 ? n : lf;
          // +1: a CR before the LF is not line text.
          if (this.pieceLen + (end - pos) > MAX_LINE_OCTETS + 1) {
            this.startSkipLine(chunk, pos, end);
            continue;
          }
          if (lf < 0) {
            this.pieces.push(chunk.subarray(pos));
            this.pieceLen += n - pos;
            pos = n;
            break;
          }
          this.pieces.push(chunk.subarray(pos, lf));
          this.pieceLen += lf - pos;
          pos = lf + 1;
          const line = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.pieceLen);
          this.pieces = [];
          this.pieceLen = 0;
          const len = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
          if (len > MAX_LINE_OCTETS) {
            const first = this.lines.length > 0 ? this.lines[0]! : line;
            this.pending = { tag: this.tagFor(first), message: 'Command line too long', code: 'TOOBIG' };
            this.resetCommand();
            this.endSkippedLine(line.subarray(Math.max(0, line.length - TAIL_OCTETS)), events);
          } else {
            this.endLine(line.subarray(0, len), events);
          }
          break;
        }
        case LITERAL: {
          const take = Math.min(this.remaining, n - pos);
          this.litPieces.push(chunk.subarray(pos, pos + take));
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            const p = this.litPieces;
            this.literals.push(p.length === 1 ? p[0]! : Buffer.concat(p, this.litSize));
            this.litPieces = [];
            this.state = LINE;
          }
          break;
        }
        case SKIP_LINE: {
          const lf = chunk.indexOf(0x0a, pos);
          const end = lf < 0 ? n : lf;
          this.addTail(chunk.subarray(Math.max(pos, end - TAIL_OCTETS), end));
          if (lf < 0) {
            pos = n;
            break;
          }
          pos = lf + 1;
          const tail = this.tail;
          this.tail = EMPTY;
          this.endSkippedLine(tail, events);
          break;
        }
        case SKIP_LITERAL: {
          const take = Math.min(this.remaining, n - pos);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = SKIP_LINE;
          break;
        }
        default:
          return events;
      }
    }
    return events;
  }

  /** A complete line (without CRLF) of the current command: either ends the command or announces a literal. */
  private endLine(text: Buffer, events: ReaderEvent[]): void {
    const m = parseMarker(text, text.length);
    if (m === null) {
      this.lines.push(text);
      events.push({ kind: 'command', command: { lines: this.lines, literals: this.literals, literal8: this.literal8 } });
      this.lines = [];
      this.literals = [];
      this.literal8 = [];
      this.commandOctets = 0;
      return;
    }
    const head = text.subarray(0, m.start);
    let message: string | null = null;
    if (this.literals.length >= MAX_LITERALS_PER_COMMAND) message = 'Too many literals in one command';
    else if (m.size > MAX_LITERAL_OCTETS) message = 'Literal too large';
    else if (this.commandOctets + head.length + m.size > MAX_COMMAND_OCTETS) message = 'Command too large';
    if (message !== null) {
      const tag = this.tagFor(this.lines.length > 0 ? this.lines[0]! : head);
      this.resetCommand();
      if (!m.nonSync) {
        // The client waits for "+" and will see our tagged reply instead: the command ends here.
        events.push({ kind: 'error', tag, message, code: 'TOOBIG', fatal: false });
      } else {
        this.pending = { tag, message, code: 'TOOBIG' };
        this.skipLiteral(m.size, events);
      }
      return;
    }
    this.lines.push(head);
    this.literal8.push(m.literal8);
    this.commandOctets += head.length + m.size;
    if (!m.nonSync) events.push({ kind: 'continue' });
    if (m.size === 0) {
      this.literals.push(EMPTY);
    } else {
      this.state = LITERAL;
      this.remaining = m.size;
      this.litSize = m.size;
    }
  }

  /** The end of a discarded line: keep discarding a non-synchronizing literal that follows, else report. */
  private endSkippedLine(tail: Buffer, events: ReaderEvent[]): void {
    const end = tail.length > 0 && tail[tail.length - 1] === 0x0d ? tail.length - 1 : tail.length;
    const m = parseMarker(tail, end);
    if (m !== null && m.nonSync) {
      this.skipLiteral(m.size, events);
      return;
    }
    const p = this.pending;
    this.pending = null;
    this.state = LINE;
    if (p !== null) events.push({ kind: 'error', tag: p.tag, message: p.message, code: p.code, fatal: false });
  }

  /** Discards `size` octets of a non-synchronizing literal, then the rest of the command. */
  private skipLiteral(size: number, events: ReaderEvent[]): void {
    if (size > MAX_SKIPPABLE) {
      const tag = this.pending?.tag ?? null;
      this.pending = null;
      this.state = FAILED;
      events.push({ kind: 'error', tag, message: 'Literal size out of range', code: 'TOOBIG', fatal: true });
      return;
    }
    this.tail = EMPTY;
    this.remaining = size;
    this.state = size === 0 ? SKIP_LINE : SKIP_LITERAL;
  }

  /** The line being read grew past MAX_LINE_OCTETS: remember the tag and the end, discard to the next LF. */
  private startSkipLine(chunk: Buffer, pos: number, end: number): void {
    let first: Buffer;
    if (this.lines.length > 0) first = this.lines[0]!;
    else {
      const parts: Buffer[] = [];
      let have = 0;
      // One byte more than tagFor reads, so that a tag running past the prefix is not mistaken for a tag.
      for (let i = 0; i < this.pieces.length && have <= TAG_PREFIX_OCTETS; i++) {
        parts.push(this.pieces[i]!);
        have += this.pieces[i]!.length;
      }
      if (have <= TAG_PREFIX_OCTETS) parts.push(chunk.subarray(pos, Math.min(end, pos + TAG_PREFIX_OCTETS + 1 - have)));
      first = Buffer.concat(parts);
    }
    this.pending = { tag: this.tagFor(first), message: 'Command line too long', code: 'TOOBIG' };
    this.tail = EMPTY;
    for (let i = this.pieces.length - 1, need = TAIL_OCTETS; i >= 0 && need > 0; i--) {
      const piece = this.pieces[i]!;
      const part = piece.subarray(Math.max(0, piece.length - need));
      this.tail = this.tail.length === 0 ? part : Buffer.concat([part, this.tail]);
      need -= part.length;
    }
    this.pieces = [];
    this.pieceLen = 0;
    this.resetCommand();
    this.state = SKIP_LINE;
  }

  private addTail(bytes: Buffer): void {
    if (bytes.length >= TAIL_OCTETS) this.tail = bytes.subarray(bytes.length - TAIL_OCTETS);
    else if (bytes.length > 0) {
      const joined = Buffer.concat([this.tail, bytes]);
      this.tail = joined.subarray(Math.max(0, joined.length - TAIL_OCTETS));
    }
  }

  private tagFor(firstLine: Buffer): string | null {
    return tagOfLine(firstLine, TAG_PREFIX_OCTETS);
  }

  private resetCommand(): void {
    this.lines = [];
    this.literals = [];
    this.literal8 = [];
    this.commandOctets = 0;
  }
}
