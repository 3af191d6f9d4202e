/**
 * The plaintext-authentication rule every protocol applies (IMAP LOGINDISABLED, RFC 9051 section 6.2.3;
 * POP3 before STLS, RFC 2595 section 4): a password may be sent over a connection without TLS only where
 * the configured rule allows it. Like Dovecot's disable_plaintext_auth, the default allows it from the
 * loopback addresses only.
 */
import type { PlaintextAuthRule } from '../config/types.js';

/**
 * plaintextAuthAllowed tells whether a password may be sent now: always over TLS (`secure`), else as
 * `rule` says for a client at `remoteAddress` (an IP address as Node reports it).
 */
export function plaintextAuthAllowed(rule: PlaintextAuthRule, secure: boolean, remoteAddress: string): boolean {
  if (secure || rule === 'always') return true;
  if (rule === 'never') return false;
  return isLoopback(remoteAddress);
}

/** isLoopback tells whether an address is 127.0.0.0/8 or ::1 (also IPv4-mapped). */
export function isLoopback(addr: string): boolean {
  const a = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  return a === '::1' || a.startsWith('127.');
}
