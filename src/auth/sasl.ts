/**
 * The SASL mechanisms Letterbox offers, decoded the same way for every protocol (IMAP AUTHENTICATE,
 * RFC 9051 section 6.2.2; POP3 AUTH, RFC 5034): PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login).
 * Both carry the password in the clear, so both follow the plaintext-auth rule (plaintext.ts). The
 * protocols frame the exchange (continuations, cancelling with "*"); this file only decodes.
 */

/** SASL_MECHANISMS: the mechanisms offered where a password may be sent. */
export const SASL_MECHANISMS = ['PLAIN', 'LOGIN'] as const;

/** LOGIN_CHALLENGES: the base64 challenges of the LOGIN mechanism, "Username:" then "Password:". */
export const LOGIN_CHALLENGES = { user: b64('Username:'), password: b64('Password:') } as const;

/**
 * SaslError: a response that cannot be used. `kind` 'base64' (not base64), 'malformed' (a PLAIN
 * response without exactly three NUL-separated fields) or 'authzid' (PLAIN asked to act as another user,
 * which is not allowed). The message is safe to show to the client.
 */
export class SaslError extends Error {
  constructor(
    readonly kind: 'base64' | 'malformed' | 'authzid',
    message: string,
  ) {
    super(message);
    this.name = 'SaslError';
  }
}

/** decodeSaslResponse decodes one base64 client response; "=" is the empty initial response (RFC 4959, RFC 5034 section 4). Throws SaslError 'base64'. */
export function decodeSaslResponse(text: string): Buffer {
  if (text === '=') return Buffer.alloc(0);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new SaslError('base64', 'Invalid base64 in authentication response');
  return Buffer.from(text, 'base64');
}

/**
 * plainCredentials reads a decoded PLAIN response, authzid NUL authcid NUL passwd (RFC 4616 section 2),
 * as UTF-8. The authorization identity must be empty or the user's own name (case-insensitive).
 * Throws SaslError 'malformed' or 'authzid'.
 */
export function plainCredentials(response: Buffer): { user: string; password: string } {
  const parts = response.toString('utf8').split('\0');
  if (parts.length !== 3) throw new SaslError('malformed', 'Malformed PLAIN response');
  const [authzid, authcid, password] = parts as [string, string, string];
  if (authzid !== '' && authzid.toLowerCase() !== authcid.toLowerCase()) {
    throw new SaslError('authzid', 'Authorization identity must be empty or equal the user name.');
  }
  return { user: authcid, password };
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}
