/**
 * RETR is IMAP BODY[], byte for byte, on real and tricky mail: every message of ../shared/corpus/tricky is
 * stored exactly as found (LF, CRLF and mixed line endings, an mbox "From " line, NUL bytes: what IMAP
 * APPEND may store), then fetched over POP3 (implicit TLS and STLS) and as BODY.PEEK[] with imapflow, on
 * both storage backends. After byte-stuffing is undone the two must be equal, except that a message not
 * ending in CRLF has CRLF before POP3's terminating line; LIST sizes must be the BODY[] sizes.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareMessage } from '../../src/delivery/prepare.js';
import { imapflowClient } from '../support/imapflow.js';
import { loginPop3, POP3_MODES, unstuff } from '../support/transcript.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const TRICKY = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'tricky');

for (const backend of BACKENDS) {
  describe(`POP3 RETR equals IMAP BODY[] on corpus/tricky [${backend}]`, () => {
    let srv: TestServer;
    let files: string[];
    let raws: Buffer[];
    const imapBody = new Map<number, Buffer>();
    before(async () => {
      srv = await startTestServer(backend);
      const account = await srv.addUser('corpus@example.com', 'pw');
      const inbox = (await srv.store.getMailbox(account.id, 'INBOX'))!;
      files = (await readdir(TRICKY)).filter((f) => f.endsWith('.eml')).sort();
      raws = await Promise.all(files.map((f) => readFile(path.join(TRICKY, f))));
      await srv.store.appendMessages(
        account.id,
        inbox.id,
        raws.map((raw) => prepareMessage(raw, [], Date.UTC(2026, 10, 1))),
      );
      const client = imapflowClient(srv, 'corpus@example.com', 'pw');
      await client.connect();
      const lock = await client.getMailboxLock('INBOX', { readOnly: true });
      try {
        for await (const m of client.fetch('1:*', { uid: true, source: true })) imapBody.set(m.uid, m.source!);
      } finally {
        lock.release();
        await client.logout();
      }
    });
    after(async () => srv.close());

    it('every tricky message is in the mailbox, some with bare LF, NUL or no final line break', () => {
      assert.ok(files.length > 150, `${files.length} files`);
      assert.equal(imapBody.size, files.length);
      const bodies = [...imapBody.values()];
      assert.ok(bodies.some((b) => /(^|[^\r])\n/.test(b.toString('latin1'))), 'a message with bare LF');
      assert.ok(bodies.some((b) => !b.subarray(-2).equals(Buffer.from('\r\n'))), 'a message without a final CRLF');
      // BODY[] sends NUL as 0x80 (a literal cannot carry NUL); RETR must do the same.
      const withNul = raws.findIndex((r) => r.includes(0));
      assert.ok(withNul >= 0, 'a message with NUL');
      assert.ok(!imapBody.get(withNul + 1)!.includes(0));
    });

    for (const mode of POP3_MODES) {
      it(`RETR of every message over ${mode} gives the octets of BODY[]; LIST gives their sizes`, async () => {
        const c = await loginPop3(srv, mode, 'corpus@example.com');
        const list = await c.multiline('LIST');
        assert.equal(list.length, files.length + 1);
        for (let n = 1; n <= files.length; n++) {
          const body = imapBody.get(n)!;
          assert.equal(list[n], `${n} ${body.length}`, `LIST of ${files[n - 1]}`);
          const { status, data } = await c.multilineBytes(`RETR ${n}`);
          assert.equal(status, `+OK ${body.length} octets`, files[n - 1]);
          const expected = body.subarray(-2).equals(Buffer.from('\r\n')) || body.length === 0 ? body : Buffer.concat([body, Buffer.from('\r\n')]);
          assert.ok(unstuff(data).equals(expected), `RETR of ${files[n - 1]} differs from BODY[]`);
        }
        assert.equal(await c.command('QUIT'), '+OK Logging out.');
      });
    }
  });
}
