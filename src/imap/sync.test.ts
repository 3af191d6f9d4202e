/**
 * syncSelected against the real store: a view built from a mailbox row read before the listing
 * (as SELECT does) reports what came later exactly once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { prepareMessage } from '../delivery/prepare.js';
import { openSqliteStore } from '../store/sqlite/store.js';
import type { Session } from './session.js';
import { SelectedMailbox } from './selected.js';
import { syncSelected } from './sync.js';

const raw = (i: number): Buffer => Buffer.from(`Subject: ${i}\r\n\r\nbody ${i}\r\n`);

describe('syncSelected', () => {
  it('a message appended between reading the row and listing is not announced twice', async () => {
    const store = await openSqliteStore(':memory:', { log: pino({ level: 'silent' }) });
    const account = await store.createAccount('a@example.com', 'x');
    const box = (await store.getMailbox(account.id, 'INBOX'))!;
    await store.appendMessages(account.id, box.id, [prepareMessage(raw(1), [], 0)]);
    const view = new SelectedMailbox(box, false, await store.listMessages(account.id, box.id));
    const lines: string[] = [];
    const session = { status: { state: 'selected', account, view }, store, enabled: new Set<string>(), rev2: true, out: { untagged: (t: string) => lines.push(t) } } as unknown as Session;

    await syncSelected(session, true);
    assert.deepEqual(lines, []);
    assert.deepEqual(view.uids, [1]);

    await store.appendMessages(account.id, box.id, [prepareMessage(raw(2), [], 0)]);
    await syncSelected(session, true);
    assert.deepEqual(lines, ['2 EXISTS']);
    await store.close();
  });
});

describe('SelectedMailbox', () => {
  it('views built from one shared listing change apart, and never change the listing', () => {
    const box = { accountId: 1, id: 1, name: 'INBOX', uidValidity: 1, uidNext: 5, highestModseq: 3, specialUse: null, firstRecentUid: 5 };
    const listing = Object.freeze([1, 2, 3, 4].map((uid) => ({ uid, modseq: uid, flags: [] as string[] })));
    const a = new SelectedMailbox(box, false, listing);
    const b = new SelectedMailbox(box, false, listing);
    assert.equal(a.remove(2), 2);
    a.add({ uid: 5, modseq: 4, flags: [] });
    a.update({ uid: 3, modseq: 5, flags: ['\\Seen'] });
    assert.deepEqual(a.uids, [1, 3, 4, 5]);
    assert.deepEqual(a.get(3), { uid: 3, modseq: 5, flags: ['\\Seen'] });
    assert.deepEqual(b.uids, [1, 2, 3, 4]);
    assert.deepEqual(b.get(3), { uid: 3, modseq: 3, flags: [] });
    assert.equal(listing.length, 4);
    b.update({ uid: 4, modseq: 6, flags: ['$x'] });
    assert.deepEqual(b.metaAt(4), { uid: 4, modseq: 6, flags: ['$x'] });
    assert.deepEqual(a.metaAt(3), { uid: 4, modseq: 4, flags: [] });
  });
});
