/**
 * Store suite part 6: the failed-login penalty's rules (auth/penalty.ts) on the backend's rows, with a
 * virtual clock (answer times are asserted exactly, nothing sleeps), and control messages reaching another
 * connection to the same data (another process on the SQLite file, another node on PostgreSQL).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LoginPenalty, penaltyAddress, penaltyDelay, type PenaltyLimits } from '../../src/auth/penalty.js';
import type { ControlMessage } from '../../src/store/types.js';
import { message, newAccount, waitFor, type Ctx } from './helpers.js';

const LIMITS: PenaltyLimits = { delayMs: 2000, maxDelayMs: 15_000, expireMs: 15 * 60_000, parallel: 10 };

/** penaltyTests covers the penalty's answer times, their sharing between connections, listing and clearing. */
export function penaltyTests(ctx: Ctx): void {
  /** clock is a virtual clock: `now` moves only when a test moves it. */
  const clock = () => ({ c: { now: 1_000_000 } });
  /** due runs one attempt (failed or, with `ok`, succeeded) at c.now and returns after how many ms it is answered. */
  const due = async (c: { now: number }, ip: string, user: string, ok: boolean, store = ctx.store): Promise<number> => {
    const start = c.now;
    let at = 0;
    const p = new LoginPenalty(store, LIMITS, () => c.now, async (ms) => {
      at = ms;
    });
    const attempt = await p.begin(ip, user);
    if (ok) await attempt.succeeded();
    else await attempt.failed();
    return c.now + at - start;
  };

  it('delays the answers to an address 2, 4, 8, 15, 15 s for its failures, never refuses, and forgets after the expiry', async () => {
    const { c } = clock();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const w = await due(c, '192.0.2.7', 'alice@example.com', false);
      waits.push(w);
      c.now += w;
    }
    assert.deepEqual(waits, [2000, 4000, 8000, 15_000, 15_000]);
    assert.equal(await due(c, '192.0.2.7', 'alice@example.com', true), 15_000, 'the right password is answered after the penalty');
    c.now += LIMITS.expireMs + 1;
    assert.equal(await due(c, '192.0.2.7', 'bob@example.com', true), 0, 'forgotten after the expiry');
  });

  it('answers the right password from another address at once, and from the guessing address after at most the penalty', async () => {
    const { c } = clock();
    for (let i = 0; i < 6; i++) c.now += await due(c, '192.0.2.7', 'alice@example.com', false);
    assert.equal(await due(c, '198.51.100.1', 'alice@example.com', true), 0, 'another address: at once');
    assert.equal(await due(c, '192.0.2.7', 'bob@example.com', true), 15_000, 'another user behind the same address: the penalty');
    assert.equal(await due(c, '192.0.2.7', 'bob@example.com', true), 15_000, 'a success for bob forgets none of the failures for alice');
  });

  it('does not delay the parallel logins of a client (up to `parallel` of one user from one address) while nothing failed', async () => {
    const { c } = clock();
    const logins = await Promise.all(
      Array.from({ length: 5 }, async () => {
        let at = 0;
        const p = new LoginPenalty(ctx.store, LIMITS, () => c.now, async (ms) => {
          at = ms;
        });
        return { a: await p.begin('192.0.2.50', 'carol@example.com'), at: () => at };
      }),
    );
    for (const { a } of logins) await a.succeeded();
    assert.deepEqual(logins.map((l) => l.at()), [0, 0, 0, 0, 0]);
  });

  it('answers parallel guesses for one user from one address one after the other beyond `parallel`: 13 in the first minute, then 4 a minute', async () => {
    const { c } = clock();
    const times: number[] = [];
    const attempts = await Promise.all(
      Array.from({ length: 18 }, async () => {
        let at = 0;
        const p = new LoginPenalty(ctx.store, LIMITS, () => c.now, async (ms) => {
          at = ms;
        });
        const a = await p.begin('2001:db8:1:2::99', 'alice@example.com');
        return { a, at: () => at };
      }),
    );
    for (const { a, at } of attempts) {
      await a.failed();
      times.push(at());
    }
    times.sort((x, y) => x - y);
    assert.deepEqual(times, [...Array<number>(10).fill(2000), 17_000, 32_000, 47_000, 62_000, 77_000, 92_000, 107_000, 122_000]);
    assert.equal(times.filter((t) => t <= 60_000).length, 13);
    assert.equal(times.filter((t) => t > 60_000 && t <= 120_000).length, 4);
    // The same /64 is the same address for the penalty.
    assert.equal(await due(c, '2001:db8:1:2::1', 'bob@example.com', true), 15_000);
  });

  it('a right password forgets that user name\'s own failures from the address, not those for other names', async () => {
    const { c } = clock();
    c.now += await due(c, '192.0.2.9', 'carol@example.com', false);
    c.now += await due(c, '192.0.2.9', 'carol@example.com', false);
    c.now += await due(c, '192.0.2.9', 'alice@example.com', false);
    c.now += await due(c, '192.0.2.9', 'alice@example.com', true);
    assert.equal(await due(c, '192.0.2.9', 'dave@example.com', true), penaltyDelay(2, LIMITS), 'carol\'s two failures remain');
  });

  it('lists the addresses under penalty and clears one or all', async () => {
    const { c } = clock();
    for (let i = 0; i < 3; i++) c.now += await due(c, '192.0.2.1', `u${i}@example.com`, false);
    c.now += await due(c, '::ffff:198.51.100.2', 'x@example.com', false);
    assert.deepEqual(await ctx.store.listPenalties(c.now, LIMITS.expireMs), [
      { remote: '192.0.2.1', failures: 3, lastFailure: c.now - 8000 - 2000, names: 3 },
      { remote: '198.51.100.2', failures: 1, lastFailure: c.now - 2000, names: 1 },
    ]);
    assert.equal(await ctx.store.clearPenalties(penaltyAddress('192.0.2.1')), 1);
    assert.deepEqual((await ctx.store.listPenalties(c.now, LIMITS.expireMs)).map((e) => e.remote), ['198.51.100.2']);
    assert.equal(await ctx.store.clearPenalties(null), 1);
    assert.deepEqual(await ctx.store.listPenalties(c.now, LIMITS.expireMs), []);
  });

  it('reserves concurrent logins of one pair through two connections while successes delete its row (no lost row)', async (t) => {
    const second = await ctx.opened.openSecond?.();
    if (!second) return t.skip('the backend has no second connection');
    try {
      const limits = { ...LIMITS, delayMs: 1, maxDelayMs: 2 };
      await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const p = new LoginPenalty(i % 2 ? ctx.store : second, limits, Date.now, async () => {});
          await (await p.begin('198.51.100.77', 'race@example.com')).succeeded();
        }),
      );
      assert.deepEqual(await ctx.store.listPenalties(Date.now(), LIMITS.expireMs), []);
    } finally {
      await second.close();
    }
  });

  it('keeps the penalty where every connection to the same data sees it (another process, another node)', async (t) => {
    const second = await ctx.opened.openSecond?.();
    if (!second) return t.skip('the backend has no second connection');
    try {
      const { c } = clock();
      for (let i = 0; i < 3; i++) c.now += await due(c, '203.0.113.5', 'alice@example.com', false);
      assert.equal(await due(c, '203.0.113.5', 'bob@example.com', true, second), 8000);
    } finally {
      await second.close();
    }
  });
}

