/**
 * notAMessage: whether a file found in an import source is an e-mail message at all.
 */

/** BINARY_SCAN bounds how much of the start of a file notAMessage looks at (octets). */
const BINARY_SCAN = 8 * 1024;

/**
 * notAMessage says why `raw` is not an e-mail message, or null when it may be one. Mail that breaks RFC
 * 5322 is still mail (a server stores what it is given), so only what is plainly not text is refused: a
 * header (the start of the file, up to the first empty line) holding a NUL, or more than one control
 * character in ten (TAB, CR, LF, FF and ESC, which ISO-2022 text uses, aside). So an executable, an
 * archive or a picture named .eml is reported, not "imported".
 */
export function notAMessage(raw: Buffer): string | null {
  const scan = raw.subarray(0, BINARY_SCAN);
  const end = scan.indexOf('\r\n\r\n');
  const head = end < 0 ? scan : scan.subarray(0, end);
  let controls = 0;
  // An indexed loop: a Buffer's iterator costs several times as much per byte.
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!;
    if (b === 0) return 'not an e-mail message (binary data)';
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d && b !== 0x1b) || b === 0x7f) controls++;
  }
  return controls * 10 > head.length ? 'not an e-mail message (binary data)' : null;
}
