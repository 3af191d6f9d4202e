/**
 * Store suite part 3: the change feed (RFC 7162), change notifications, account isolation.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { message, newAccount, rejectsWith, waitFor, type Ctx } from './helpers.js';

/** changesTests covers changesSince. */
export function changesTests(ctx: Ctx): void {
  it('returns exactly the messages changed and the UIDs expunged after a modseq', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    await ctx.store.appendMessages(accountId, inbox, [message('1'), message('2'), message('3'), message('4')]);
    const hm0 = (await ctx.store.getMailbox(accountId, 'INBOX'))!.highestModseq;
    const f = await ctx.store.storeFlags(accountId, inbox, [2], 'add', ['\\Answered']);
    const m2 = f.updated[0]!.modseq;
    await ctx.store.storeFlags(accountId, inbox, [3], 'add', ['\\Deleted']);
    await ctx.store.expunge(accountId, inbox);
    const mb = (await ctx.store.getMailbox(accountId, 'INBOX'))!;

    assert.deepEqual(await ctx.store.changesSince(accountId, inbox, hm0), {
      changed: [{ uid: 2, modseq: m2, flags: ['\\Answered'] }],
      expunged: [3],
      highestModseq: mb.highestModseq,
      uidNext: 5,
      firstRecentUid: 1,
    });
    const ch = await ctx.store.changesSince(accountId, inbox, m2);
    assert.deepEqual([ch.changed, ch.expunged], [[], [3]]);
    assert.deepEqual(await ctx.store.changesSince(accountId, inbox, mb.highestModseq), {
      changed: [],
      expunged: [],
      highestModseq: mb.highestModseq,
      uidNext: 5,
      firstRecentUid: 1,
    });
    const all = await ctx.store.changesSince(accountId, inbox, 0);
    assert.deepEqual(
      all.changed.map((m) => [m.uid, m.modseq]),
      [
        [1, hm0],
        [2, m2],
        [4, hm0],
      ],
    );
    assert.deepEqual(all.expunged, [3]);
    await rejectsWith(ctx.store.changesSince(accountId, inbox + 1000, 0), 'NONEXISTENT');
  });
}

/** notifyTests covers onChange, in-process and from another connection. */
export function notifyTests(ctx: Ctx): void {
  it('notifies listeners after committed changes', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const calls: Array<[number | null, number | null]> = [];
    const off = ctx.store.onChange((a, m) => calls.push([a, m]));
    const p = ctx.store.appendMessages(accountId, inbox, [message('1')]);
    assert.deepEqual(calls, [], 'listeners run after the write returns, not inside it');
    await p;
    await waitFor(() => calls.length >= 1);
    assert.deepEqual(calls, [[accountId, inbox]]);
    await ctx.store.createMailbox(accountId, 'New');
    await waitFor(() => calls.length >= 2);
    assert.deepEqual(calls[1], [accountId, null]);
    await ctx.store.storeFlags(accountId, inbox, [1], 'add', ['\\Seen']);
    await waitFor(() => calls.length >= 3);
    assert.deepEqual(calls[2], [accountId, inbox]);
    off();
    await ctx.store.appendMessages(accountId, inbox, [message('2')]);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(calls.length, 3);
  });

  it('notices writes by another connection to the same data', async (t) => {
    if (!ctx.opened.openSecond) {
      t.skip('backend has no second connection');
      return;
    }
    const { accountId, inbox } = await newAccount(ctx.store);
    const second = await ctx.opened.openSecond();
    try {
      const calls: Array<[number | null, number | null]> = [];
      const off = ctx.store.onChange((a, m) => calls.push([a, m]));
      await new Promise((r) => setTimeout(r, 20));
      await second.appendMessages(accountId, inbox, [message('from elsewhere')]);
      await waitFor(() => calls.length > 0, 3000);
      const call = calls[0]!;
      assert.ok(call[0] === null || call[0] === accountId);
      assert.deepEqual(
        (await ctx.store.listMessages(accountId, inbox)).map((m) => m.uid),
        [1],
      );
      off();
    } finally {
      await second.close();
    }
  });
}

/** isolationTests checks that no method reaches into another account's mailboxes or bodies. */
export function isolationTests(ctx: Ctx): void {
  it("finds nothing of account B through account A's id", async () => {
    const a = await newAccount(ctx.store, 'a@example.com');
    const b = await newAccount(ctx.store, 'b@example.com');
    const bBox = await ctx.store.createMailbox(b.accountId, 'B-only');
    assert.ok(!(await ctx.store.listMailboxes(a.accountId)).some((m) => m.id === bBox.id), 'test needs an id A does not have');
    await ctx.store.appendMessages(b.accountId, bBox.id, [message('b1', ['\\Deleted']), message('b2')]);
    const [bRec] = await ctx.store.getMessages(b.accountId, bBox.id, [1]);
    const before = await ctx.store.listMessages(b.accountId, bBox.id);

    const { store } = ctx;
    const A = a.accountId;
    await rejectsWith(store.listMessages(A, bBox.id), 'NONEXISTENT');
    await rejectsWith(store.getMessages(A, bBox.id, [1, 2]), 'NONEXISTENT');
    await rejectsWith(store.getSearchText(A, bBox.id, [1]), 'NONEXISTENT');
    await rejectsWith(store.mailboxCounts(A, bBox.id), 'NONEXISTENT');
    await rejectsWith(store.changesSince(A, bBox.id, 0), 'NONEXISTENT');
    await rejectsWith(store.storeFlags(A, bBox.id, [1], 'add', ['\\Seen']), 'NONEXISTENT');
    await rejectsWith(store.expunge(A, bBox.id), 'NONEXISTENT');
    await rejectsWith(store.readBody(A, bRec!.bodyId), 'NONEXISTENT');
    await rejectsWith(store.appendMessages(A, bBox.id, [message('intruder')]), 'TRYCREATE');
    await rejectsWith(store.copyMessages(A, a.inbox, [1], bBox.id), 'TRYCREATE');
    await rejectsWith(store.copyMessages(A, bBox.id, [1], a.inbox), 'NONEXISTENT');
    await rejectsWith(store.moveMessages(A, bBox.id, [1], a.inbox), 'NONEXISTENT');
    await rejectsWith(store.moveMessages(A, a.inbox, [1], bBox.id), 'TRYCREATE');

    assert.deepEqual(await store.listMessages(b.accountId, bBox.id), before);
    assert.deepEqual(await store.listMessages(A, a.inbox), []);
  });
}
