import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { addTraceFields, folderFor, resolveRecipient } from './recipient.js';

describe('recipients', () => {
  let store: Store;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lb-rcpt-'));
    store = await openStore({ dataDir: dir, storage: { kind: 'sqlite' } });
    await store.createAccount('alice@example.com', 'x');
    await store.createAccount('list+owner@example.com', 'x');
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('resolveRecipient: case-insensitive, detail after the first "+", exact names with "+" first', async () => {
    const r = async (a: string) => {
      const got = await resolveRecipient(store, a);
      return got && [got.account.email, got.detail];
    };
    assert.deepEqual(await r('Alice@Example.COM'), ['alice@example.com', null]);
    assert.deepEqual(await r('alice+Lists/Rust@example.com'), ['alice@example.com', 'Lists/Rust']);
    assert.deepEqual(await r('ALICE+a+b@example.com'), ['alice@example.com', 'a+b']);
    assert.deepEqual(await r('alice+@example.com'), ['alice@example.com', '']);
    assert.deepEqual(await r('list+owner@example.com'), ['list+owner@example.com', null]);
    assert.equal(await r('list+other@example.com'), null);
    assert.equal(await r('+alice@example.com'), null);
    assert.equal(await r('bob@example.com'), null);
    assert.equal(await r('alice'), null);
  });

  it('folderFor: an existing mailbox (case as given), else INBOX; never creates one', async () => {
    const acct = (await store.getAccount('alice@example.com'))!;
    await store.createMailbox(acct.id, 'Lists');
    await store.createMailbox(acct.id, 'Lists/Rust');
    const f = (d: string | null) => folderFor(store, acct, d);
    assert.equal(await f(null), 'INBOX');
    assert.equal(await f(''), 'INBOX');
    assert.equal(await f('Lists/Rust'), 'Lists/Rust');
    assert.equal(await f('lists/rust'), 'INBOX');
    assert.equal(await f('inbox'), 'INBOX');
    assert.equal(await f('Sent'), 'Sent');
    assert.equal(await f('Nope'), 'INBOX');
    assert.equal(await f('../etc'), 'INBOX');
    assert.equal(await f('a//b'), 'INBOX');
    assert.deepEqual((await store.listMailboxes(acct.id)).map((m) => m.name).sort(), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Lists', 'Lists/Rust', 'Sent', 'Trash']);
  });

  it('addTraceFields puts Return-Path, then Delivered-To, at the top', () => {
    const raw = Buffer.from('Subject: x\r\n\r\nbody\r\n');
    assert.equal(addTraceFields(raw, { returnPath: 'a@b', deliveredTo: 'c@d' }).toString(), 'Return-Path: <a@b>\r\nDelivered-To: c@d\r\nSubject: x\r\n\r\nbody\r\n');
    assert.equal(addTraceFields(raw, { returnPath: '' }).toString(), 'Return-Path: <>\r\nSubject: x\r\n\r\nbody\r\n');
    assert.equal(addTraceFields(raw, {}), raw);
    assert.equal(addTraceFields(raw, { deliveredTo: 'x\r\nBcc: y' }).toString().split('\r\n')[0], 'Delivered-To: x  Bcc: y');
  });
});
