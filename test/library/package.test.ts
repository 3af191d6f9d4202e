/**
 * The library as a user gets it: `npm pack` makes the tarball, `npm install` puts it with its dependencies
 * and imapflow into an empty folder, and there the README's example test runs (`node --test`) and a
 * TypeScript file using the package's types compiles. npm takes the dependencies from its cache (the
 * registry when missing); better-sqlite3 is installed without its build step and given the addon this
 * repository compiled for the same version, which saves the ~70 s compile and changes nothing it does.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { bin } from '../support/cli.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

async function json(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

describe('the packed package', { timeout: 300_000 }, () => {
  let dir = '';
  let app = '';
  before(async () => {
    bin(); // refuses a dist/ older than src/: the tarball must hold what the tests test
    dir = await mkdtemp(path.join(os.tmpdir(), 'lb-pack-'));
    app = path.join(dir, 'app');
    // --ignore-scripts: dist/ is built already (npm test builds first); `prepare` would build it again.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed!.files.map((f) => f.path);
    assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts') && files.includes('bin/letterbox.js'), 'the entry points are packed');
    assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.tsbuildinfo')), 'no sources, tests or build state');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const ours = await json(path.join(ROOT, 'package.json'));
    const imapflow = (ours.devDependencies as Record<string, string>).imapflow!;
    // better-sqlite3 at the version compiled here (the package's range allows it), so its addon can be copied.
    const sqlite = (await json(path.join(ROOT, 'node_modules', 'better-sqlite3', 'package.json'))).version as string;
    await run('npm', ['install', ...NPM_FLAGS, '--ignore-scripts', path.join(dir, packed!.filename), `imapflow@${imapflow}`, `better-sqlite3@${sqlite}`], { cwd: app, timeout: 240_000 });
    const addon = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    const installed = await json(path.join(app, 'node_modules', 'better-sqlite3', 'package.json'));
    assert.equal(installed.version, sqlite, 'the addon copied is for the version installed');
    await mkdir(path.dirname(path.join(app, addon)), { recursive: true });
    await copyFile(path.join(ROOT, addon), path.join(app, addon));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("runs the README's example test against the installed package", async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const example = /```js\n(\/\/ mail\.test\.mjs\n[\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example, 'the README has the example');
    await writeFile(path.join(app, 'mail.test.mjs'), example);
    // Without NODE_TEST_CONTEXT (set for this file by the runner): the example's runner must report as it would for a user.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const r = await run(process.execPath, ['--test', '--test-reporter=tap', 'mail.test.mjs'], { cwd: app, env, timeout: 120_000 }).catch((err: { stdout: string; stderr: string }) => {
      assert.fail(`the example failed:\n${err.stdout}\n${err.stderr}`);
    });
    assert.match(r.stdout, /^# pass 1$/m);
    assert.match(r.stdout, /^# fail 0$/m);
  });

  it('gives TypeScript its types: a file using them compiles, a wrong use does not', async () => {
    const good = `import { startServer, type LetterboxServer, type ServerOptions } from 'letterbox';
const options: ServerOptions = { ports: { pop3: false, lmtp: 2424 }, logLevel: 'silent' };
const server: LetterboxServer = await startServer(options);
const port: number | undefined = server.imaps?.port;
const stored: { mailbox: string; uid: number } = await server.deliver('t@example.com', new Uint8Array([0x41]), { from: 'a@example.org' });
console.log(port, stored.uid, server.certificate.length);
await server.close();
`;
    await writeFile(path.join(app, 'good.ts'), good);
    await writeFile(path.join(app, 'bad.ts'), `import { startServer } from 'letterbox';\nawait startServer({ ports: { imap: 'x' } });\n`);
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types')];
    await run(process.execPath, [tsc, ...flags, 'good.ts'], { cwd: app }).catch((err: { stdout: string }) => assert.fail(`good.ts does not compile:\n${err.stdout}`));
    const bad = await run(process.execPath, [tsc, ...flags, 'bad.ts'], { cwd: app }).then(
      () => '',
      (err: { stdout: string }) => err.stdout,
    );
    assert.match(bad, /bad\.ts\(2,30\): error TS2322: Type 'string' is not assignable to type 'PortOption/);
  });
});
