/**
 * The capability list (RFC 5804 section 1.7), sent as the greeting, after STARTTLS and for CAPABILITY: one
 * line per capability, its name and value as strings.
 */
import { DEFAULT_SIEVE_LIMITS, OUTGOING_EXTENSIONS, SIEVE_EXTENSIONS } from '../sieve/index.js';
import type { ManageSieveSession } from './command.js';
import { encodeString } from './wire.js';

/** IMPLEMENTATION is the server's name in the IMPLEMENTATION capability. */
export const IMPLEMENTATION = 'Letterbox';

/**
 * sieveExtensions is the SIEVE capability's value: SIEVE_EXTENSIONS separated by spaces, without vacation
 * and vacation-seconds when the server cannot send mail (`outgoing` false: no outgoing.smtp relay).
 */
export function sieveExtensions(outgoing: boolean): string {
  return SIEVE_EXTENSIONS.filter((e) => outgoing || !OUTGOING_EXTENSIONS.includes(e)).join(' ');
}

/**
 * capabilityLines lists, in this order: IMPLEMENTATION, SASL (PLAIN where a password may be sent now, else
 * empty), SIEVE, STARTTLS (on a cleartext connection), MAXREDIRECTS, OWNER (after login), UNAUTHENTICATE,
 * VERSION "1.0". NOTIFY is absent: enotify is not implemented. Each line ends with CRLF.
 */
export function capabilityLines(s: Pick<ManageSieveSession, 'plaintextAuthAllowed' | 'canStartTls' | 'account' | 'outgoing'>): string {
  const caps: Array<[string, string | null]> = [
    ['IMPLEMENTATION', IMPLEMENTATION],
    ['SASL', s.plaintextAuthAllowed ? 'PLAIN' : ''],
    ['SIEVE', sieveExtensions(s.outgoing)],
  ];
  if (s.canStartTls) caps.push(['STARTTLS', null]);
  caps.push(['MAXREDIRECTS', String(DEFAULT_SIEVE_LIMITS.maxRedirects)]);
  if (s.account) caps.push(['OWNER', s.account.email]);
  caps.push(['UNAUTHENTICATE', null], ['VERSION', '1.0']);
  return caps.map(([name, value]) => `${encodeString(name)}${value === null ? '' : ` ${encodeString(value)}`}\r\n`).join('');
}
