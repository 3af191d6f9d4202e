/**
 * syncSelected against the real store: a view built from a mailbox row read before the listing
 * (as SELECT does) reports what came later exactly once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { prepareMessage } from '../delivery/prepare.js';
import { openSqliteStore } from '../store/sqlite/store.js';
import type { Session } from './command.js';
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
    const session = { selected: view, account, store, enabled: new Set<string>(), out: { untagged: (t: string) => lines.push(t) } } as unknown as Session;

    await syncSelected(session, true);
    assert.deepEqual(lines, []);
    assert.deepEqual(view.uids, [1]);

    await store.appendMessages(account.id, box.id, [prepareMessage(raw(2), [], 0)]);
    await syncSelected(session, true);
    assert.deepEqual(lines, ['2 EXISTS']);
    await store.close();
  });
});
