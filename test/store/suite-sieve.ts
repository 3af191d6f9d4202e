/**
 * Store suite part 7: Sieve scripts as ManageSieve keeps them (RFC 5804): put, replace, list with the
 * active marker and sizes, one active script per account, delete (never the active one), rename, the
 * per-account limits and name rules, isolation between accounts, deletion with the account; and the
 * vacation/duplicate tracking rows with their expiry.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { newAccount, rejectsWith, type Ctx } from './helpers.js';

const LIMITS = { maxScripts: 3, maxOctets: 100 };

/** sieveTests covers the Sieve script and tracking methods of the Store. */
export function sieveTests(ctx: Ctx): void {
  it('stores, replaces, lists and reads scripts, with sizes in octets', async () => {
    const { accountId } = await newAccount(ctx.store);
    assert.deepEqual(await ctx.store.listSieveScripts(accountId), []);
    assert.equal(await ctx.store.getSieveScript(accountId, 'main'), null);
    await ctx.store.putSieveScript(accountId, 'main', 'keep;\r\n', LIMITS);
    await ctx.store.putSieveScript(accountId, 'Ferien ☀', '# ü\r\nkeep;\r\n', LIMITS);
    assert.deepEqual(await ctx.store.listSieveScripts(accountId), [
      { name: 'Ferien ☀', active: false, octets: 13 },
      { name: 'main', active: false, octets: 7 },
    ]);
    assert.equal(await ctx.store.getSieveScript(accountId, 'Ferien ☀'), '# ü\r\nkeep;\r\n');
    assert.equal(await ctx.store.getSieveScript(accountId, 'MAIN'), null, 'names are case-sensitive');
    await ctx.store.putSieveScript(accountId, 'main', 'discard;\r\n', LIMITS);
    assert.equal(await ctx.store.getSieveScript(accountId, 'main'), 'discard;\r\n');
    assert.equal((await ctx.store.listSieveScripts(accountId)).length, 2);
  });

  it('keeps at most one active script; activating another deactivates the first; null deactivates all', async () => {
    const { accountId } = await newAccount(ctx.store);
    await ctx.store.putSieveScript(accountId, 'a', 'keep;', LIMITS);
    await ctx.store.putSieveScript(accountId, 'b', 'discard;', LIMITS);
    assert.equal(await ctx.store.getActiveSieveScript(accountId), null);
    await ctx.store.setActiveSieveScript(accountId, 'a');
    assert.deepEqual(await ctx.store.getActiveSieveScript(accountId), { name: 'a', source: 'keep;' });
    await ctx.store.setActiveSieveScript(accountId, 'b');
    assert.deepEqual(await ctx.store.getActiveSieveScript(accountId), { name: 'b', source: 'discard;' });
    assert.deepEqual((await ctx.store.listSieveScripts(accountId)).map((s) => [s.name, s.active]), [['a', false], ['b', true]]);
    await ctx.store.setActiveSieveScript(accountId, 'b');
    assert.deepEqual(await ctx.store.getActiveSieveScript(accountId), { name: 'b', source: 'discard;' }, 'activating the active script again changes nothing');
    // Replacing the active script keeps it active (RFC 5804 section 2.6).
    await ctx.store.putSieveScript(accountId, 'b', 'stop;', LIMITS);
    assert.deepEqual(await ctx.store.getActiveSieveScript(accountId), { name: 'b', source: 'stop;' });
    await rejectsWith(ctx.store.setActiveSieveScript(accountId, 'c'), 'NONEXISTENT');
    assert.equal((await ctx.store.getActiveSieveScript(accountId))?.name, 'b', 'a refused SETACTIVE leaves the active script');
    await ctx.store.setActiveSieveScript(accountId, null);
    assert.equal(await ctx.store.getActiveSieveScript(accountId), null);
    await ctx.store.setActiveSieveScript(accountId, null);
  });

  it('deletes scripts, but not the active one (INUSE), and renames them keeping the active mark', async () => {
    const { accountId } = await newAccount(ctx.store);
    await ctx.store.putSieveScript(accountId, 'a', 'keep;', LIMITS);
    await ctx.store.putSieveScript(accountId, 'b', 'discard;', LIMITS);
    await ctx.store.setActiveSieveScript(accountId, 'a');
    await rejectsWith(ctx.store.deleteSieveScript(accountId, 'a'), 'INUSE');
    await rejectsWith(ctx.store.deleteSieveScript(accountId, 'zz'), 'NONEXISTENT');
    await ctx.store.deleteSieveScript(accountId, 'b');
    assert.deepEqual((await ctx.store.listSieveScripts(accountId)).map((s) => s.name), ['a']);
    await ctx.store.putSieveScript(accountId, 'b', 'discard;', LIMITS);
    await rejectsWith(ctx.store.renameSieveScript(accountId, 'a', 'b'), 'ALREADYEXISTS');
    await rejectsWith(ctx.store.renameSieveScript(accountId, 'nope', 'c'), 'NONEXISTENT');
    await rejectsWith(ctx.store.renameSieveScript(accountId, 'a', 'bad\nname'), 'CANNOT');
    await ctx.store.renameSieveScript(accountId, 'a', 'c');
    assert.deepEqual(await ctx.store.getActiveSieveScript(accountId), { name: 'c', source: 'keep;' });
    assert.equal(await ctx.store.getSieveScript(accountId, 'a'), null);
    await ctx.store.setActiveSieveScript(accountId, null);
    await ctx.store.deleteSieveScript(accountId, 'c');
    assert.deepEqual((await ctx.store.listSieveScripts(accountId)).map((s) => s.name), ['b']);
  });

  it('refuses a script over the size limit (OVERQUOTA), a new one over the count limit (LIMIT), bad names and NUL (CANNOT)', async () => {
    const { accountId } = await newAccount(ctx.store);
    await rejectsWith(ctx.store.putSieveScript(accountId, 'big', 'x'.repeat(101), LIMITS), 'OVERQUOTA');
    // 50 two-octet characters are 100 octets: at the limit, accepted.
    await ctx.store.putSieveScript(accountId, 'at-limit', 'é'.repeat(50), LIMITS);
    await rejectsWith(ctx.store.putSieveScript(accountId, 'over', 'é'.repeat(51), LIMITS), 'OVERQUOTA');
    await ctx.store.putSieveScript(accountId, 'two', 'keep;', LIMITS);
    await ctx.store.putSieveScript(accountId, 'three', 'keep;', LIMITS);
    await rejectsWith(ctx.store.putSieveScript(accountId, 'four', 'keep;', LIMITS), 'LIMIT');
    await ctx.store.putSieveScript(accountId, 'three', 'discard;', LIMITS);
    for (const name of ['', 'a\u0000b', 'tab\there', 'del\u007f', 'c1\u0085', 'ls\u2028', 'x'.repeat(1025)]) {
      await rejectsWith(ctx.store.putSieveScript(accountId, name, 'keep;', { maxScripts: 10, maxOctets: 100 }), 'CANNOT');
    }
    await rejectsWith(ctx.store.putSieveScript(accountId, 'three', 'keep;\0', LIMITS), 'CANNOT');
    await ctx.store.deleteSieveScript(accountId, 'two');
    await ctx.store.putSieveScript(accountId, 'four', 'keep;', LIMITS);
    await rejectsWith(ctx.store.putSieveScript(999_999, 'x', 'keep;', LIMITS), 'NONEXISTENT');
  });

  it('keeps each account to its own scripts and deletes them with the account', async () => {
    const a = await newAccount(ctx.store, 'a@example.com');
    const b = await newAccount(ctx.store, 'b@example.com');
    await ctx.store.putSieveScript(a.accountId, 's', 'keep;', LIMITS);
    await ctx.store.setActiveSieveScript(a.accountId, 's');
    await ctx.store.putSieveScript(b.accountId, 's', 'discard;', LIMITS);
    await ctx.store.sieveRecord(a.accountId, 'k', Date.now() + 60_000);
    assert.equal(await ctx.store.getActiveSieveScript(b.accountId), null);
    assert.equal(await ctx.store.getSieveScript(b.accountId, 's'), 'discard;');
    assert.equal(await ctx.store.sieveSeen(b.accountId, 'k', Date.now()), false);
    await ctx.store.deleteAccount(a.accountId);
    assert.deepEqual(await ctx.store.listSieveScripts(a.accountId), []);
    assert.equal(await ctx.store.sieveSeen(a.accountId, 'k', Date.now()), false);
    assert.equal((await ctx.store.listSieveScripts(b.accountId)).length, 1);
    // The address can be used again, from nothing.
    const again = await newAccount(ctx.store, 'a@example.com');
    assert.deepEqual(await ctx.store.listSieveScripts(again.accountId), []);
  });

  it('tracks keys until their expiry, renews them, and prunes expired ones', async () => {
    const { accountId } = await newAccount(ctx.store);
    const now = Date.now();
    assert.equal(await ctx.store.sieveSeen(accountId, 'vacation:x', now), false);
    await ctx.store.sieveRecord(accountId, 'vacation:x', now + 1000);
    assert.equal(await ctx.store.sieveSeen(accountId, 'vacation:x', now), true);
    assert.equal(await ctx.store.sieveSeen(accountId, 'vacation:x', now + 999), true);
    assert.equal(await ctx.store.sieveSeen(accountId, 'vacation:x', now + 1000), false, 'expired at its expiry');
    await ctx.store.sieveRecord(accountId, 'vacation:x', now + 5000);
    assert.equal(await ctx.store.sieveSeen(accountId, 'vacation:x', now + 4000), true, 'renewed');
    // A key recorded as expired already is never seen, and is pruned by the next record.
    await ctx.store.sieveRecord(accountId, 'old', now - 10);
    assert.equal(await ctx.store.sieveSeen(accountId, 'old', now - 20), true, 'kept until another record prunes it');
    await ctx.store.sieveRecord(accountId, 'dup:y', now + 1000);
    assert.equal(await ctx.store.sieveSeen(accountId, 'old', now - 20), false, 'pruned');
    assert.equal(await ctx.store.sieveSeen(accountId, 'vacation:x', now), true);
  });
}
