/**
 * mbox import (mboxrd, as read by most tools): messages start at a "From " line at the start of the file
 * or after an empty line; that envelope line is not part of the message (it gives the internal date);
 * quoted lines ">From ", ">>From ", ... lose one ">"; the empty line before the next "From " line belongs
 * to the mbox format, not to the message. Status, X-Status and X-Keywords header fields (written by mutt,
 * Thunderbird and Dovecot) give flags and stay in the bytes, except the block of them `letterbox export`
 * puts first in each message, which is taken away again (formats/mbox.ts). The file is streamed: memory
 * holds one message at a time.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { statusFlags, takeFlagBlock } from '../formats/mbox.js';
import { headerFields, headerValue, parseFromLineDate, parseMailDate } from './headers.js';
import { describeFsError, overLimit, type ImportEvent, type ImportSource } from './types.js';

/** isMbox reports whether the file at `file` begins with an mbox "From " line. */
export async function isMbox(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(5);
    const { bytesRead } = await fh.read(buf, 0, 5, 0);
    return bytesRead === 5 && buf.toString('latin1') === 'From ';
  } finally {
    await fh.close();
  }
}

/**
 * openMbox streams the mbox file `file`, whose messages go to `folder` (default [], the import target).
 * Messages larger than `maxOctets` are counted, not kept, and reported as skipped. Internal date: the
 * envelope line's date, else the Date header, else the file's mtime.
 */
export async function openMbox(file: string, maxOctets: number, folder: string[] = []): Promise<ImportSource> {
  const st = await stat(file);
  return {
    kind: 'mbox',
    path: file,
    totalOctets: st.size,
    events: () => readMbox(file, maxOctets, st.mtimeMs, folder),
  };
}

interface Pending {
  envelope: string;
  parts: Buffer[];
  size: number;
  start: number;
  index: number;
  /** True when the last line pushed was empty: it is dropped if a "From " line or the end of file follows. */
  lastBlank: boolean;
  lastLineLength: number;
}

const FROM = Buffer.from('From ', 'latin1');

/** MAX_PENDING_LINE bounds the bytes held while waiting for a line's end (octets); longer lines are taken in pieces. */
const MAX_PENDING_LINE = 4 * 1024 * 1024;

async function* readMbox(file: string, maxOctets: number, mtimeMs: number, folder: string[]): AsyncGenerator<ImportEvent> {
  const state: { current: Pending | null } = { current: null };
  let carry: Buffer | null = null;
  let offset = 0; // file offset of the next line
  let count = 0;

  const finish = (p: Pending, endOffset: number): ImportEvent => {
    if (p.lastBlank) {
      p.parts.pop();
      p.size -= p.lastLineLength;
    }
    const source = `${file}, message ${p.index} at byte ${p.start}`;
    const sourceOctets = endOffset - p.start;
    if (p.size > maxOctets) return { kind: 'skip', source, reason: overLimit(p.size, maxOctets), sourceOctets };
    if (p.size === 0) return { kind: 'skip', source, reason: 'empty message', sourceOctets };
    let raw = Buffer.concat(p.parts, p.size);
    // The flag block export wrote is mbox metadata: its flags, not part of the message.
    const block = takeFlagBlock(raw);
    if (block) raw = raw.subarray(block.length);
    const head = headerFields(raw);
    const dateHeader = headerValue(head, 'date');
    const internalDate = parseFromLineDate(p.envelope) ?? (dateHeader ? parseMailDate(dateHeader) : null) ?? Math.floor(mtimeMs);
    const fields = block?.fields ?? { status: headerValue(head, 'status'), xStatus: headerValue(head, 'x-status'), xKeywords: headerValue(head, 'x-keywords') };
    return { kind: 'message', folder, raw, flags: statusFlags(fields), internalDate, source, sourceOctets };
  };

  // A line longer than MAX_PENDING_LINE is passed on in pieces; only a piece that starts a line is looked at.
  let midLine = false;
  const line = (buf: Buffer, terminated: boolean): ImportEvent | null => {
    const lineStart = offset;
    offset += buf.length;
    const atLineStart = !midLine;
    midLine = !terminated;
    const isBlank = atLineStart && terminated && (buf.length === 1 || (buf.length === 2 && buf[0] === 0x0d));
    const current = state.current;
    if (atLineStart && buf.length >= 5 && buf[0] === 0x46 && buf.subarray(0, 5).equals(FROM) && (current === null || current.lastBlank)) {
      const done = current ? finish(current, lineStart) : null;
      state.current = { envelope: buf.toString('latin1').trimEnd(), parts: [], size: 0, start: lineStart, index: ++count, lastBlank: false, lastLineLength: 0 };
      return done;
    }
    if (current === null) return null; // bytes before the first "From " line: isMbox rules this out
    let out = buf;
    if (atLineStart && buf[0] === 0x3e /* > */) {
      let i = 0;
      while (buf[i] === 0x3e) i++;
      if (buf.length >= i + 5 && buf.subarray(i, i + 5).equals(FROM)) out = buf.subarray(1);
    }
    current.size += out.length;
    if (current.size <= maxOctets) current.parts.push(out);
    else current.parts.length = 0;
    current.lastBlank = isBlank;
    current.lastLineLength = out.length;
    return null;
  };

  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = null;
      let pos = 0;
      for (;;) {
        const nl = data.indexOf(0x0a, pos);
        if (nl < 0) break;
        const ev = line(data.subarray(pos, nl + 1), true);
        if (ev) yield ev;
        pos = nl + 1;
      }
      if (pos < data.length) carry = data.subarray(pos);
      if (carry && carry.length > MAX_PENDING_LINE) {
        const ev = line(carry, false);
        if (ev) yield ev;
        carry = null;
      }
    }
    if (carry) {
      const ev = line(carry, true);
      if (ev) yield ev;
    }
  } catch (err) {
    yield { kind: 'skip', source: `${file}, from byte ${offset}`, reason: describeFsError(err), sourceOctets: 0 };
    return;
  }
  if (state.current) yield finish(state.current, offset);
}
