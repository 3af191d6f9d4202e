/**
 * Transcript tests for quotas (RFC 9208): GETQUOTAROOT, GETQUOTA, SETQUOTA refused, OVERQUOTA on APPEND,
 * COPY and MULTIAPPEND, MOVE at the limit, STATUS DELETED-STORAGE, and several connections appending at
 * once never exceeding the limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { append, appendNonSync, login, exchange, exchangeLike, msg } from '../support/transcript.js';
import { BACKENDS, serverPerSuite } from '../support/server.js';

const MSG = msg('From: Bob <bob@example.org>', 'To: alice@example.com', 'Subject: quota', '', 'x'.repeat(1500));
const SIZE = Buffer.byteLength(MSG);

for (const backend of BACKENDS) {
  describe(`quota [${backend}]`, () => {
    const env = serverPerSuite(backend, 'q');
    const account = async () => (await env.srv.store.getAccount(env.user))!;

    it('GETQUOTAROOT and GETQUOTA report STORAGE in KiB and MESSAGE; no limits, no root', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'q1', 'GETQUOTAROOT INBOX', ['* QUOTAROOT INBOX', 'q1 OK GETQUOTAROOT completed']);
      await exchange(c, 'q2', 'GETQUOTA ""', ['q2 NO [NONEXISTENT] No such quota root: ']);
      await env.srv.store.setQuota((await account()).id, { storage: 10 * 1024 * 1024, messages: 100 });
      assert.match(await append(c, 'a1', 'INBOX', MSG), /^a1 OK \[APPENDUID /);
      await exchange(c, 'q3', 'GETQUOTAROOT INBOX', [
        '* QUOTAROOT INBOX ""',
        `* QUOTA "" (STORAGE ${Math.ceil(SIZE / 1024)} 10240 MESSAGE 1 100)`,
        'q3 OK GETQUOTAROOT completed',
      ]);
      await exchange(c, 'q4', 'GETQUOTA ""', [`* QUOTA "" (STORAGE 2 10240 MESSAGE 1 100)`, 'q4 OK GETQUOTA completed']);
      await exchange(c, 'q5', 'GETQUOTA "user.other"', ['q5 NO [NONEXISTENT] No such quota root: user.other']);
      await exchange(c, 'q6', 'GETQUOTAROOT Nope', ["q6 NO [NONEXISTENT] Mailbox doesn't exist: Nope"]);
      await exchange(c, 'q7', 'SETQUOTA "" (STORAGE 1)', ['q7 NO [NOPERM] Quota limits are set by the administrator.']);
      await exchange(c, 'q8', 'GETQUOTA', ['q8 BAD Missing arguments']);
      await env.srv.store.setQuota((await account()).id, { storage: null });
      await exchange(c, 'q9', 'GETQUOTAROOT Sent', ['* QUOTAROOT Sent ""', '* QUOTA "" (MESSAGE 1 100)', 'q9 OK GETQUOTAROOT completed']);
      c.close();
    });

    it('OVERQUOTA on APPEND, MULTIAPPEND and COPY; MOVE at the limit works; STATUS DELETED-STORAGE', async () => {
      await env.srv.store.setQuota((await account()).id, { messages: 2 });
      const c = await login(env.srv.imapPort, env.user);
      assert.match(await append(c, 'a1', 'INBOX', MSG, ' (\\Deleted)'), /^a1 OK /);
      assert.match(await appendNonSync(c, 'a2', 'INBOX', MSG), /^a2 OK /);
      assert.equal(await appendNonSync(c, 'a3', 'INBOX', MSG), 'a3 NO [OVERQUOTA] Quota exceeded (too many messages)');
      await env.srv.store.setQuota((await account()).id, { messages: 3 });
      c.write(`a4 APPEND INBOX {${SIZE}+}\r\n${MSG} {${SIZE}+}\r\n${MSG}\r\n`);
      assert.deepEqual(await c.readUntilTagged('a4'), ['a4 NO [OVERQUOTA] Quota exceeded (too many messages)']);
      await exchangeLike(c, 's', 'SELECT INBOX', [/EXISTS/, /RECENT/, /UNSEEN 1/, /UIDVALIDITY/, /UIDNEXT 3/, /FLAGS/, /MAILBOXID/, /PERMANENTFLAGS/, /HIGHESTMODSEQ/, /^s OK/]);
      await exchange(c, 'st', 'STATUS Sent (MESSAGES DELETED DELETED-STORAGE)', ['* STATUS Sent (MESSAGES 0 DELETED 0 DELETED-STORAGE 0)', 'st OK STATUS completed']);
      await exchange(c, 'st2', 'STATUS INBOX (DELETED DELETED-STORAGE)', [`* STATUS INBOX (DELETED 1 DELETED-STORAGE ${Math.ceil(SIZE / 1024)})`, 'st2 OK STATUS completed']);
      await exchange(c, 'c1', 'COPY 1:2 Archive', ['c1 NO [OVERQUOTA] Quota exceeded (too many messages)']);
      await exchangeLike(c, 'c2', 'COPY 2 Archive', [/^c2 OK \[COPYUID \d+ 2 1\] COPY completed$/]);
      await exchangeLike(c, 'm1', 'MOVE 1:2 Archive', [/^\* OK \[COPYUID \d+ 1:2 2:3\] Moved$/, '* 1 EXPUNGE', '* 1 EXPUNGE', 'm1 OK MOVE completed']);
      await exchange(c, 'q', 'GETQUOTA ""', ['* QUOTA "" (MESSAGE 3 3)', 'q OK GETQUOTA completed']);
      c.close();
    });

    it('several connections appending at once never exceed the limit', async () => {
      await env.srv.store.setQuota((await account()).id, { messages: 7 });
      const clients = await Promise.all(Array.from({ length: 5 }, () => login(env.srv.imapPort, env.user)));
      // Each connection pipelines 4 APPENDs with LITERAL+, all 20 in flight at once.
      const replies = await Promise.all(
        clients.map(async (c, i) => {
          let text = '';
          for (let j = 0; j < 4; j++) text += `a${j} APPEND INBOX {${SIZE}+}\r\n${MSG}\r\n`;
          c.write(text);
          const lines = await c.readUntilTagged('a3', 20000);
          c.close();
          return lines.filter((l) => /^a\d /.test(l)).map((l) => `${i}:${l}`);
        }),
      );
      const all = replies.flat();
      assert.equal(all.length, 20);
      assert.equal(all.filter((l) => / OK \[APPENDUID /.test(l)).length, 7, all.join('\n'));
      assert.equal(all.filter((l) => l.endsWith('NO [OVERQUOTA] Quota exceeded (too many messages)')).length, 13);
      const q = await env.srv.store.getQuota((await account()).id);
      assert.equal(q.messagesUsed, 7);
      const inbox = (await env.srv.store.getMailbox((await account()).id, 'INBOX'))!;
      assert.equal((await env.srv.store.listMessages(inbox.accountId, inbox.id)).length, 7);
    });
  });
}
