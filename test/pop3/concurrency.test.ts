/**
 * POP3 and IMAP on one INBOX, on both storage backends: what POP3 QUIT expunges reaches IMAP sessions
 * that have INBOX selected (EXPUNGE, VANISHED under QRESYNC, pushed during IDLE); mail delivered during
 * a POP3 session waits for the next one; two POP3 sessions on one maildrop (allowed, see
 * src/pop3/server.ts); a message expunged elsewhere during a POP3 session; a session that ends without
 * QUIT deletes nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deliver } from '../../src/delivery/deliver.js';
import type { Store } from '../../src/store/types.js';
import type { RawClient } from '../support/line-client.js';
import { login, loginPop3, POP3_MODES, exchange, msg } from '../support/transcript.js';
import { BACKENDS, serverPerSuite } from '../support/server.js';

const message = (i: number): Buffer => Buffer.from(msg(`Subject: message ${i}`, `Message-ID: <m${i}@example.org>`, '', `Body ${i}`));

/** fill delivers messages 1..n into the user's INBOX (the path LMTP takes) and returns the account id and INBOX id. */
async function fill(store: Store, email: string, n: number, from = 1): Promise<{ accountId: number; inbox: number }> {
  const account = (await store.getAccount(email))!;
  await deliver(store, account, 'INBOX', Array.from({ length: n }, (_, i) => ({ raw: message(from + i), flags: [], internalDate: Date.UTC(2026, 10, 1 + i) })));
  return { accountId: account.id, inbox: (await store.getMailbox(account.id, 'INBOX'))!.id };
}

/** noopUntil sends NOOP until the reply carries an untagged response (the change notice may take a moment on PostgreSQL), and returns that reply. */
async function noopUntil(c: RawClient, tag: string): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (let i = 0; ; i++) {
    const lines = await c.command(`${tag}${i}`, 'NOOP');
    if (lines.length > 1 || Date.now() > deadline) return lines.map((l) => l.replace(`${tag}${i} `, `${tag} `));
    await sleep(50);
  }
}

const uids = async (store: Store, accountId: number, inbox: number): Promise<number[]> => (await store.listMessages(accountId, inbox)).map((m) => m.uid);

