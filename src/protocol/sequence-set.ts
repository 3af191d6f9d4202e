/**
 * Sequence sets (RFC 9051 section 9 `sequence-set`, RFC 5182 "$"): parsing and membership. Rendering is
 * formatSequenceSet in encoder.ts.
 */
import { ParseError, type SequenceRange, type SequenceSet } from './types.js';

const MAX_NUMBER = 0xffffffff;

/**
 * parseSequenceSet parses "1", "1:5", "5:1", "*", "1:*", "2,4:7,9" or "$" (RFC 9051 `sequence-set`,
 * RFC 5182 `seq-last-command`). Numbers are nz-number (1 .. 2^32-1, no leading zero).
 * Throws ParseError on an empty set, 0, an empty element, or "$" combined with anything else.
 */
export function parseSequenceSet(text: string): SequenceSet {
  if (text === '$') return { kind: 'saved' };
  const ranges: SequenceRange[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    let start: number | null;
    [start, i] = readSeqNumber(text, i);
    let end = start;
    if (i < n && text.charCodeAt(i) === 0x3a) [end, i] = readSeqNumber(text, i + 1);
    ranges.push({ start, end });
    if (i === n) break;
    if (text.charCodeAt(i) !== 0x2c) throw bad(text);
    i++;
  }
  return { kind: 'set', ranges };
}

/** Reads a seq-number ("*" or nz-number) at i; returns it (null for "*") and the next index. */
function readSeqNumber(text: string, i: number): [number | null, number] {
  const c = text.charCodeAt(i);
  if (c === 0x2a) return [null, i + 1];
  if (!(c >= 0x31 && c <= 0x39)) throw bad(text);
  let v = 0;
  let j = i;
  for (; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (d < 0x30 || d > 0x39) break;
    v = v * 10 + (d - 0x30);
    if (v > MAX_NUMBER) throw bad(text);
  }
  return [v, j];
}

function bad(text: string): ParseError {
  return new ParseError(`Invalid sequence set: ${text.length > 40 ? text.slice(0, 40) + '...' : text}`);
}

function checkResolved(set: SequenceSet): asserts set is { kind: 'set'; ranges: SequenceRange[] } {
  if (set.kind === 'saved') throw new RangeError('sequence set "$" must be replaced by the saved result first');
}

/**
 * setIntervals resolves a set against `max` (the largest number in use: message count or largest UID; "*"
 * stands for it) into sorted, merged, non-overlapping [lo, hi] pairs within 1..max. A range reaching past
 * max is cut at max, so "100:*" with max 5 gives [5, 5], as RFC 9051 section 6.4.8 asks for UID ranges.
 * Throws RangeError for "$": resolve it with the saved result first.
 */
export function setIntervals(set: SequenceSet, max: number): Array<[number, number]> {
  checkResolved(set);
  const raw: Array<[number, number]> = [];
  for (const r of set.ranges) {
    const a = r.start ?? max;
    const b = r.end ?? max;
    const lo = Math.max(1, Math.min(a, b));
    const hi = Math.min(max, Math.max(a, b));
    if (lo <= hi) raw.push([lo, hi]);
  }
  if (raw.length <= 1) return raw;
  raw.sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [raw[0]!];
  for (let k = 1; k < raw.length; k++) {
    const last = out[out.length - 1]!;
    const cur = raw[k]!;
    if (cur[0] <= last[1] + 1) last[1] = Math.max(last[1], cur[1]);
    else out.push(cur);
  }
  return out;
}

/**
 * forEachInSet calls fn once for every number of the set within 1..max, in ascending order, without
 * duplicates ("*" = max). Throws RangeError for "$" (see setIntervals).
 */
export function forEachInSet(set: SequenceSet, max: number, fn: (n: number) => void): void {
  for (const [lo, hi] of setIntervals(set, max)) for (let k = lo; k <= hi; k++) fn(k);
}

/**
 * contains tells whether n (1-based) is in the set when "*" stands for max. n beyond max is never
 * contained. Throws RangeError for "$" (see setIntervals).
 */
export function contains(set: SequenceSet, n: number, max: number): boolean {
  checkResolved(set);
  if (n < 1 || n > max) return false;
  for (const r of set.ranges) {
    const a = r.start ?? max;
    const b = r.end ?? max;
    if (a <= b ? n >= a && n <= b : n >= b && n <= a) return true;
  }
  return false;
}
