/**
 * The store suite: one set of tests that every Store backend runs (SQLite now, PostgreSQL later).
 * Each test gets a fresh, empty store from the backend's opener.
 */
import { afterEach, beforeEach, describe } from 'node:test';
import type { Store } from '../../src/store/types.js';
import type { Ctx, Opened } from './helpers.js';
import { accountTests, mailboxTests } from './suite-mailboxes.js';
import { appendTests, copyTests, expungeTests, flagTests } from './suite-messages.js';
import { changesTests, isolationTests, notifyTests } from './suite-changes.js';
import { quotaTests } from './suite-quota.js';
import { searchTests } from './suite-search.js';
import { controlTests, penaltyTests } from './suite-penalty.js';
import { nodeTests } from './suite-nodes.js';
import { sieveTests } from './suite-sieve.js';

export type { Opened } from './helpers.js';

/**
 * runStoreSuite registers the store suite under `describe(name)`. `open` returns a fresh empty store and
 * its cleanup; it may also return `openSecond` (another connection to the same data) for the
 * cross-process notification test.
 */
export function runStoreSuite(name: string, open: () => Promise<Opened>): void {
  describe(name, () => {
    let opened: Opened | null = null;
    const ctx: Ctx = {
      get store(): Store {
        if (!opened) throw new Error('store not open');
        return opened.store;
      },
      get opened(): Opened {
        if (!opened) throw new Error('store not open');
        return opened;
      },
    };
    beforeEach(async () => {
      opened = await open();
    });
    afterEach(async () => {
      const o = opened;
      opened = null;
      if (o) {
        await o.store.close();
        await o.cleanup();
      }
    });

    describe('accounts', () => accountTests(ctx));
    describe('mailboxes', () => mailboxTests(ctx));
    describe('append and read', () => appendTests(ctx));
    describe('expunge', () => expungeTests(ctx));
    describe('flags', () => flagTests(ctx));
    describe('copy and move', () => copyTests(ctx));
    describe('change feed', () => changesTests(ctx));
    describe('notifications', () => notifyTests(ctx));
    describe('account isolation', () => isolationTests(ctx));
    describe('quota', () => quotaTests(ctx));
    describe('full-text index', () => searchTests(ctx));
    describe('login penalty', () => penaltyTests(ctx));
    describe('control messages', () => controlTests(ctx));
    describe('running servers', () => nodeTests(ctx));
    describe('sieve scripts', () => sieveTests(ctx));
  });
}
