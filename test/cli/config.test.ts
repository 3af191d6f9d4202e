import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/cli/context.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { serverLimits } from '../../src/imap/server.js';

async function tmp(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'lb-config-'));
}

describe('loadConfig', () => {
  it('gives the defaults without a file, with dataDir absolute from the cwd', async () => {
    const c = await loadConfig({ cwd: '/srv/mail' });
    assert.deepEqual(c, {
      dataDir: '/srv/mail/data',
      storage: { kind: 'sqlite' },
      imap: { host: '0.0.0.0', port: 143, tlsPort: 993, plaintextAuth: 'loopback', maxConnections: 5000, maxConnectionsPerIp: 1000, maxConnectionsPerUserIp: 10 },
      pop3: { host: '0.0.0.0', port: 110, tlsPort: 995, plaintextAuth: 'loopback', maxConnections: 5000, maxConnectionsPerIp: 1000, maxConnectionsPerUserIp: 10 },
      managesieve: { host: '0.0.0.0', port: 4190, plaintextAuth: 'loopback', maxConnections: 5000, maxConnectionsPerIp: 1000, maxConnectionsPerUserIp: 10, maxScripts: 20, maxScriptOctets: null },
      outgoing: { smtp: null },
      lmtp: { host: '127.0.0.1', port: 24, socket: '/srv/mail/data/lmtp.sock' },
      tls: { cert: null, key: null },
      quota: { storage: null, messages: null },
      log: { level: 'info', format: 'json', file: null },
      admin: { host: '127.0.0.1', port: 0 },
      // "auto": one worker per core of the machine the test runs on, but one, at least one.
      serve: { workers: Math.max(1, os.availableParallelism() - 1) },
      auth: { penaltyDelayMs: 2000, penaltyMaxDelayMs: 15_000, penaltyExpireMs: 900_000 },
    });
  });

  it('reads YAML and resolves its relative paths against the file directory', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'letterbox.yaml');
    await writeFile(
      file,
      'data_dir: ./mail\nimap: { host: 127.0.0.1, port: 1143, tls_port: 0, plaintext_auth: never, max_connections_per_user_ip: 50 }\ntls: { cert: certs/fullchain.pem, key: /etc/key.pem }\nlog: { level: debug }\n',
    );
    const c = await loadConfig({ file, cwd: '/elsewhere' });
    assert.equal(c.dataDir, path.join(dir, 'mail'));
    assert.deepEqual(c.imap, { host: '127.0.0.1', port: 1143, tlsPort: 0, plaintextAuth: 'never', maxConnections: 5000, maxConnectionsPerIp: 1000, maxConnectionsPerUserIp: 50 });
    // The server takes its connection limits from the config (like Dovecot's mail_max_userip_connections).
    assert.deepEqual(
      (({ maxConnections, maxConnectionsPerIp, maxConnectionsPerUserIp }) => ({ maxConnections, maxConnectionsPerIp, maxConnectionsPerUserIp }))(serverLimits(c)),
      { maxConnections: 5000, maxConnectionsPerIp: 1000, maxConnectionsPerUserIp: 50 },
    );
    assert.deepEqual(c.tls, { cert: path.join(dir, 'certs/fullchain.pem'), key: '/etc/key.pem' });
    assert.equal(c.log.level, 'debug');
  });

  it('reads the managesieve and outgoing sections, and refuses bad values naming the key', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'letterbox.yaml');
    await writeFile(file, 'managesieve: { host: 127.0.0.1, port: 14190, plaintext_auth: never, max_scripts: 5, max_script_size: 32K }\noutgoing: { smtp: "smtp://relay.example.com:25" }\n');
    const c = await loadConfig({ file });
    assert.deepEqual([c.managesieve.host, c.managesieve.port, c.managesieve.plaintextAuth, c.managesieve.maxScripts, c.managesieve.maxScriptOctets], ['127.0.0.1', 14190, 'never', 5, 32 * 1024]);
    assert.equal(c.outgoing.smtp, 'smtp://relay.example.com:25');
    const over = await loadConfig({ file, overrides: { managesieve: { port: 0 }, outgoing: { smtp: null } } });
    assert.deepEqual([over.managesieve.port, over.outgoing.smtp], [0, null]);
    await writeFile(file, 'managesieve: { max_scripts: 0 }\n');
    await assert.rejects(loadConfig({ file }), /: managesieve\.max_scripts: expected a whole number of scripts, at least 1$/);
    await writeFile(file, 'outgoing: { smtp: "relay.example.com" }\n');
    await assert.rejects(loadConfig({ file }), /: outgoing\.smtp: expected an smtp:\/\/host:port or smtps:\/\/host:port URL, or null$/);
  });

  it('reads the pop3 section, with the same keys as imap, and its overrides', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'letterbox.yaml');
    await writeFile(file, 'pop3: { host: 127.0.0.1, port: 1110, tls_port: 0, plaintext_auth: never, max_connections: 200, max_connections_per_ip: 20, max_connections_per_user_ip: 3 }\n');
    const c = await loadConfig({ file });
    assert.deepEqual(c.pop3, { host: '127.0.0.1', port: 1110, tlsPort: 0, plaintextAuth: 'never', maxConnections: 200, maxConnectionsPerIp: 20, maxConnectionsPerUserIp: 3 });
    assert.equal(c.imap.port, 143, 'imap keeps its defaults');
    const over = await loadConfig({ file, overrides: { pop3: { host: '::', port: 0, tlsPort: 1995 } } });
    assert.deepEqual([over.pop3.host, over.pop3.port, over.pop3.tlsPort, over.pop3.plaintextAuth], ['::', 0, 1995, 'never']);
    await writeFile(file, 'pop3: { tls_port: -1 }\n');
    await assert.rejects(loadConfig({ file }), /: pop3\.tls_port: expected a number from 0 to 65535$/);
    await writeFile(file, 'pop3: { apop: yes }\n');
    await assert.rejects(loadConfig({ file }), /: pop3\.apop: unknown key \(allowed: host, port, tls_port, plaintext_auth, max_connections, max_connections_per_ip, max_connections_per_user_ip\)$/);
  });

  it('letterbox.example.yaml is valid and shows the defaults', async () => {
    const example = path.resolve(import.meta.dirname, '..', '..', 'letterbox.example.yaml');
    const c = await loadConfig({ file: example, cwd: '/srv/mail' });
    const defaults = await loadConfig({ cwd: '/srv/mail' });
    assert.deepEqual({ ...c, dataDir: null, lmtp: { ...c.lmtp, socket: null } }, { ...defaults, dataDir: null, lmtp: { ...defaults.lmtp, socket: null } });
  });

  it('resolves the LMTP socket: default in the data directory, relative to the file or the cwd, "none" for off', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'letterbox.yaml');
    await writeFile(file, 'data_dir: /var/lib/lb\nlmtp: { host: "::1", port: 2424, socket: run/lmtp.sock }\n');
    assert.deepEqual((await loadConfig({ file, cwd: '/elsewhere' })).lmtp, { host: '::1', port: 2424, socket: path.join(dir, 'run/lmtp.sock') });
    const cli = await loadConfig({ file, cwd: '/elsewhere', overrides: { lmtp: { port: 0, socket: 'x.sock' } } });
    assert.deepEqual(cli.lmtp, { host: '::1', port: 0, socket: '/elsewhere/x.sock' });
    assert.equal((await loadConfig({ file, overrides: { lmtp: { socket: 'none' } } })).lmtp.socket, null);
    await writeFile(file, 'data_dir: /var/lib/lb\nlmtp: { socket: none }\n');
    assert.equal((await loadConfig({ file })).lmtp.socket, null);
    await writeFile(file, 'data_dir: /var/lib/lb\n');
    assert.equal((await loadConfig({ file })).lmtp.socket, '/var/lib/lb/lmtp.sock');
    await writeFile(file, 'lmtp: { port: 99999 }\n');
    await assert.rejects(loadConfig({ file }), /lmtp\.port: expected a number from 0 to 65535/);
  });

  it('reads TOML', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'lb.toml');
    await writeFile(file, 'data_dir = "/var/lib/letterbox"\n[imap]\nport = 2143\n[log]\nlevel = "warn"\n');
    const c = await loadConfig({ file });
    assert.equal(c.dataDir, '/var/lib/letterbox');
    assert.equal(c.imap.port, 2143);
    assert.equal(c.imap.tlsPort, 993);
    assert.equal(c.log.level, 'warn');
  });

  it('treats an empty file as all defaults', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'empty.yml');
    await writeFile(file, '# nothing\n');
    const c = await loadConfig({ file, cwd: dir });
    assert.equal(c.imap.port, 143);
    assert.equal(c.dataDir, path.join(dir, 'data'));
  });

  it('lets overrides win, resolving their paths against the cwd', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'c.yaml');
    await writeFile(file, 'data_dir: /from/file\nimap: { port: 1143 }\n');
    const c = await loadConfig({ file, cwd: '/work', overrides: { dataDir: 'rel', imap: { port: 0 }, log: { level: 'error' } } });
    assert.equal(c.dataDir, '/work/rel');
    assert.equal(c.imap.port, 0);
    assert.equal(c.log.level, 'error');
  });

  const bad: Array<[string, string, RegExp]> = [
    ['port out of range', 'imap: { port: 70000 }\n', /: imap\.port: expected a number from 0 to 65535$/],
    ['port as a string', 'imap:\n  port: "143"\n', /: imap\.port: expected a number from 0 to 65535$/],
    ['unknown key', 'imap: { prot: 143 }\n', /: imap\.prot: unknown key \(allowed: host, port, tls_port, plaintext_auth, max_connections, max_connections_per_ip, max_connections_per_user_ip\)$/],
    ['unknown top-level key', 'datadir: x\n', /: datadir: unknown key/],
    ['bad enum', 'imap: { plaintext_auth: sometimes }\n', /: imap\.plaintext_auth: expected one of loopback, always, never$/],
    ['bad log level', 'log: { level: loud }\n', /: log\.level: expected one of trace, debug/],
    ['section not a mapping', 'imap: 143\n', /: imap: expected a mapping/],
    ['only a cert', 'tls: { cert: /a.pem }\n', /: tls\.key: missing \(tls\.cert and tls\.key must be set together/],
    ['YAML syntax', 'imap: { port: 143\n', /: YAML syntax: /],
  ];
  for (const [name, text, re] of bad) {
    it(`rejects ${name}, naming the file and the key`, async () => {
      const dir = await tmp();
      const file = path.join(dir, 'letterbox.yaml');
      await writeFile(file, text);
      await assert.rejects(loadConfig({ file }), (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.ok(err.message.startsWith(`config error in ${file}: `), err.message);
        assert.match(err.message, re);
        assert.ok(!err.message.includes('\n'));
        return true;
      });
    });
  }

  it('rejects a TOML syntax error and an unknown extension and a missing file', async () => {
    const dir = await tmp();
    const toml = path.join(dir, 'c.toml');
    await writeFile(toml, '[imap\nport = 1\n');
    await assert.rejects(loadConfig({ file: toml }), /config error in .*c\.toml: TOML syntax: /);
    const json = path.join(dir, 'c.json');
    await writeFile(json, '{}');
    await assert.rejects(loadConfig({ file: json }), /must end in \.yaml, \.yml or \.toml/);
    await assert.rejects(loadConfig({ file: path.join(dir, 'nope.yaml') }), /cannot read config file .*nope\.yaml: no such file/);
  });
});

