/**
 * MailboxTracker routes a change once, to the sessions that have the changed mailbox selected; a change
 * without a mailbox reaches the account's sessions, one without an account every tracked session.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeSignal } from './change-signal.js';
import { MailboxTracker } from './tracker.js';

/** signal returns a ChangeSignal whose initial mark is taken, so take() tells whether the tracker marked it. */
function signal(): ChangeSignal {
  const s = new ChangeSignal();
  s.take();
  return s;
}

describe('MailboxTracker', () => {
  it('marks only the sessions with the changed mailbox selected', () => {
    const t = new MailboxTracker();
    const [a1, a1b, a2, b1] = [signal(), signal(), signal(), signal()];
    t.track(1, 10, a1);
    t.track(1, 10, a1b);
    t.track(1, 11, a2);
    t.track(2, 20, b1);
    t.changed(1, 10);
    assert.deepEqual([a1.take(), a1b.take(), a2.take(), b1.take()], [true, true, false, false]);
    t.changed(1, null);
    assert.deepEqual([a1.take(), a1b.take(), a2.take(), b1.take()], [true, true, true, false]);
    t.changed(null, null);
    assert.deepEqual([a1.take(), a1b.take(), a2.take(), b1.take()], [true, true, true, true]);
    t.changed(3, 30);
    assert.deepEqual([a1.take(), a1b.take(), a2.take(), b1.take()], [false, false, false, false]);
  });

  it('forgets a session once it is untracked, and untracking twice does nothing', () => {
    const t = new MailboxTracker();
    const [a, b] = [signal(), signal()];
    const untrackA = t.track(1, 10, a);
    t.track(1, 10, b);
    untrackA();
    untrackA();
    assert.equal(t.sessionCount(), 1);
    t.changed(1, 10);
    assert.deepEqual([a.take(), b.take()], [false, true]);
    t.track(1, 11, a);
    t.changed(1, 11);
    assert.deepEqual([a.take(), b.take()], [true, false]);
  });

  it('narrows a change of unknown origin with the probe: only sessions of a mailbox whose HIGHESTMODSEQ moved are marked', async () => {
    const highest = new Map<string, number | null>([
      ['1/10', 5],
      ['1/11', 7],
    ]);
    const asked: string[] = [];
    const t = new MailboxTracker(async (a, m) => {
      asked.push(`${a}/${m}`);
      return highest.get(`${a}/${m}`) ?? null;
    });
    const [a, a2, b] = [signal(), signal(), signal()];
    t.track(1, 10, a);
    t.track(1, 10, a2);
    t.track(1, 11, b);
    // First sweep: nothing read before, so every session is marked.
    t.changed(null, null);
    await t.idle();
    assert.deepEqual([a.take(), a2.take(), b.take()], [true, true, true]);
    assert.deepEqual(asked, ['1/10', '1/11'], 'one read per mailbox, not per session');
    // Nothing moved: nobody is woken.
    t.changed(null, null);
    await t.idle();
    assert.deepEqual([a.take(), a2.take(), b.take()], [false, false, false]);
    // Mailbox 11 changed elsewhere.
    highest.set('1/11', 8);
    t.changed(null, null);
    await t.idle();
    assert.deepEqual([a.take(), a2.take(), b.take()], [false, false, true]);
    // Mailbox 10 deleted elsewhere: its sessions are marked (they find out at their sync).
    highest.set('1/10', null);
    t.changed(null, null);
    await t.idle();
    assert.deepEqual([a.take(), a2.take(), b.take()], [true, true, false]);
    // A session that selects mailbox 11 now may be behind the last read: the next sweep marks it, and only it.
    const late = signal();
    t.track(1, 11, late);
    t.changed(null, null);
    await t.idle();
    assert.deepEqual([b.take(), late.take()], [false, true]);
    t.changed(null, null);
    await t.idle();
    assert.deepEqual([b.take(), late.take()], [false, false]);
    // Changes while a sweep runs give one more sweep after it.
    asked.length = 0;
    highest.set('1/11', 9);
    t.changed(null, null);
    t.changed(null, null);
    t.changed(null, null);
    await t.idle();
    assert.deepEqual([b.take(), late.take()], [true, true]);
    assert.equal(asked.length, 4, 'two sweeps of two mailboxes');
  });
});
