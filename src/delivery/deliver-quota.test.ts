/**
 * deliver() against the real store: the quota holds for delivery too (import now, LMTP later), and a
 * refused batch leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openSqliteStore } from '../store/sqlite/store.js';
import { StoreError } from '../store/types.js';
import { deliver } from './deliver.js';

const raw = (i: number): Buffer => Buffer.from(`From: a@example.org\r\nSubject: ${i}\r\n\r\nbody ${i}\r\n`);

describe('deliver', () => {
  it('refuses a batch that would exceed the quota with OVERQUOTA and stores none of it', async () => {
    const store = await openSqliteStore(':memory:', { quota: { storage: null, messages: 3 } });
    try {
      const account = await store.createAccount('a@example.com', 'x');
      const first = await deliver(store, account, 'Lists/Work', [1, 2].map((i) => ({ raw: raw(i), flags: [], internalDate: 0 })));
      assert.deepEqual(first, { uids: [1, 2], mailbox: 'Lists/Work' });
      await assert.rejects(
        deliver(store, account, 'INBOX', [3, 4].map((i) => ({ raw: raw(i), flags: [], internalDate: 0 }))),
        (err: unknown) => err instanceof StoreError && err.kind === 'OVERQUOTA',
      );
      const inbox = (await store.getMailbox(account.id, 'INBOX'))!;
      assert.deepEqual(await store.listMessages(account.id, inbox.id), []);
      assert.deepEqual((await deliver(store, account, 'INBOX', [{ raw: raw(5), flags: [], internalDate: 0 }])).uids, [1]);
      assert.equal((await store.getQuota(account.id)).messagesUsed, 3);
    } finally {
      await store.close();
    }
  });
});
