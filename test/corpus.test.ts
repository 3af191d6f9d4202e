/**
 * End to end on real mail: every message of ../shared/corpus/real and ../shared/corpus/tricky is
 * imported with the real CLI (`letterbox import`, a separate process writing while the server runs),
 * then fetched back over TLS with a real client (imapflow): BODY[] must be byte-identical to the
 * source after the documented import transform (a leading mbox "From " line removed, bare LF -> CRLF),
 * and ENVELOPE and BODYSTRUCTURE of every tricky message must come back and parse.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ImapFlow } from 'imapflow';
import { imapflowClient } from './support/imapflow.js';
import { stripEnvelopeLine } from '../src/import/eml.js';
import { toCrlf } from '../src/mime/crlf.js';
import { bin, runCli } from './support/cli.js';
import { RawClient } from './support/line-client.js';
import { BACKENDS, startTestServer, type TestServer } from './support/server.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus');

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * expected reads a corpus folder and returns, per message, the bytes BODY[] must return: the file after
 * the import transform. A literal cannot carry NUL (RFC 9051 section 9: literal = ... *CHAR8, and CHAR8
 * excludes %x00), so BODY[] sends NUL as 0x80, as Dovecot does; BINARY[] (RFC 3516 literal8) returns
 * those messages exactly, which `withNul` lists for a separate check.
 */
async function expected(dir: string): Promise<{ hashes: string[]; withNul: Map<string, Buffer> }> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.eml'));
  const hashes: string[] = [];
  const withNul = new Map<string, Buffer>();
  for (const n of names) {
    const body = toCrlf(stripEnvelopeLine(await readFile(path.join(dir, n))).message);
    if (body.includes(0)) {
      const served = Buffer.from(body);
      for (let i = served.indexOf(0); i >= 0; i = served.indexOf(0, i + 1)) served[i] = 0x80;
      withNul.set(sha256(served), body);
      hashes.push(sha256(served));
    } else hashes.push(sha256(body));
  }
  return { hashes: hashes.sort(), withNul };
}

for (const backend of BACKENDS) {
  describe(`corpus round trip [${backend}]`, { timeout: 600_000 }, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend);
      const r = await runCli(['user', 'add', 'alice@example.com', '--password-stdin', ...srv.cliArgs], 'pw\n');
      assert.equal(r.code, 0, r.stderr);
    });
    after(async () => srv.close());

    const connect = async (): Promise<ImapFlow> => {
      const c = imapflowClient(srv, 'alice@example.com', 'pw');
      await c.connect();
      return c;
    };

    for (const [corpus, mailbox] of [
      ['real', 'INBOX'],
      ['tricky', 'Tricky'],
    ] as const) {
      it(`imports ${corpus}/ and serves every message byte-identical`, async () => {
        const dir = path.join(CORPUS, corpus);
        const args = [bin(), 'import', 'alice@example.com', dir, ...srv.cliArgs];
        if (mailbox !== 'INBOX') args.push('--mailbox', mailbox);
        const { code, stdout, stderr } = await runCli(args.slice(1));
        assert.equal(code, 0, stderr);
        const { hashes, withNul } = await expected(dir);
        assert.match(stdout, new RegExp(`imported ${hashes.length} messages`));
        const c = await connect();
        try {
          await c.mailboxOpen(mailbox);
          assert.equal((c.mailbox as { exists: number }).exists, hashes.length);
          const got: string[] = [];
          const nulUids = new Map<number, Buffer>();
          for await (const m of c.fetch('1:*', { uid: true, source: true, envelope: true, bodyStructure: true })) {
            const h = sha256(m.source!);
            got.push(h);
            if (withNul.has(h)) nulUids.set(m.uid, withNul.get(h)!);
            if (corpus === 'tricky') {
              assert.ok(m.envelope, `ENVELOPE of UID ${m.uid}`);
              assert.ok(m.bodyStructure && typeof m.bodyStructure.type === 'string', `BODYSTRUCTURE of UID ${m.uid}`);
            }
          }
          const missing = hashes.filter((h) => !got.includes(h));
          const extra = got.filter((h) => !hashes.includes(h));
          assert.deepEqual({ count: got.length, missing, extra }, { count: hashes.length, missing: [], extra: [] });
          assert.equal(nulUids.size, withNul.size);
          for (const [uid, exact] of nulUids) {
            const raw = await RawClient.connect(srv.imapPort);
            await raw.command('l', 'LOGIN alice@example.com pw');
            await raw.command('s', `EXAMINE ${mailbox}`);
            const lines = await raw.command('f', `UID FETCH ${uid} BINARY.PEEK[]`);
            assert.equal(lines[0], `* ${lines[0]!.split(' ')[1]} FETCH (UID ${uid} BINARY[] ~{${exact.length}}\r\n${exact.toString('utf8')})`);
            raw.close();
          }
        } finally {
          await c.logout();
        }
      });
    }
  });
}
