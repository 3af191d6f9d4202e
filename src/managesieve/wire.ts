/**
 * How ManageSieve responses are written (RFC 5804 section 4): strings as quoted strings when short and
 * simple, else as literals `{n}` CRLF octets; response lines `OK`, `NO` and `BYE` with an optional response
 * code in parentheses and an optional human-readable string. No I/O.
 */

/** ResponseCode is a ManageSieve response code (RFC 5804 section 1.3), written in parentheses; TAG carries NOOP's echo. */
export type ResponseCode =
  | 'AUTH-TOO-WEAK'
  | 'ENCRYPT-NEEDED'
  | 'QUOTA/MAXSCRIPTS'
  | 'QUOTA/MAXSIZE'
  | 'REFERRAL'
  | 'SASL'
  | 'TRANSITION-NEEDED'
  | 'TRYLATER'
  | 'ACTIVE'
  | 'NONEXISTENT'
  | 'ALREADYEXISTS'
  | 'WARNINGS'
  | { tag: string };

/** MAX_QUOTED_OCTETS: the longest string written quoted; longer ones go as literals (RFC 5804 section 4 caps quoted strings at 1024). */
const MAX_QUOTED_OCTETS = 1024;

/**
 * encodeString writes `s` as a ManageSieve string: quoted (with `"` and `\` escaped) when it is at most
 * 1024 octets and holds no CR, LF or NUL, else as a literal `{n}\r\n` followed by its UTF-8 octets.
 */
export function encodeString(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (Buffer.byteLength(s) <= MAX_QUOTED_OCTETS && !/[\r\n\x00]/.test(s)) return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `{${Buffer.byteLength(s)}}\r\n${s}`;
}

/** encodeCode writes a response code with its parentheses, e.g. `(QUOTA/MAXSIZE)` or `(TAG "x")`. */
export function encodeCode(code: ResponseCode): string {
  return typeof code === 'string' ? `(${code})` : `(TAG ${encodeString(code.tag)})`;
}

/** encodeResponse writes one response line (RFC 5804 section 4, response-ok / response-nobye), CRLF included. */
export function encodeResponse(kind: 'OK' | 'NO' | 'BYE', code: ResponseCode | null, text: string | null): string {
  let line = kind;
  if (code !== null) line += ` ${encodeCode(code)}`;
  if (text !== null) line += ` ${encodeString(text)}`;
  return `${line}\r\n`;
}
