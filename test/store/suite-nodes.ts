/**
 * The store suite's running-server cases: Store.putNode / listNodes / answerNode / deleteNodes, and over
 * them what sessions/ builds: a node's presence answering `list-sessions` for listAllSessions from another
 * connection (another process or node), and a node whose heartbeat stopped no longer counting.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import os from 'node:os';
import pino from 'pino';
import { isLive, NodePresence, NODE_STALE_MS } from '../../src/sessions/presence.js';
import { SessionRegistry, type LiveSession } from '../../src/sessions/registry.js';
import { listAllSessions } from '../../src/sessions/who.js';
import type { Ctx } from './helpers.js';

const log = pino({ level: 'silent' });

/** fakeSession is a registry entry as a logged-in IMAP session gives it (the registry only reads these fields). */
function fakeSession(user: string, mailbox: string | null, since: number): LiveSession {
  return { protocol: 'imap', id: `s-${user}`, accountId: 1, user, remote: '192.0.2.7', tls: true, since, mailbox: () => mailbox, end: () => {} };
}

/** nodeTests covers the node rows and the session listing built on them. */
export function nodeTests(ctx: Ctx): void {
  it('records, updates, lists, answers for and deletes nodes', async () => {
    const s = ctx.store;
    assert.deepEqual(await s.listNodes(), []);
    await s.putNode({ id: 'a', host: 'mail1', pid: 10, startedAt: 1000, seenAt: 1000 });
    await s.putNode({ id: 'b', host: 'mail2', pid: 20, startedAt: 2000, seenAt: 2000 });
    await s.putNode({ id: 'a', host: 'mail1', pid: 10, startedAt: 1000, seenAt: 5000 });
    await s.answerNode('b', 'req1', '[{"x":1}]');
    await s.answerNode('nobody', 'req1', '[]');
    assert.deepEqual(await s.listNodes(), [
      { id: 'a', host: 'mail1', pid: 10, startedAt: 1000, seenAt: 5000, answeredRequest: null, answer: null },
      { id: 'b', host: 'mail2', pid: 20, startedAt: 2000, seenAt: 2000, answeredRequest: 'req1', answer: '[{"x":1}]' },
    ]);
    await s.deleteNodes(['a', 'unknown']);
    assert.deepEqual((await s.listNodes()).map((n) => n.id), ['b']);
    await s.deleteNodes([]);
    await s.deleteNodes(['b']);
    assert.deepEqual(await s.listNodes(), []);
  });

  it("lists every running node's sessions from another connection, and forgets a node whose heartbeat stopped", async (t) => {
    const second = await ctx.opened.openSecond?.();
    if (!second) return t.skip('the backend has no second connection');
    const registry = new SessionRegistry();
    registry.add(fakeSession('alice@example.com', 'INBOX', 1_700_000_000_000));
    registry.add(fakeSession('bob@example.com', null, 1_700_000_001_000));
    const presence = await NodePresence.start(ctx.store, registry, log);
    try {
      const all = await listAllSessions(second, { timeoutMs: 20_000 });
      assert.deepEqual(all.silent, []);
      assert.equal(all.answered.length, 1);
      assert.equal(all.answered[0]!.node.id, presence.node.id);
      assert.deepEqual(all.answered[0]!.sessions, [
        { protocol: 'imap', id: 's-alice@example.com', user: 'alice@example.com', remote: '192.0.2.7', tls: true, since: 1_700_000_000_000, mailbox: 'INBOX' },
        { protocol: 'imap', id: 's-bob@example.com', user: 'bob@example.com', remote: '192.0.2.7', tls: true, since: 1_700_000_001_000, mailbox: null },
      ]);
      // A node killed with SIGKILL keeps its row; once its heartbeat is stale it is not asked any more.
      const [row] = await second.listNodes();
      assert.equal(isLive(row!, 'postgres', row!.seenAt + NODE_STALE_MS - 1), true);
      assert.equal(isLive(row!, 'postgres', row!.seenAt + NODE_STALE_MS + 1), false);
      await ctx.store.putNode({ ...presence.node, seenAt: Date.now() - NODE_STALE_MS - 1 });
      assert.deepEqual(await listAllSessions(second), { answered: [], silent: [] });
    } finally {
      await presence.stop();
      await second.close();
    }
    assert.deepEqual(await ctx.store.listNodes(), [], 'a node that stops removes its row');
  });

  it('on SQLite, a node of this host whose process is gone does not count, whatever its heartbeat', () => {
    const now = Date.now();
    const gone = { id: 'x', host: 'elsewhere', pid: 1, startedAt: now, seenAt: now };
    assert.equal(isLive(gone, 'sqlite', now), true, 'another host: only the heartbeat tells');
    const self = { ...gone, host: os.hostname(), pid: process.pid };
    assert.equal(isLive(self, 'sqlite', now), true);
    assert.equal(isLive({ ...self, pid: 2 ** 22 + 12345 }, 'sqlite', now), false, 'no such process');
  });
}
