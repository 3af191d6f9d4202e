/**
 * The TLS policy of every listener (993 and STARTTLS on 143): TLS 1.2 and 1.3 only, forward-secret AEAD
 * cipher suites only (Mozilla's "intermediate" profile), the server's order preferred.
 */
import tls from 'node:tls';

/** TLS_MIN_VERSION: TLS 1.0 and 1.1 are deprecated (RFC 8996); RFC 8314 section 4.1 asks for TLS 1.2 or later. */
export const TLS_MIN_VERSION = 'TLSv1.2' as const;

/** TLS_CIPHERS: TLS 1.3 suites, then ECDHE/DHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2; no CBC, RC4, 3DES, static RSA or export suites. */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
].join(':');

/** secureContextOptions returns the options for tls.createServer / createSecureContext / setSecureContext for a PEM key and certificate chain. */
export function secureContextOptions(material: { key: Buffer; cert: Buffer }): tls.SecureContextOptions {
  return { key: material.key, cert: material.cert, minVersion: TLS_MIN_VERSION, ciphers: TLS_CIPHERS, honorCipherOrder: true };
}
