/**
 * TLS key and certificate for the IMAP listeners: the configured PEM files, or a self-signed certificate
 * generated once into `<dataDir>/tls/` so that a fresh install serves TLS (with client warnings) at once.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/types.js';
import type { Logger } from '../log/logger.js';

/** TlsMaterial is a PEM private key and certificate chain; `generated` is true when a self-signed pair was created by this call. */
export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  generated: boolean;
}

/** TlsError is unusable TLS configuration; the message is one line naming the file. */
export class TlsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsError';
  }
}

/** SELF_SIGNED_VALID_DAYS is how long a generated certificate is valid: about ten years, so it never expires under a running install. */
const SELF_SIGNED_VALID_DAYS = 3650;

/**
 * ensureTlsMaterial returns the key and certificate to serve. With config.tls.cert and .key set it reads
 * and checks them (they must parse and belong together). Otherwise it uses `<dataDir>/tls/selfsigned.key`
 * and `selfsigned.crt`, generating them (RSA 2048, SHA-256, ~10 years, SAN localhost + this host name,
 * key mode 0600) when missing, unreadable as PEM, or expired, and logs that at info.
 * Throws TlsError when only one of cert/key is configured or a configured file is unreadable or invalid.
 */
export async function ensureTlsMaterial(config: Config, log: Logger): Promise<TlsMaterial> {
  const { cert: certPath, key: keyPath } = config.tls;
  if (certPath !== null || keyPath !== null) {
    if (certPath === null || keyPath === null) {
      throw new TlsError(`tls.${certPath === null ? 'cert' : 'key'} is not set: tls.cert and tls.key must be configured together (or both left out for a self-signed certificate)`);
    }
    const cert = await readPem(certPath, 'certificate');
    const key = await readPem(keyPath, 'private key');
    const x509 = checkPair(key, cert, keyPath, certPath);
    if (Date.parse(x509.validTo) < Date.now()) log.warn({ file: certPath, validTo: x509.validTo }, 'TLS certificate has expired; clients will refuse it');
    return { key, cert, generated: false };
  }

  const dir = path.join(config.dataDir, 'tls');
  const genKey = path.join(dir, 'selfsigned.key');
  const genCert = path.join(dir, 'selfsigned.crt');
  const existing = await readExisting(genKey, genCert);
  if (existing) return { ...existing, generated: false };

  const hostname = os.hostname();
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 60 * 60 * 1000),
    notAfterDate: new Date(Date.now() + SELF_SIGNED_VALID_DAYS * 24 * 60 * 60 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: subjectAltNames(hostname) },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomic(genKey, pems.private, 0o600);
  await writeAtomic(genCert, pems.cert, 0o644);
  log.info(
    { cert: genCert, key: genKey, fingerprint: pems.fingerprint },
    `generated a self-signed TLS certificate for ${hostname} in ${dir}; clients will warn about it until a real certificate is configured (tls.cert and tls.key)`,
  );
  return { key: Buffer.from(pems.private), cert: Buffer.from(pems.cert), generated: true };
}

/** IN_MEMORY_VALID_DAYS is how long the library's in-memory certificate is valid: longer than any test run. */
const IN_MEMORY_VALID_DAYS = 365;

let inMemory: Promise<{ key: Buffer; cert: Buffer }> | null = null;

/**
 * inMemoryTlsMaterial returns a self-signed certificate for localhost, 127.0.0.1 and ::1 (ECDSA P-256,
 * SHA-256, a year) that is never written to disk: the library's default, so an embedded server starts
 * without a certificate delay. ECDSA keys are generated in about 10 ms, where RSA 2048 takes hundreds; the
 * pair is made once per process and shared by every server it starts.
 */
export function inMemoryTlsMaterial(): Promise<{ key: Buffer; cert: Buffer }> {
  inMemory ??= (async () => {
    const { generate } = await import('selfsigned');
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(Date.now() - 60 * 60 * 1000),
      notAfterDate: new Date(Date.now() + IN_MEMORY_VALID_DAYS * 24 * 60 * 60 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: subjectAltNames('localhost') },
      ],
    });
    return { key: Buffer.from(pems.private), cert: Buffer.from(pems.cert) };
  })();
  return inMemory;
}

/** subjectAltNames lists DNS:localhost, DNS:<hostname> (when it is a usable DNS name) and the loopback IPs. */
function subjectAltNames(hostname: string): Array<{ type: 2; value: string } | { type: 7; ip: string }> {
  const names = new Set(['localhost']);
  if (/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(hostname)) names.add(hostname.toLowerCase());
  return [...[...names].map((value) => ({ type: 2 as const, value })), { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }];
}

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied (run as a user that can read it)' : (err as Error).message;
    throw new TlsError(`cannot read TLS ${what} ${file}: ${why}`);
  }
}

/** checkPair parses both PEMs and checks the key belongs to the (first) certificate; throws TlsError. */
function checkPair(key: Buffer, cert: Buffer, keyPath: string, certPath: string): X509Certificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new TlsError(`TLS certificate ${certPath} is not a PEM certificate`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TlsError(`TLS private key ${keyPath} is not an unencrypted PEM private key`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsError(`TLS private key ${keyPath} does not match the certificate ${certPath}`);
  }
  return x509;
}

/** readExisting returns the previously generated pair if both files are present, valid, matching and not expired; else null. */
async function readExisting(keyPath: string, certPath: string): Promise<{ key: Buffer; cert: Buffer } | null> {
  try {
    const [key, cert] = await Promise.all([readFile(keyPath), readFile(certPath)]);
    const x509 = checkPair(key, cert, keyPath, certPath);
    if (Date.parse(x509.validTo) < Date.now() + 24 * 60 * 60 * 1000) return null;
    return { key, cert };
  } catch {
    return null;
  }
}

/** writeAtomic writes via a temporary file and rename, so a crash never leaves half a key. */
async function writeAtomic(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, file);
}