for (const backend of BACKENDS) {
  describe(`POP3 and IMAP on one INBOX [${backend}]`, () => {
    const env = serverPerSuite(backend, 'both');

    for (const mode of POP3_MODES) {
      it(`POP3 QUIT over ${mode} expunges the DELE-marked messages; IMAP sessions with INBOX selected see EXPUNGE, VANISHED, and IDLE gets it pushed`, async () => {
        const { accountId, inbox } = await fill(env.srv.store, env.user, 5);
        const plain = await login(env.srv.imapPort, env.user);
        assert.match((await plain.command('s', 'SELECT INBOX')).join('\n'), /\* 5 EXISTS/);
        const qresync = await login(env.srv.imapPort, env.user);
        await qresync.command('e', 'ENABLE QRESYNC');
        assert.match((await qresync.command('s', 'SELECT INBOX')).join('\n'), /\* 5 EXISTS/);
        const idle = await login(env.srv.imapPort, env.user);
        await idle.command('s', 'SELECT INBOX');
        idle.send('i IDLE');
        assert.equal(await idle.readLine(), '+ idling');

        const pop = await loginPop3(env.srv, mode, env.user);
        assert.equal(await pop.command('DELE 2'), '+OK Message 2 deleted.');
        assert.equal(await pop.command('DELE 4'), '+OK Message 4 deleted.');
        // Marks are the POP3 session's own: IMAP sees nothing yet.
        await exchange(plain, 'n0', 'NOOP', ['n0 OK NOOP completed']);
        assert.deepEqual(await uids(env.srv.store, accountId, inbox), [1, 2, 3, 4, 5]);
        assert.equal(await pop.command('QUIT'), '+OK Logging out; 2 messages deleted.');
        assert.equal(await pop.closedByServer(), true);

        assert.deepEqual([await idle.readLine(), await idle.readLine()], ['* 2 EXPUNGE', '* 3 EXPUNGE']);
        idle.send('DONE');
        assert.equal(await idle.readLine(), 'i OK IDLE terminated');
        assert.deepEqual(await noopUntil(plain, 'n'), ['* 2 EXPUNGE', '* 3 EXPUNGE', 'n OK NOOP completed']);
        // VANISHED is followed by the HIGHESTMODSEQ that covers it (RFC 7162 section 3.2.10): the expunge's.
        const highest = (await env.srv.store.getMailbox(accountId, 'INBOX'))!.highestModseq;
        assert.deepEqual(await noopUntil(qresync, 'n'), ['* VANISHED 2,4', `* OK [HIGHESTMODSEQ ${highest}] Highest`, 'n OK NOOP completed']);
        await exchange(plain, 'f', 'FETCH 1:* (UID)', ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 3)', '* 3 FETCH (UID 5)', 'f OK FETCH completed']);
        assert.deepEqual(await uids(env.srv.store, accountId, inbox), [1, 3, 5]);
        for (const c of [plain, qresync, idle]) c.close();
      });
    }

    it('mail delivered during a POP3 session is for the next session; IMAP sees it at once', async () => {
      await fill(env.srv.store, env.user, 2);
      const pop = await loginPop3(env.srv, 'TLS', env.user);
      assert.equal(await pop.command('STAT'), `+OK 2 ${message(1).length + message(2).length}`);
      await fill(env.srv.store, env.user, 1, 3);
      assert.equal(await pop.command('STAT'), `+OK 2 ${message(1).length + message(2).length}`);
      assert.equal(await pop.command('LIST 3'), '-ERR There is no message 3; the maildrop has 2 messages.');
      const imap = await login(env.srv.imapPort, env.user);
      await exchange(imap, 's', 'STATUS INBOX (MESSAGES)', ['* STATUS INBOX (MESSAGES 3)', 's OK STATUS completed']);
      assert.equal(await pop.command('QUIT'), '+OK Logging out.');
      const next = await loginPop3(env.srv, 'STLS', env.user);
      assert.equal(await next.command('LIST 3'), `+OK 3 ${message(3).length}`);
      next.close();
      imap.close();
    });

    it('two POP3 sessions on one maildrop: both are let in; what one expunges, the other is told is gone', async () => {
      const { accountId, inbox } = await fill(env.srv.store, env.user, 3);
      const a = await loginPop3(env.srv, 'TLS', env.user);
      const b = await loginPop3(env.srv, 'STLS', env.user);
      assert.equal(await a.command('DELE 1'), '+OK Message 1 deleted.');
      assert.equal(await a.command('QUIT'), '+OK Logging out; 1 message deleted.');
      // b numbers the maildrop as it was at its login; message 1 is gone now.
      assert.equal(await b.command('LIST 1'), `+OK 1 ${message(1).length}`);
      assert.equal(await b.command('RETR 1'), '-ERR Message 1 was deleted by another session.');
      assert.equal(await b.command('TOP 1 0'), '-ERR Message 1 was deleted by another session.');
      const r2 = await b.multilineBytes('RETR 2');
      assert.equal(r2.status, `+OK ${message(2).length} octets`);
      assert.equal(await b.command('DELE 1'), '+OK Message 1 deleted.');
      assert.equal(await b.command('DELE 3'), '+OK Message 3 deleted.');
      assert.equal(await b.command('QUIT'), '+OK Logging out; 2 messages deleted.');
      assert.deepEqual(await uids(env.srv.store, accountId, inbox), [2]);
    });

    it('an IMAP expunge during a POP3 session: RETR and TOP of that message answer that it is gone', async () => {
      await fill(env.srv.store, env.user, 3);
      const pop = await loginPop3(env.srv, 'TLS', env.user);
      const imap = await login(env.srv.imapPort, env.user);
      await imap.command('s', 'SELECT INBOX');
      await exchange(imap, 'x', 'UID STORE 3 +FLAGS.SILENT (\\Deleted)', ['x OK UID STORE completed']);
      await exchange(imap, 'y', 'EXPUNGE', ['* 3 EXPUNGE', 'y OK EXPUNGE completed']);
      assert.equal(await pop.command('RETR 3'), '-ERR Message 3 was deleted by another session.');
      assert.equal(await pop.command('TOP 3 1'), '-ERR Message 3 was deleted by another session.');
      assert.equal((await pop.multilineBytes('RETR 1')).status, `+OK ${message(1).length} octets`);
      assert.equal(await pop.command('QUIT'), '+OK Logging out.');
      imap.close();
    });

    it('a POP3 session that ends without QUIT deletes nothing', async () => {
      const { accountId, inbox } = await fill(env.srv.store, env.user, 3);
      const pop = await loginPop3(env.srv, 'STLS', env.user);
      assert.equal(await pop.command('DELE 1'), '+OK Message 1 deleted.');
      assert.equal(await pop.command('DELE 3'), '+OK Message 3 deleted.');
      pop.close();
      const deadline = Date.now() + 10_000;
      while (env.srv.pop3.connectionCount() > 0 && Date.now() < deadline) await sleep(20);
      assert.equal(env.srv.pop3.connectionCount(), 0);
      assert.deepEqual(await uids(env.srv.store, accountId, inbox), [1, 2, 3]);
    });
  });
}
