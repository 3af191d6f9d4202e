/**
 * Replays every input saved in test/fuzz/regressions/ (by `npm run fuzz` when it finds a failure, or
 * by hand from a CI fuzz failure message): each must now pass its target.
 * File format: `{ "target": "command" | "mime", "input": "<base64>", "error"?: "...", "found"?: "ISO date" }`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { commandTarget, TARGETS, type TargetName } from './targets.js';

const DIR = path.join(import.meta.dirname, 'regressions');

describe('fuzz regressions', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
  it('has the saved cases to replay', () => {
    assert.ok(files.length > 0, `no files in ${DIR}`);
  });
  for (const file of files) {
    it(file, () => {
      const saved = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as { target: TargetName; input: string };
      const input = Buffer.from(saved.input, 'base64');
      TARGETS[saved.target](input);
      if (saved.target === 'command') for (const chunk of [1, 3, 7]) commandTarget(input, chunk);
    });
  }
});
