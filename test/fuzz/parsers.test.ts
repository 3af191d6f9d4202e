/**
 * Fuzzing the command framer and parsers (src/protocol, src/imap/commands/*.parse) and the MIME parser
 * (src/mime/parse.ts), in CI: property-based tests with fast-check, then a mutation fuzzer seeded with
 * valid commands and ../shared/corpus/tricky for a time budget (LETTERBOX_FUZZ_SECONDS per target,
 * default 8). No exception other than ParseError/MailboxNameError/ImapError may escape, and the framer's memory stays
 * bounded whatever it is fed. `npm run fuzz -- --seconds N` runs the same targets for longer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { MAX_LINE_OCTETS } from '../../src/limits.js';
import { CommandReader, type ReaderEvent } from '../../src/protocol/reader.js';
import { commandSeeds, commandTarget, FuzzFailure, fuzzFor, mimeSeeds, mimeTarget, type TargetName } from './targets.js';

const SECONDS = Number(process.env.LETTERBOX_FUZZ_SECONDS ?? 8);
const SEED = Number(process.env.LETTERBOX_FUZZ_SEED ?? Date.now() % 1_000_000);
const RUNS = Number(process.env.LETTERBOX_FUZZ_RUNS ?? 300);

/** describeFailure turns a FuzzFailure into a message with the input, to paste into test/fuzz/regressions/. */
function describeFailure(err: unknown): never {
  if (err instanceof FuzzFailure) {
    assert.fail(`${err.message}\nseed ${SEED}; save as test/fuzz/regressions/<name>.json:\n${JSON.stringify({ target: err.target, input: err.input.toString('base64') })}\n${(err.cause as Error)?.stack ?? ''}`);
  }
  throw err;
}

function fuzz(target: TargetName, seeds: Buffer[]): number {
  try {
    return fuzzFor(target, seeds, { ms: SECONDS * 1000, seed: SEED });
  } catch (err) {
    describeFailure(err);
  }
}

/** Events as comparable text (commands as their lines and literals in hex). */
function show(events: ReaderEvent[]): string[] {
  return events.map((e) =>
    e.kind === 'command' ? `cmd ${e.command.lines.map((l) => l.toString('hex')).join('|')} / ${e.command.literals.map((l) => l.toString('hex')).join('|')}` : e.kind === 'continue' ? 'continue' : `err ${e.tag} ${e.message} ${e.fatal}`,
  );
}

describe('fuzz: command framing and parsing', () => {
  const seeds = commandSeeds();

  it('property: arbitrary bytes never make the framer or a parser throw anything but ParseError/MailboxNameError/ImapError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => commandTarget(Buffer.from(bytes))),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('property: valid commands with grammar tokens inserted anywhere are refused cleanly', () => {
    const tokens = ['(', ')', '{3}', '{0+}', '"', '\\', '*', '%', ' ', '\0', '\r\n', '[', ']', '<1.2>', 'NIL', '~{1}', '&', '4294967296', 'UID ', 'NOT '];
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...tokens)), { maxLength: 6 }), (seed, edits) => {
        let b = seed;
        for (const [pos, tok] of edits) {
          const at = pos % (b.length + 1);
          b = Buffer.concat([b.subarray(0, at), Buffer.from(tok, 'latin1'), b.subarray(at)]);
        }
        commandTarget(b);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('property: framing does not depend on how the input is split into chunks', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.tuple(fc.constantFrom(...seeds), fc.constantFrom(...seeds)).map(([a, b]) => Buffer.concat([a, b])),
    );
    fc.assert(
      fc.property(bytes, fc.integer({ min: 1, max: 17 }), (input, size) => {
        const whole = new CommandReader().push(input);
        const r = new CommandReader();
        const parts: ReaderEvent[] = [];
        for (let i = 0; i < input.length; i += size) parts.push(...r.push(input.subarray(i, i + size)));
        assert.deepEqual(show(parts), show(whole));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`mutation fuzzer over ${seeds.length} valid commands for ${SECONDS} s`, () => {
    const n = fuzz('command', seeds);
    assert.ok(n > seeds.length, `ran ${n} inputs`);
  });

  it('the framer keeps bounded memory for endless lines and huge skipped literals', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage().arrayBuffers;
    const reader = new CommandReader();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const events: ReaderEvent[] = [];
    // 64 MiB of a line that never ends, then a huge non-synchronizing literal that is skipped.
    for (let i = 0; i < 1024; i++) events.push(...reader.push(chunk));
    events.push(...reader.push(Buffer.from('\r\nb APPEND x {1000000000+}\r\n')));
    for (let i = 0; i < 1024; i++) events.push(...reader.push(chunk));
    gc();
    const held = process.memoryUsage().arrayBuffers - base;
    assert.ok(held < 4 * MAX_LINE_OCTETS + 1024 * 1024, `the reader holds ${held} octets`);
    assert.deepEqual(show(events), ['err null Command line too long false']);
    assert.ok(reader.midLine === false);
  });
});

describe('fuzz: MIME parser', () => {
  const seeds = mimeSeeds();

  it('property: arbitrary bytes and corrupted corpus messages parse without throwing, offsets in range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => mimeTarget(Buffer.from(bytes))),
      { numRuns: RUNS, seed: SEED },
    );
    fc.assert(
      fc.property(fc.constantFrom(...seeds.slice(0, 60)), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 64 }), (msg, pos, junk) => {
        const at = pos % (msg.length + 1);
        mimeTarget(Buffer.concat([msg.subarray(0, at), Buffer.from(junk), msg.subarray(at + junk.length)]));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`mutation fuzzer over the tricky corpus for ${SECONDS} s`, () => {
    assert.ok(seeds.length > 100 || process.env.CI !== 'true', 'the tricky corpus is missing');
    const n = fuzz('mime', seeds);
    assert.ok(n > seeds.length, `ran ${n} inputs`);
  });
});
