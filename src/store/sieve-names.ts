/**
 * What a Sieve script's name may be (RFC 5804 section 1.6), checked once for every way a script is stored:
 * the store's rules (mail/sieve.ts), the ManageSieve server and the CLI.
 */

/** MAX_SCRIPT_NAME_OCTETS: RFC 5804 section 1.6 asks servers to accept names of at least 128 octets; 1024 is generous and bounded. */
export const MAX_SCRIPT_NAME_OCTETS = 1024;

/**
 * scriptNameProblem says what is wrong with a script name, or null when it is a valid one: RFC 5804 section
 * 1.6 allows any non-empty UTF-8 string without the control characters U+0000-U+001F, U+007F-U+009F and
 * the line and paragraph separators U+2028, U+2029 (the JavaScript string must be well formed).
 */
export function scriptNameProblem(name: string): string | null {
  if (name === '') return 'a script name cannot be empty';
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name)) return 'a script name must be valid UTF-8';
  if (Buffer.byteLength(name) > MAX_SCRIPT_NAME_OCTETS) return `a script name is at most ${MAX_SCRIPT_NAME_OCTETS} octets`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) return 'a script name cannot contain control characters';
  return null;
}
