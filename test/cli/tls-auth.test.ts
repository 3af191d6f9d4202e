import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { normalizeEmail } from '../../src/auth/email.js';
import { DUMMY_HASH, hashPassword, verifyOrDummy, verifyPassword } from '../../src/auth/password.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { createLogger } from '../../src/log/logger.js';
import { ensureTlsMaterial, TlsError } from '../../src/tls/material.js';

const log = createLogger('silent');

async function config(tls: Partial<Config['tls']> = {}): Promise<Config> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lb-tls-'));
  const c = await loadConfig({ overrides: { dataDir: dir } });
  return { ...c, tls: { ...c.tls, ...tls } };
}

describe('ensureTlsMaterial', () => {
  it('generates a self-signed certificate once, then reuses it', async () => {
    const c = await config();
    const first = await ensureTlsMaterial(c, log);
    assert.equal(first.generated, true);
    const x509 = new X509Certificate(first.cert);
    assert.equal(x509.subject, `CN=${os.hostname()}`);
    assert.match(x509.subjectAltName ?? '', /DNS:localhost/);
    assert.ok(Date.parse(x509.validTo) > Date.now() + 9 * 365 * 24 * 3600 * 1000);
    assert.match(x509.publicKey.asymmetricKeyType ?? '', /^rsa$/);
    const keyFile = path.join(c.dataDir, 'tls', 'selfsigned.key');
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    assert.deepEqual(await readFile(keyFile), first.key);

    const again = await ensureTlsMaterial(c, log);
    assert.equal(again.generated, false);
    assert.deepEqual(again.cert, first.cert);
  });

  it('reads configured files and checks they belong together', async () => {
    const gen = await config();
    const pair = await ensureTlsMaterial(gen, log);
    const other = await ensureTlsMaterial(await config(), log);
    const dir = gen.dataDir;
    await writeFile(path.join(dir, 'cert.pem'), pair.cert);
    await writeFile(path.join(dir, 'key.pem'), pair.key);
    await writeFile(path.join(dir, 'other-key.pem'), other.key);

    const ok = await ensureTlsMaterial({ ...gen, tls: { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') } }, log);
    assert.equal(ok.generated, false);
    assert.deepEqual(ok.key, pair.key);

    await assert.rejects(
      ensureTlsMaterial({ ...gen, tls: { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'other-key.pem') } }, log),
      /other-key\.pem does not match the certificate/,
    );
    await assert.rejects(ensureTlsMaterial({ ...gen, tls: { cert: path.join(dir, 'missing.pem'), key: path.join(dir, 'key.pem') } }, log), (err: Error) => {
      assert.ok(err instanceof TlsError);
      assert.match(err.message, /cannot read TLS certificate .*missing\.pem: no such file/);
      return true;
    });
    await assert.rejects(ensureTlsMaterial({ ...gen, tls: { cert: path.join(dir, 'cert.pem'), key: null } }, log), /tls\.key is not set/);
  });
});

describe('passwords', () => {
  it('hashes with argon2id and verifies', async () => {
    const h = await hashPassword('correct horse');
    assert.match(h, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(h, 'correct horse'), true);
    assert.equal(await verifyPassword(h, 'wrong'), false);
    assert.notEqual(await hashPassword('correct horse'), h, 'fresh salt each time');
  });

  it('never throws on a malformed hash', async () => {
    assert.equal(await verifyPassword('not a hash', 'x'), false);
    assert.equal(await verifyPassword('', ''), false);
  });

  it('verifyOrDummy spends a real verification on an unknown user and says no', async () => {
    assert.match(DUMMY_HASH, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyOrDummy(null, 'anything'), false);
    const h = await hashPassword('pw');
    assert.equal(await verifyOrDummy(h, 'pw'), true);
    // The dummy hash is a valid hash: verifying it does the full work rather than failing fast.
    const t0 = performance.now();
    await verifyOrDummy(null, 'x');
    const dummy = performance.now() - t0;
    const t1 = performance.now();
    await verifyOrDummy(h, 'x');
    const real = performance.now() - t1;
    assert.ok(dummy > real / 4, `dummy ${dummy} ms vs real ${real} ms`);
  });
});

describe('normalizeEmail', () => {
  it('accepts and lower-cases plain addresses', () => {
    assert.equal(normalizeEmail(' Alice@Example.COM '), 'alice@example.com');
    assert.equal(normalizeEmail('a.b+tag@sub.example.org'), 'a.b+tag@sub.example.org');
    assert.equal(normalizeEmail('root@localhost'), 'root@localhost');
  });
  for (const bad of ['alice', '@example.com', 'alice@', 'a..b@example.com', '.a@example.com', 'a b@example.com', 'alice@exa mple.com', 'alice@-example.com', 'alice@example..com', 'a@b@c.d']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => normalizeEmail(bad), /^Error: invalid email address/));
  }
});
