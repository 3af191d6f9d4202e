#!/usr/bin/env node
// The `letterbox` command: runs the compiled JavaScript in dist/ (`npm run build`, which `npm ci` runs).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('letterbox: not built: run "npm run build" (or "npm ci") in the letterbox directory first\n');
  process.exit(70);
}
const { run } = await import(main.href);
await run(process.argv);
