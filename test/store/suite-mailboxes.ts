/**
 * Store suite part 1: accounts, mailboxes, subscriptions, RENAME (RFC 9051 sections 6.3.3-6.3.8).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DATE, mailboxId, message, newAccount, rejectsWith, type Ctx } from './helpers.js';

/** accountTests covers account create/lookup/delete. */
export function accountTests(ctx: Ctx): void {
  it('creates an account with a lower-cased email and finds it case-insensitively', async () => {
    const a = await ctx.store.createAccount('Alice@Example.COM', 'hash1');
    assert.equal(a.email, 'alice@example.com');
    assert.equal(a.passwordHash, 'hash1');
    assert.ok(Math.abs(a.createdAt - Date.now()) < 60_000);
    assert.deepEqual(await ctx.store.getAccount('ALICE@example.com'), a);
    assert.equal(await ctx.store.getAccount('nobody@example.com'), null);
  });

  it('refuses a duplicate account whatever the case', async () => {
    await ctx.store.createAccount('bob@example.com', 'h');
    await rejectsWith(ctx.store.createAccount('BOB@example.com', 'h'), 'ALREADYEXISTS');
    assert.deepEqual(
      (await ctx.store.listAccounts()).map((a) => a.email),
      ['bob@example.com'],
    );
  });

  it('lists accounts and changes a password hash', async () => {
    const b = await ctx.store.createAccount('b@example.com', 'h');
    await ctx.store.createAccount('a@example.com', 'h');
    assert.deepEqual(
      (await ctx.store.listAccounts()).map((a) => a.email),
      ['a@example.com', 'b@example.com'],
    );
    await ctx.store.setPasswordHash(b.id, 'new');
    assert.equal((await ctx.store.getAccount('b@example.com'))?.passwordHash, 'new');
    await rejectsWith(ctx.store.setPasswordHash(b.id + 1000, 'x'), 'NONEXISTENT');
  });

  it('deletes an account with all its mail', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const other = await newAccount(ctx.store, 'other@example.com');
    await ctx.store.appendMessages(accountId, inbox, [message('one')]);
    await ctx.store.appendMessages(other.accountId, other.inbox, [message('keep')]);
    const [rec] = await ctx.store.getMessages(accountId, inbox, [1]);
    assert.ok(rec);
    await ctx.store.deleteAccount(accountId);
    assert.equal(await ctx.store.getAccount('alice@example.com'), null);
    assert.deepEqual(await ctx.store.listMailboxes(accountId), []);
    assert.deepEqual(await ctx.store.listSubscriptions(accountId), []);
    await rejectsWith(ctx.store.readBody(accountId, rec.bodyId), 'NONEXISTENT');
    await rejectsWith(ctx.store.listMessages(accountId, inbox), 'NONEXISTENT');
    await rejectsWith(ctx.store.deleteAccount(accountId), 'NONEXISTENT');
    assert.equal((await ctx.store.listMessages(other.accountId, other.inbox)).length, 1);
  });
}

