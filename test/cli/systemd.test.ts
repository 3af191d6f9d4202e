/**
 * contrib/systemd/letterbox.service: `systemd-analyze verify` accepts it (with ExecStart pointed at this
 * checkout, since verify checks that the program exists), and it keeps the promises the README makes: an
 * unprivileged User= that may still bind ports below 1024, no new privileges, a read-only system with the
 * data directory writable, restart on failure but not on configuration errors, reload by SIGHUP.
 * Without systemd-analyze (Debian package systemd) the test is skipped, except with CI=true, where it fails.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { bin } from '../support/cli.js';

const UNIT = path.resolve(import.meta.dirname, '..', '..', 'contrib', 'systemd', 'letterbox.service');
const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;

/** directives parses the unit into `Key` -> values (in order), ignoring comments. */
function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

describe('systemd unit', () => {
  it('has the hardening and restart policy the README describes', async () => {
    const d = directives(await readFile(UNIT, 'utf8'));
    const one = (k: string) => d.get(k)?.join(' ');
    assert.equal(one('User'), 'letterbox');
    assert.equal(one('AmbientCapabilities'), 'CAP_NET_BIND_SERVICE');
    assert.equal(one('CapabilityBoundingSet'), 'CAP_NET_BIND_SERVICE');
    assert.equal(one('NoNewPrivileges'), 'yes');
    assert.equal(one('ProtectSystem'), 'strict');
    assert.equal(one('StateDirectory'), 'letterbox');
    assert.equal(one('ReadWritePaths'), '/var/lib/letterbox');
    assert.equal(one('Restart'), 'on-failure');
    assert.equal(one('RestartPreventExitStatus'), '64 65 78');
    assert.equal(one('ExecReload'), '/bin/kill -HUP $MAINPID');
    assert.match(one('ExecStart')!, /^\/usr\/bin\/node \/opt\/letterbox\/bin\/letterbox\.js serve --config \/etc\/letterbox\/letterbox\.yaml$/);
  });

  it('passes systemd-analyze verify', { skip: !analyze && process.env.CI !== 'true' && 'systemd-analyze is not installed (Debian package systemd)' }, async () => {
    assert.ok(analyze, 'systemd-analyze is required with CI=true (.ci/run installs the systemd package)');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lb-systemd-'));
    const unit = path.join(dir, 'letterbox.service');
    const text = (await readFile(UNIT, 'utf8')).replace('/usr/bin/node /opt/letterbox/bin/letterbox.js', `${process.execPath} ${bin()}`);
    await writeFile(unit, text);
    const ok = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stderr.trim(), '', 'no warnings');
    // And it does find mistakes: an unknown directive is reported.
    await writeFile(unit, text.replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
    const bad = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    assert.match(bad.stderr, /NoNewPrivilege/);
  });
});
