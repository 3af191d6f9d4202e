/**
 * The Dovecot helper itself (used by the comparison and by benchmarks): it starts on a free loopback port,
 * takes extra configuration, adds users while running, and leaves no process behind after stop().
 * Without Dovecot the test skips, except under CI=true where it fails.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { WireClient } from './wire.js';
import { dovecotAvailable, doveadm, startDovecot } from '../support/dovecot.js';

const skip = !dovecotAvailable() && process.env.CI !== 'true' ? 'dovecot is not installed' : false;

describe('startDovecot', { skip, timeout: 60_000 }, () => {
  it('serves IMAP on loopback, applies extra configuration, adds users while running, and stops cleanly', async () => {
    const dc = await startDovecot({ users: [{ name: 'alice', password: 'pw' }], extraConfig: ['service imap {', '  process_limit = 16', '}'] });
    let pid = 0;
    try {
      assert.equal(dc.host, '127.0.0.1');
      assert.ok(dc.port > 0);
      // The extra lines are part of the running configuration.
      assert.match(doveadm(dc, ['config', '-h', 'service/imap/process_limit']), /^16\s*$/);

      const alice = await WireClient.login(dc.port, 'alice', 'pw');
      const sel = await alice.command('SELECT INBOX');
      assert.equal(sel.status, 'OK');
      alice.close();

      await dc.addUser('bob', 'secret');
      const bob = await WireClient.login(dc.port, 'bob', 'secret');
      assert.equal((await bob.command('NOOP')).status, 'OK');
      bob.close();

      await assert.rejects(WireClient.login(dc.port, 'bob', 'wrong'), /login failed/);
      pid = Number(readFileSync(`${dc.dataDir}/run/master.pid`, 'utf8'));
      assert.ok(pid > 0);
    } finally {
      await dc.stop();
    }
    assert.equal(existsSync(dc.dataDir), false, 'stop() removes the data directory it created');
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the master process is gone');
  });
});