/** controlTests covers Store.sendControl / onControl: this connection and another one get the message. */
export function controlTests(ctx: Ctx): void {
  it('delivers a control message to this connection and to another one on the same data', async (t) => {
    const s = ctx.store;
    const { accountId, inbox } = await newAccount(s);
    const second = await ctx.opened.openSecond?.();
    if (!second) return t.skip('the backend has no second connection');
    try {
      const here: ControlMessage[] = [];
      const there: ControlMessage[] = [];
      const stopHere = s.onControl((m) => here.push(m));
      const stopThere = second.onControl((m) => there.push(m));
      const m: ControlMessage = { kind: 'end-sessions', accountId, reason: 'Account deleted.' };
      await s.sendControl(m);
      await waitFor(() => here.length > 0 && there.length > 0, 5000);
      assert.deepEqual(here, [m]);
      assert.deepEqual(there, [m]);
      // Once each: the sender reads its own message again when the other connection commits (SQLite polls
      // session_control then), and must not give it to its listeners twice.
      await second.appendMessages(accountId, inbox, [message('after the control message')]);
      await new Promise((r) => setTimeout(r, 600));
      assert.deepEqual(here, [m]);
      assert.deepEqual(there, [m]);
      stopHere();
      stopThere();
    } finally {
      await second.close();
    }
  });
}
