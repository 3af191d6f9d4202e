/**
 * Every message of the shared corpus (/work/shared/corpus/{tricky,real}, see SOURCES.md) is parsed
 * after toCrlf, and the structural invariants that FETCH slicing relies on are checked for every part.
 * Also parses each tricky file as found (bare LF / mixed) to check offsets on non-CRLF input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MimePart } from './types.js';
import { parseMessage } from './parse.js';
import { toCrlf } from './crlf.js';

const CORPUS = '/work/shared/corpus';

/** checkPart asserts the invariants of one part and its subtree; returns the number of parts. */
function checkPart(raw: Buffer, part: MimePart, where: string, crlf: boolean): number {
  const { headerStart, headerEnd, bodyStart, bodyEnd } = part;
  assert.ok(
    headerStart >= 0 && headerStart <= headerEnd && headerEnd <= bodyStart && bodyStart <= bodyEnd && bodyEnd <= raw.length,
    `${where}: offsets out of order ${headerStart} ${headerEnd} ${bodyStart} ${bodyEnd} / ${raw.length}`,
  );
  if (crlf && part.parts.length === 0 && headerEnd > headerStart) {
    const header = raw.subarray(headerStart, headerEnd).toString('latin1');
    const whole = !header.includes('\r\n\r\n') && (header.length < 2 || !header.startsWith('\r\n'));
    assert.ok(header.endsWith('\r\n\r\n') || header === '\r\n' || whole, `${where}: header slice does not end with a blank line`);
  }
  let n = 1;
  let prevEnd = bodyStart;
  part.parts.forEach((child, i) => {
    assert.ok(child.headerStart >= prevEnd, `${where}.${i + 1}: overlaps previous part or starts before body`);
    assert.ok(child.bodyEnd <= bodyEnd, `${where}.${i + 1}: ends after parent body`);
    prevEnd = child.bodyEnd;
    n += checkPart(raw, child, `${where}.${i + 1}`, crlf);
  });
  if (part.message !== null) {
    assert.equal(part.message.headerStart, bodyStart, `${where}: encapsulated message must start at the part body`);
    assert.ok(part.message.bodyEnd <= bodyEnd, `${where}: encapsulated message ends after the part body`);
    assert.ok(part.envelope !== null, `${where}: message/rfc822 without envelope`);
    n += checkPart(raw, part.message, `${where}.msg`, crlf);
  }
  return n;
}

function files(dir: string): string[] {
  const path = join(CORPUS, dir);
  return existsSync(path) ? readdirSync(path).filter((f) => f.endsWith('.eml')).sort().map((f) => join(path, f)) : [];
}

for (const dir of ['tricky', 'real']) {
  test(`corpus ${dir}: parses every message after toCrlf, invariants hold`, (t) => {
    const list = files(dir);
    if (list.length === 0) {
      t.skip('corpus not present');
      return;
    }
    let parts = 0;
    for (const file of list) {
      const raw = toCrlf(readFileSync(file));
      const parsed = parseMessage(raw);
      parts += checkPart(raw, parsed.structure, file, true);
      assert.equal(parsed.structure.headerStart, 0);
      assert.ok(Buffer.byteLength(parsed.searchText.body) <= 1024 * 1024);
      assert.ok(parsed.sentDate === null || Number.isFinite(parsed.sentDate));
    }
    t.diagnostic(`${list.length} messages, ${parts} parts`);
  });
}

/** shape is the type tree with line counts: the same whether the message has LF or CRLF line ends. */
function shape(p: MimePart): string {
  let s = `${p.type}/${p.subtype}:${p.bodyLines}`;
  if (p.parts.length > 0) s += `[${p.parts.map(shape).join(',')}]`;
  if (p.message !== null) s += `{${shape(p.message)}}`;
  return s;
}

for (const dir of ['tricky', 'real']) {
  test(`corpus ${dir}: as found (bare LF, mixed) offsets in range, same shape as after toCrlf`, (t) => {
    const list = files(dir);
    if (list.length === 0) {
      t.skip('corpus not present');
      return;
    }
    for (const file of list) {
      const raw = readFileSync(file);
      const asFound = parseMessage(raw).structure;
      checkPart(raw, asFound, file, false);
      assert.equal(shape(asFound), shape(parseMessage(toCrlf(raw)).structure), file);
    }
  });
}
