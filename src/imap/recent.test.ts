import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentUids } from './recent.js';

describe('RecentUids', () => {
  it('answers has() for UIDs inside, between, below and above its ranges', () => {
    const r = new RecentUids();
    r.add(3, 5);
    r.add(5, 6); // joins [3, 6)
    r.add(10, 12);
    r.add(20, 21);
    r.add(7, 7); // empty: nothing
    const recent = [];
    for (let uid = 1; uid <= 25; uid++) if (r.has(uid)) recent.push(uid);
    assert.deepEqual(recent, [3, 4, 5, 10, 11, 20]);
    assert.equal(new RecentUids().has(1), false);
  });

  it('counts the recent UIDs of a view and forgets the ranges below its lowest UID (expunged), answering as before for the UIDs from there on', () => {
    const r = new RecentUids();
    for (let uid = 1; uid <= 1000; uid += 2) r.add(uid, uid + 1); // every odd UID, a range each
    const view = Array.from({ length: 400 }, (_, i) => 601 + i); // 1 to 600 expunged
    assert.equal(r.countIn(view), 200);
    // The ranges below 601 are forgotten (those UIDs are expunged and never given again); those above answer as before.
    assert.equal(r.has(599), false);
    assert.equal(r.has(601), true);
    assert.equal(r.has(602), false);
    assert.equal(r.has(999), true);
    assert.equal(r.countIn(view), 200);
    assert.equal(r.countIn([]), 0);
    assert.equal(r.countIn([2, 4, 999]), 1);
  });
});
