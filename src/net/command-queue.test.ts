/**
 * CommandQueue keeps order, pauses reading at its limit and resumes below half of it; LineDeadline fires
 * only for a line left incomplete long enough.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandQueue, LineDeadline } from './command-queue.js';

describe('CommandQueue', () => {
  it('hands out entries in order and pauses at max, resuming below half', () => {
    const flow: string[] = [];
    const q = new CommandQueue<number>(4, { pause: () => flow.push('pause'), resume: () => flow.push('resume') });
    q.push([1, 2, 3]);
    assert.deepEqual(flow, []);
    q.push([4, 5]);
    assert.deepEqual(flow, ['pause']);
    q.push([6]);
    assert.deepEqual(flow, ['pause']);
    assert.deepEqual([q.shift(), q.shift(), q.shift()], [1, 2, 3]);
    assert.deepEqual(flow, ['pause']);
    assert.equal(q.shift(), 4); // two wait: not yet below half
    assert.deepEqual(flow, ['pause']);
    assert.equal(q.shift(), 5);
    assert.deepEqual(flow, ['pause', 'resume']);
    assert.deepEqual([q.shift(), q.shift()], [6, undefined]);
    assert.deepEqual(flow, ['pause', 'resume']);
  });

  it('wakes a waiting consumer when entries arrive or on wake(), not for an empty push', async () => {
    const q = new CommandQueue<string>(10, { pause: () => {}, resume: () => {} });
    let woken = 0;
    const waiting = q.wait().then(() => woken++);
    q.push([]);
    await sleep(1);
    assert.equal(woken, 0);
    q.push(['a']);
    await waiting;
    assert.equal(woken, 1);
    const again = q.wait().then(() => woken++);
    q.clear();
    q.wake();
    await again;
    assert.equal(woken, 2);
    assert.equal(q.length, 0);
  });
});

describe('LineDeadline', () => {
  it('fires for a line left incomplete, never once it completed', async () => {
    let fired = 0;
    const d = new LineDeadline(20, () => fired++);
    d.watch(true);
    d.watch(false);
    await sleep(40);
    assert.equal(fired, 0);
    d.watch(true);
    d.watch(true); // the running timer is kept, not restarted
    await sleep(40);
    assert.equal(fired, 1);
    d.stop();
  });
});
