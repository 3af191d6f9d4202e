/**
 * `letterbox user quota`: printing usage and limits, setting and removing limits, the config file's
 * default, and bad values (exit 64).
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { prepareMessage } from '../../src/delivery/prepare.js';
import { openStore } from '../../src/store/open.js';
import { runCli } from '../support/cli.js';
import { testDatabase } from '../support/postgres.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '' };
const cli = (args: string[], input = '') => runCli(args, input, NO_ENV);

describe('letterbox user quota', () => {
  it('prints usage and limits, sets them, removes them and falls back to the config default', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lb-quota-'));
    const data = path.join(dir, 'data');
    let r = await cli(['user', 'add', 'alice@example.com', '--password-stdin', '-d', data], 'pw');
    assert.equal(r.code, 0, r.stderr);
    const raw = Buffer.from('Subject: hi\r\n\r\n' + 'x'.repeat(2000) + '\r\n');
    const store = await openStore({ dataDir: data, storage: { kind: 'sqlite' } });
    const account = (await store.getAccount('alice@example.com'))!;
    await store.appendMessages(account.id, (await store.getMailbox(account.id, 'INBOX'))!.id, [prepareMessage(raw, [], 0)]);
    await store.close();

    r = await cli(['user', 'quota', 'alice@example.com', '-d', data]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `alice@example.com\nstorage\t2K (${raw.length} octets) of no limit\nmessages\t1 of no limit\n`);

    r = await cli(['user', 'quota', 'alice@example.com', '--storage', '2G', '--messages', '100000', '-d', data]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `alice@example.com\nstorage\t2K (${raw.length} octets) of 2G (2147483648 octets)\nmessages\t1 of 100000\n`);

    r = await cli(['user', 'quota', 'alice@example.com', '--storage', 'none', '-d', data]);
    assert.equal(r.stdout, `alice@example.com\nstorage\t2K (${raw.length} octets) of no limit\nmessages\t1 of 100000\n`);

    const config = path.join(dir, 'letterbox.yaml');
    await writeFile(config, `data_dir: ./data\nquota:\n  storage: 10G\n  messages: 50\n`);
    r = await cli(['user', 'quota', 'alice@example.com', '--storage', 'default', '--messages', 'default', '-c', config]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `alice@example.com\nstorage\t2K (${raw.length} octets) of 10G (10737418240 octets)\nmessages\t1 of 50\n`);

    // --recount repairs usage that went wrong behind the store's back.
    const raw2 = new Database(path.join(data, 'letterbox.db'));
    raw2.exec('UPDATE accounts SET storage_used = 7, messages_used = 9');
    raw2.close();
    r = await cli(['user', 'quota', 'alice@example.com', '--recount', '-c', config]);
    assert.equal(r.stdout, `alice@example.com\nstorage\t2K (${raw.length} octets) of 10G (10737418240 octets)\nmessages\t1 of 50\n`);

    r = await cli(['user', 'quota', 'alice@example.com', '--storage', 'lots', '-d', data]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /--storage: expected a size such as 500M, 10G/);
    r = await cli(['user', 'quota', 'alice@example.com', '--messages', '-3', '-d', data]);
    assert.equal(r.code, 64);
    r = await cli(['user', 'quota', 'nobody@example.com', '-d', data]);
    assert.notEqual(r.code, 0);

    await writeFile(config, `quota:\n  storage: lots\n`);
    r = await cli(['user', 'quota', 'alice@example.com', '-c', config]);
    assert.equal(r.code, 78);
    assert.match(r.stderr, /quota\.storage: expected a size/);
  });

  it('takes --storage as the storage limit and, for PostgreSQL, as the backend in one command', async () => {
    const db = await testDatabase();
    try {
      let r = await cli(['user', 'add', 'pg@example.com', '--password-stdin', '--storage', db.url], 'pw');
      assert.equal(r.code, 0, r.stderr);
      r = await cli(['user', 'quota', 'pg@example.com', '--storage', db.url, '--storage', '2G', '--messages', '10']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'pg@example.com\nstorage\t0B (0 octets) of 2G (2147483648 octets)\nmessages\t0 of 10\n');
      r = await runCli(['user', 'quota', 'pg@example.com', '--storage', 'none'], '', { ...NO_ENV, LETTERBOX_STORAGE: db.url });
      assert.equal(r.stdout, 'pg@example.com\nstorage\t0B (0 octets) of no limit\nmessages\t0 of 10\n');
      r = await cli(['user', 'quota', 'pg@example.com', '--storage', '1G', '--storage', '2G']);
      assert.equal(r.code, 64);
      assert.match(r.stderr, /--storage: give at most one storage limit and one backend/);
    } finally {
      await db.drop();
    }
  });
});
