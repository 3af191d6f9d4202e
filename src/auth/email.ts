/**
 * Account names are email addresses. Letterbox checks their shape when an account is created, so that a
 * typo ("alice@@example.com", "alice example.com") does not become an account nobody can log in to.
 */

/** MAX_EMAIL_OCTETS is the longest address accepted: RFC 5321 section 4.5.3.1.3 limits a path to 256 octets, so an address to 254. */
const MAX_EMAIL_OCTETS = 254;

const LOCAL_ATOM = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/**
 * normalizeEmail checks that `address` is a plain addr-spec `local@domain` (RFC 5322 section 3.4.1,
 * dot-atom local part only, no quoted strings or comments; UTF-8 allowed as in RFC 6531) and returns it
 * trimmed and lower-cased, as the store keeps account names.
 * Throws Error with a one-line message saying what is wrong.
 */
export function normalizeEmail(address: string): string {
  const email = address.trim().toLowerCase();
  const bad = (why: string) => new Error(`invalid email address "${address}": ${why}`);
  if (Buffer.byteLength(email) > MAX_EMAIL_OCTETS) throw bad(`longer than ${MAX_EMAIL_OCTETS} octets`);
  const at = email.lastIndexOf('@');
  if (at < 0) throw bad('expected local-part@domain');
  if (email.indexOf('@') !== at) throw bad('more than one "@"');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (!local) throw bad('nothing before the "@"');
  if (!domain) throw bad('nothing after the "@"');
  if (Buffer.byteLength(local) > 64) throw bad('the part before "@" is longer than 64 octets');
  if (local.split('.').some((atom) => !LOCAL_ATOM.test(atom))) throw bad('the part before "@" may contain letters, digits and !#$%&\'*+/=?^_`{|}~- separated by single dots');
  if (domain.endsWith('.') || domain.split('.').some((label) => !DOMAIN_LABEL.test(label))) {
    throw bad('the domain must be dot-separated labels of letters, digits and inner hyphens');
  }
  return email;
}