describe('resolveConfig precedence', () => {
  it('flags > environment > file > defaults', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'c.yaml');
    await writeFile(file, 'data_dir: /file/data\nimap: { port: 1143 }\n');
    const envFile = path.join(dir, 'env.yaml');
    await writeFile(envFile, 'imap: { port: 2143 }\n');

    let c = await resolveConfig({}, {}, { LETTERBOX_CONFIG: file });
    assert.equal(c.dataDir, '/file/data');
    assert.equal(c.imap.port, 1143);

    c = await resolveConfig({}, {}, { LETTERBOX_CONFIG: file, LETTERBOX_DATA_DIR: '/env/data' });
    assert.equal(c.dataDir, '/env/data');

    c = await resolveConfig({ dataDir: '/flag/data', config: envFile }, { imap: { port: 3143 } }, { LETTERBOX_CONFIG: file, LETTERBOX_DATA_DIR: '/env/data' });
    assert.equal(c.dataDir, '/flag/data');
    assert.equal(c.imap.port, 3143);
    assert.equal(c.imap.tlsPort, 993);
  });
});

describe('storage configuration', () => {
  it('reads storage.kind postgres with its url; --storage beats LETTERBOX_STORAGE beats the file', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'c.yaml');
    await writeFile(file, 'storage: { kind: postgres, url: "postgres://letterbox:pw@db.example:5432/mail" }\n');
    let c = await resolveConfig({ config: file }, {}, {});
    assert.deepEqual(c.storage, { kind: 'postgres', url: 'postgres://letterbox:pw@db.example:5432/mail' });
    c = await resolveConfig({ config: file }, {}, { LETTERBOX_STORAGE: 'postgresql://other/db' });
    assert.deepEqual(c.storage, { kind: 'postgres', url: 'postgresql://other/db' });
    c = await resolveConfig({ config: file, storage: 'sqlite' }, {}, { LETTERBOX_STORAGE: 'postgresql://other/db' });
    assert.deepEqual(c.storage, { kind: 'sqlite' });
    await assert.rejects(resolveConfig({ storage: 'mysql://x' }, {}, {}), /--storage: expected "sqlite" or a postgres:\/\/user:password@host:port\/database URL/);
    await assert.rejects(resolveConfig({}, {}, { LETTERBOX_STORAGE: 'pg' }), /LETTERBOX_STORAGE: expected "sqlite" or a postgres:/);
  });

  it('names the key of a bad storage section', async () => {
    const dir = await tmp();
    const bad = async (yaml: string) => {
      const file = path.join(dir, `s${Math.random()}.yaml`);
      await writeFile(file, yaml);
      return loadConfig({ file });
    };
    await assert.rejects(bad('storage: { kind: postgres }\n'), /storage\.url: /);
    await assert.rejects(bad('storage: { kind: postgres, url: "mysql://x" }\n'), /storage\.url: expected a postgres:\/\/user:password@host:port\/database URL/);
    await assert.rejects(bad('storage: { kind: oracle }\n'), /storage(\.kind)?: expected kind: sqlite, or kind: postgres with a url/);
    await assert.rejects(bad('storage: { kind: sqlite, url: "postgres://x/y" }\n'), /storage\.url: unknown key/);
  });
});