/** mailboxTests covers default mailboxes, CREATE, DELETE, subscriptions, UIDVALIDITY and RENAME. */
export function mailboxTests(ctx: Ctx): void {
  it('creates the default mailboxes with special-use, subscribed', async () => {
    const { accountId } = await newAccount(ctx.store);
    const list = await ctx.store.listMailboxes(accountId);
    assert.deepEqual(
      list.map((m) => [m.name, m.specialUse]),
      [
        ['Archive', '\\Archive'],
        ['Drafts', '\\Drafts'],
        ['INBOX', null],
        ['Junk', '\\Junk'],
        ['Sent', '\\Sent'],
        ['Trash', '\\Trash'],
      ],
    );
    for (const m of list) {
      assert.equal(m.accountId, accountId);
      assert.equal(m.uidNext, 1);
      assert.ok(m.highestModseq >= 1);
      assert.ok(m.uidValidity >= 1 && m.uidValidity <= 0xffffffff);
    }
    assert.equal(new Set(list.map((m) => m.uidValidity)).size, list.length);
    assert.deepEqual(await ctx.store.listSubscriptions(accountId), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
  });

  it('creates, finds and deletes a mailbox', async () => {
    const { accountId } = await newAccount(ctx.store);
    const mb = await ctx.store.createMailbox(accountId, 'Lists/node');
    assert.equal(mb.name, 'Lists/node');
    assert.equal(mb.specialUse, null);
    assert.deepEqual(await ctx.store.getMailbox(accountId, 'Lists/node'), mb);
    assert.equal(await ctx.store.getMailbox(accountId, 'lists/node'), null);
    await rejectsWith(ctx.store.createMailbox(accountId, 'Lists/node'), 'ALREADYEXISTS');
    await rejectsWith(ctx.store.createMailbox(accountId, 'INBOX'), 'ALREADYEXISTS');
    const flagged = await ctx.store.createMailbox(accountId, 'Flagged', '\\Flagged');
    assert.equal(flagged.specialUse, '\\Flagged');
    await ctx.store.deleteMailbox(accountId, 'Lists/node');
    assert.equal(await ctx.store.getMailbox(accountId, 'Lists/node'), null);
    await rejectsWith(ctx.store.deleteMailbox(accountId, 'Lists/node'), 'NONEXISTENT');
    await rejectsWith(ctx.store.deleteMailbox(accountId, 'INBOX'), 'CANNOT');
  });

  it('deletes a parent without its children, and its messages', async () => {
    const { accountId } = await newAccount(ctx.store);
    const parent = await ctx.store.createMailbox(accountId, 'a');
    await ctx.store.createMailbox(accountId, 'a/b');
    await ctx.store.appendMessages(accountId, parent.id, [message('x')]);
    const [rec] = await ctx.store.getMessages(accountId, parent.id, [1]);
    await ctx.store.deleteMailbox(accountId, 'a');
    assert.equal(await ctx.store.getMailbox(accountId, 'a'), null);
    assert.ok(await ctx.store.getMailbox(accountId, 'a/b'));
    // The body is the upkeep's to delete (mail/bodies.ts).
    await ctx.store.finishBackground();
    await rejectsWith(ctx.store.readBody(accountId, rec!.bodyId), 'NONEXISTENT');
    await rejectsWith(ctx.store.listMessages(accountId, parent.id), 'NONEXISTENT');
  });

  it('gives a re-created mailbox a new, larger UIDVALIDITY and fresh UIDs', async () => {
    const { accountId } = await newAccount(ctx.store);
    const first = await ctx.store.createMailbox(accountId, 'Work');
    await ctx.store.appendMessages(accountId, first.id, [message('a'), message('b')]);
    await ctx.store.deleteMailbox(accountId, 'Work');
    const second = await ctx.store.createMailbox(accountId, 'Work');
    assert.ok(second.uidValidity > first.uidValidity, `${second.uidValidity} > ${first.uidValidity}`);
    assert.notEqual(second.id, first.id);
    assert.equal(second.uidNext, 1);
    assert.deepEqual(await ctx.store.listMessages(accountId, second.id), []);
  });

  it('keeps subscriptions of names that do not exist', async () => {
    const { accountId } = await newAccount(ctx.store);
    await ctx.store.setSubscribed(accountId, 'Ghost', true);
    await ctx.store.setSubscribed(accountId, 'Ghost', true);
    await ctx.store.setSubscribed(accountId, 'Junk', false);
    await ctx.store.setSubscribed(accountId, 'Nothing', false);
    assert.deepEqual(await ctx.store.listSubscriptions(accountId), ['Archive', 'Drafts', 'Ghost', 'INBOX', 'Sent', 'Trash']);
    await ctx.store.createMailbox(accountId, 'Tmp');
    await ctx.store.setSubscribed(accountId, 'Tmp', true);
    await ctx.store.deleteMailbox(accountId, 'Tmp');
    assert.ok((await ctx.store.listSubscriptions(accountId)).includes('Tmp'));
  });

  it('renames a mailbox with its children, keeping UIDVALIDITY, messages and UIDs', async () => {
    const { accountId } = await newAccount(ctx.store);
    const a = await ctx.store.createMailbox(accountId, 'a');
    const ax = await ctx.store.createMailbox(accountId, 'a/x');
    const axy = await ctx.store.createMailbox(accountId, 'a/x/y');
    await ctx.store.createMailbox(accountId, 'ab');
    await ctx.store.setSubscribed(accountId, 'a/x', true);
    await ctx.store.appendMessages(accountId, a.id, [message('1'), message('2')]);
    await ctx.store.renameMailbox(accountId, 'a', 'b');
    const names = (await ctx.store.listMailboxes(accountId)).map((m) => m.name);
    assert.deepEqual(names, ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash', 'ab', 'b', 'b/x', 'b/x/y']);
    const b = await ctx.store.getMailbox(accountId, 'b');
    assert.deepEqual(b, { ...a, name: 'b', uidNext: 3, highestModseq: b!.highestModseq });
    assert.equal((await ctx.store.getMailbox(accountId, 'b/x'))?.uidValidity, ax.uidValidity);
    assert.equal((await ctx.store.getMailbox(accountId, 'b/x/y'))?.id, axy.id);
    assert.deepEqual(
      (await ctx.store.listMessages(accountId, a.id)).map((m) => m.uid),
      [1, 2],
    );
    assert.deepEqual((await ctx.store.appendMessages(accountId, a.id, [message('3')])).uids, [3]);
    assert.ok((await ctx.store.listSubscriptions(accountId)).includes('b/x'));
    assert.ok(!(await ctx.store.listSubscriptions(accountId)).includes('a/x'));
  });

  it('refuses bad renames', async () => {
    const { accountId } = await newAccount(ctx.store);
    await ctx.store.createMailbox(accountId, 'a');
    await ctx.store.createMailbox(accountId, 'a/x');
    await ctx.store.createMailbox(accountId, 'c/x');
    await rejectsWith(ctx.store.renameMailbox(accountId, 'nope', 'z'), 'NONEXISTENT');
    await rejectsWith(ctx.store.renameMailbox(accountId, 'a', 'Sent'), 'ALREADYEXISTS');
    await rejectsWith(ctx.store.renameMailbox(accountId, 'a', 'INBOX'), 'ALREADYEXISTS');
    await rejectsWith(ctx.store.renameMailbox(accountId, 'a', 'a/x/y'), 'CANNOT');
    // "a/x" would become "c/x", which exists: nothing may change.
    await rejectsWith(ctx.store.renameMailbox(accountId, 'a', 'c'), 'ALREADYEXISTS');
    assert.ok(await ctx.store.getMailbox(accountId, 'a'));
    assert.ok(await ctx.store.getMailbox(accountId, 'a/x'));
    assert.equal(await ctx.store.getMailbox(accountId, 'c'), null);
  });

  it('renames INBOX by moving its messages to a new mailbox (RFC 9051 section 6.3.6)', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    await ctx.store.createMailbox(accountId, 'INBOX/child');
    const before = await ctx.store.getMailbox(accountId, 'INBOX');
    await ctx.store.appendMessages(accountId, inbox, [message('1', ['\\Seen']), message('2'), message('3', ['\\Deleted', 'Work'])]);
    await ctx.store.expunge(accountId, inbox, [1]); // nothing: 1 is not \Deleted
    await ctx.store.storeFlags(accountId, inbox, [1], 'add', ['\\Deleted']);
    await ctx.store.expunge(accountId, inbox, [1]);
    const oldRecords = await ctx.store.getMessages(accountId, inbox, [2, 3]);
    const afterAppend = await ctx.store.getMailbox(accountId, 'INBOX');

    await ctx.store.renameMailbox(accountId, 'INBOX', 'Old');

    const inboxAfter = await ctx.store.getMailbox(accountId, 'INBOX');
    assert.equal(inboxAfter?.id, inbox);
    assert.equal(inboxAfter?.uidValidity, before!.uidValidity);
    assert.equal(inboxAfter?.uidNext, 4);
    assert.ok(inboxAfter!.highestModseq > afterAppend!.highestModseq);
    assert.deepEqual(await ctx.store.listMessages(accountId, inbox), []);
    const changes = await ctx.store.changesSince(accountId, inbox, afterAppend!.highestModseq);
    assert.deepEqual(changes.expunged, [2, 3]);

    const old = await ctx.store.getMailbox(accountId, 'Old');
    assert.ok(old);
    assert.notEqual(old.uidValidity, before!.uidValidity);
    assert.equal(old.uidNext, 3);
    const moved = await ctx.store.getMessages(accountId, old.id, [1, 2]);
    assert.deepEqual(
      moved.map((m) => [m.uid, m.flags, m.bodyId, m.internalDate, m.envelope.subject]),
      oldRecords.map((m, i) => [i + 1, m.flags, m.bodyId, m.internalDate, m.envelope.subject]),
    );
    assert.deepEqual(moved[1]!.flags, ['\\Deleted', 'Work']);
    assert.ok(await ctx.store.getMailbox(accountId, 'INBOX/child'));
    assert.equal(await ctx.store.getMailbox(accountId, 'Old/child'), null);
    await rejectsWith(ctx.store.renameMailbox(accountId, 'INBOX', 'Old'), 'ALREADYEXISTS');
    assert.equal((await ctx.store.appendMessages(accountId, inbox, [message('4', [], DATE)])).uids[0], 4);
  });

  it('counts messages, unseen, deleted, size, deleted size and recent (not yet claimed)', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    assert.deepEqual(await ctx.store.mailboxCounts(accountId, inbox), { messages: 0, unseen: 0, deleted: 0, size: 0, deletedSize: 0, recent: 0 });
    const msgs = [message('1', ['\\Seen']), message('2', ['\\Deleted']), message('3', ['\\Seen', '\\Deleted'])];
    await ctx.store.appendMessages(accountId, inbox, msgs);
    const size = msgs.reduce((n, m) => n + m.raw.length, 0);
    const deletedSize = msgs[1]!.raw.length + msgs[2]!.raw.length;
    assert.deepEqual(await ctx.store.mailboxCounts(accountId, inbox), { messages: 3, unseen: 1, deleted: 2, size, deletedSize, recent: 3 });
    assert.equal(await ctx.store.claimRecent(accountId, inbox, 3), 1);
    assert.equal((await ctx.store.mailboxCounts(accountId, inbox)).recent, 1);
    await rejectsWith(ctx.store.mailboxCounts(accountId, inbox + 1000), 'NONEXISTENT');
  });

  it('hands out each UID as \\Recent once: claims move first_recent_uid up, never down (RFC 3501 section 2.3.2)', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    assert.equal((await ctx.store.getMailbox(accountId, 'INBOX'))!.firstRecentUid, 1);
    await ctx.store.appendMessages(accountId, inbox, [message('1'), message('2'), message('3')]);
    assert.equal(await ctx.store.claimRecent(accountId, inbox, 3), 1); // UIDs 1 and 2 to this caller
    assert.equal(await ctx.store.claimRecent(accountId, inbox, 2), 3); // nothing: below what was claimed
    assert.equal(await ctx.store.claimRecent(accountId, inbox, 4), 3); // UID 3 to this caller
    assert.equal((await ctx.store.getMailbox(accountId, 'INBOX'))!.firstRecentUid, 4);
    // Concurrent claims (the same process here, other nodes on PostgreSQL) never share a UID.
    await ctx.store.appendMessages(accountId, inbox, [message('4'), message('5')]);
    const got = await Promise.all([6, 6, 6].map((upTo) => ctx.store.claimRecent(accountId, inbox, upTo)));
    assert.deepEqual(got.filter((first) => first < 6), [4]);
    // With the value a read just before saw (the change feed's): at or above upTo it is the answer as it is;
    // below, a stale one, the claim still hands out only what nobody has.
    assert.equal(await ctx.store.claimRecent(accountId, inbox, 6, 6), 6);
    await ctx.store.appendMessages(accountId, inbox, [message('6')]);
    const feed = await ctx.store.changesSince(accountId, inbox, 0);
    assert.equal(feed.firstRecentUid, 6);
    assert.equal(await ctx.store.claimRecent(accountId, inbox, 7, 1), 6); // UID 6 only, though 1 was given
    assert.equal(await ctx.store.claimRecent(accountId, inbox, 7, feed.firstRecentUid), 7); // nothing left
    await rejectsWith(ctx.store.claimRecent(accountId, inbox + 1000, 1), 'NONEXISTENT');
    await rejectsWith(ctx.store.claimRecent(accountId, inbox + 1000, 2, 1), 'NONEXISTENT');
  });

  it('finds mailboxes by name only within the account', async () => {
    const a = await newAccount(ctx.store, 'a@example.com');
    const b = await newAccount(ctx.store, 'b@example.com');
    await ctx.store.createMailbox(b.accountId, 'Secret');
    assert.equal(await ctx.store.getMailbox(a.accountId, 'Secret'), null);
    await rejectsWith(ctx.store.deleteMailbox(a.accountId, 'Secret'), 'NONEXISTENT');
    await rejectsWith(ctx.store.renameMailbox(a.accountId, 'Secret', 'Mine'), 'NONEXISTENT');
    assert.ok(await ctx.store.getMailbox(b.accountId, 'Secret'));
    assert.equal(await mailboxId(ctx.store, b.accountId, 'INBOX'), b.inbox);
  });
}
