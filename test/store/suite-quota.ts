/**
 * Store suite part 4: quotas (RFC 9208). Usage counts every message of the account (copies again);
 * limits are checked and usage updated in the same transaction as the write.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { mailboxId, message, newAccount, rejectsWith, type Ctx } from './helpers.js';

/** quotaTests covers getQuota/setQuota/recomputeQuota and OVERQUOTA on append and copy. */
export function quotaTests(ctx: Ctx): void {
  it('counts octets and messages through append, copy, move, expunge and mailbox deletion', async () => {
    const s = ctx.store;
    const { accountId, inbox } = await newAccount(s);
    assert.deepEqual(await s.getQuota(accountId), { storageLimit: null, messageLimit: null, storageUsed: 0, messagesUsed: 0 });
    const a = message('a');
    const b = message('b', ['\\Deleted']);
    await s.appendMessages(accountId, inbox, [a, b]);
    const both = a.raw.length + b.raw.length;
    assert.deepEqual(await s.getQuota(accountId), { storageLimit: null, messageLimit: null, storageUsed: both, messagesUsed: 2 });
    const work = (await s.createMailbox(accountId, 'Work')).id;
    await s.copyMessages(accountId, inbox, [1, 2], work);
    assert.equal((await s.getQuota(accountId)).storageUsed, 2 * both, 'a copy counts again');
    await s.moveMessages(accountId, work, [1], inbox);
    assert.equal((await s.getQuota(accountId)).messagesUsed, 4, 'MOVE changes nothing');
    await s.expunge(accountId, inbox);
    assert.deepEqual(await s.getQuota(accountId), { storageLimit: null, messageLimit: null, storageUsed: 2 * a.raw.length + b.raw.length, messagesUsed: 3 });
    await s.deleteMailbox(accountId, 'Work');
    assert.deepEqual(await s.getQuota(accountId), { storageLimit: null, messageLimit: null, storageUsed: 2 * a.raw.length, messagesUsed: 2 });
    assert.deepEqual(await s.recomputeQuota(accountId), await s.getQuota(accountId));
  });

  it('refuses APPEND and COPY over a limit with OVERQUOTA, changing nothing; MOVE and expunge still work', async () => {
    const s = ctx.store;
    const { accountId, inbox } = await newAccount(s);
    const trash = await mailboxId(s, accountId, 'Trash');
    await s.setQuota(accountId, { messages: 3 });
    await s.appendMessages(accountId, inbox, [message('1'), message('2')]);
    await rejectsWith(s.appendMessages(accountId, inbox, [message('3'), message('4')]), 'OVERQUOTA');
    assert.deepEqual((await s.listMessages(accountId, inbox)).map((m) => m.uid), [1, 2], 'the refused batch left nothing behind');
    assert.equal((await s.getMailbox(accountId, 'INBOX'))!.uidNext, 3);
    await s.appendMessages(accountId, inbox, [message('3')]);
    await rejectsWith(s.copyMessages(accountId, inbox, [1], trash), 'OVERQUOTA');
    assert.deepEqual((await s.moveMessages(accountId, inbox, [1, 2], trash)).destUids, [1, 2], 'MOVE at the limit');
    await s.setQuota(accountId, { messages: 1 });
    await s.moveMessages(accountId, trash, [1], inbox);
    await s.storeFlags(accountId, trash, [2], 'add', ['\\Deleted']);
    assert.deepEqual(await s.expunge(accountId, trash), [2], 'over the limit, expunge still works');
    const q = await s.getQuota(accountId);
    assert.equal(q.messagesUsed, 2);

    const used = q.storageUsed;
    await s.setQuota(accountId, { messages: null, storage: used + 10 });
    await rejectsWith(s.appendMessages(accountId, inbox, [message('too big')]), 'OVERQUOTA');
    await s.setQuota(accountId, { storage: 'default' });
    assert.deepEqual(await s.getQuota(accountId), { storageLimit: null, messageLimit: null, storageUsed: used, messagesUsed: 2 });
  });

  it('concurrent appends never exceed the limit', async () => {
    const s = ctx.store;
    const { accountId, inbox } = await newAccount(s);
    await s.setQuota(accountId, { messages: 5 });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => s.appendMessages(accountId, inbox, [message(`c${i}`)])));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
    assert.equal((await s.listMessages(accountId, inbox)).length, 5);
    assert.equal((await s.getQuota(accountId)).messagesUsed, 5);
  });

  it('getQuota, setQuota and recomputeQuota of a missing account are NONEXISTENT; negative limits are CANNOT', async () => {
    const s = ctx.store;
    await rejectsWith(s.getQuota(999), 'NONEXISTENT');
    await rejectsWith(s.setQuota(999, { messages: 1 }), 'NONEXISTENT');
    await rejectsWith(s.recomputeQuota(999), 'NONEXISTENT');
    const { accountId } = await newAccount(s);
    await rejectsWith(s.setQuota(accountId, { storage: -5 }), 'CANNOT');
  });
}
