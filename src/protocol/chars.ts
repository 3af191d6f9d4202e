/**
 * Byte classes of the IMAP formal syntax (RFC 9051 section 9), as one 256-entry table of bit flags so that
 * the reader and the argument parser classify a byte with one array load.
 */

/** ATOM_CHAR flags an `ATOM-CHAR`: any CHAR except atom-specials `( ) { SP CTL % * " \ ]`. */
export const ATOM_CHAR = 1;
/** ASTRING_CHAR flags an `ASTRING-CHAR`: ATOM-CHAR or `]`. */
export const ASTRING_CHAR = 2;
/** TAG_CHAR flags a byte allowed in a `tag`: ASTRING-CHAR except `+`. */
export const TAG_CHAR = 4;
/** LIST_CHAR flags a `list-char`: ATOM-CHAR, `%`, `*` or `]`. */
export const LIST_CHAR = 8;
/** SEQ_CHAR flags a byte of a `sequence-set`: digits, `:`, `,`, `*` and `$` (RFC 5182). */
export const SEQ_CHAR = 16;
/** HIGH_CHAR flags 8-bit bytes (0x80-0xff), accepted in unquoted astrings as UTF-8 (see args.ts). */
export const HIGH_CHAR = 32;
/** FETCH_NAME_CHAR flags letters, digits and `.`: the bytes of a FETCH item or section keyword. */
export const FETCH_NAME_CHAR = 64;

/** CHAR_CLASS maps a byte to its flags. */
export const CHAR_CLASS: Uint8Array = buildTable();

function buildTable(): Uint8Array {
  const t = new Uint8Array(256);
  const atomSpecials = '(){ %*"\\]';
  for (let c = 0; c < 256; c++) {
    let f = 0;
    if (c >= 0x80) f |= HIGH_CHAR;
    else if (c > 0x1f && c !== 0x7f && !atomSpecials.includes(String.fromCharCode(c))) {
      f |= ATOM_CHAR | ASTRING_CHAR | LIST_CHAR;
      if (c !== 0x2b) f |= TAG_CHAR;
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x3a || c === 0x2c || c === 0x2a || c === 0x24) f |= SEQ_CHAR;
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e) f |= FETCH_NAME_CHAR;
    t[c] = f;
  }
  t[0x5d] = ASTRING_CHAR | TAG_CHAR | LIST_CHAR; // "]"
  t[0x25] |= LIST_CHAR; // "%"
  t[0x2a] |= LIST_CHAR; // "*"
  return t;
}

/**
 * tagOfLine reads the `tag` at the start of a command line (RFC 9051 section 9: 1*<ASTRING-CHAR except "+">)
 * and returns it when it is followed by SP or the end of the line, else null. Reads at most `limit` bytes.
 */
export function tagOfLine(line: Buffer, limit = 1024): string | null {
  const n = Math.min(line.length, limit);
  let i = 0;
  while (i < n && (CHAR_CLASS[line[i]!]! & TAG_CHAR) !== 0) i++;
  if (i === 0) return null;
  if (i < line.length && line[i] !== 0x20) return null;
  if (i === n && n < line.length) return null;
  return line.toString('latin1', 0, i);
}
