/**
 * Header field parsing (RFC 5322 section 2.2): one pass over the header bytes read as latin1, so each
 * char is one byte and 8-bit values survive untouched until a caller decides how to decode them.
 */

/** HeaderField is one header field, unfolded (RFC 5322 section 2.2.3). */
export interface HeaderField {
  /** Field name as written, e.g. "Content-Type". */
  name: string;
  /** Field name lower-cased, for case-insensitive lookup. */
  key: string;
  /** Value after the colon, unfolded (line breaks before WSP removed), trimmed; latin1 (one char per byte). */
  value: string;
}

/**
 * trimWsp trims SP, HTAB, CR and LF only. String.prototype.trim would also eat U+0085 and U+00A0,
 * which in a latin1 view are the last bytes of UTF-8 sequences such as "à" (C3 A0).
 */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s.charCodeAt(a))) a++;
  while (b > a && isWsp(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** A field name is printable US-ASCII except colon (RFC 5322 section 2.2); 8-bit is tolerated, space is not. */
function validName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return false;
  }
  return true;
}

/**
 * parseHeaderFields splits raw[start, end) (a header block, blank line included or not) into fields in
 * order. Lines without a colon, or whose name holds whitespace (an mbox "From " line), are skipped,
 * with their continuation lines. Whitespace between name and colon is allowed (RFC 5322 section 4.5.8).
 * Never throws.
 */
export function parseHeaderFields(raw: Buffer, start: number, end: number): HeaderField[] {
  const fields: HeaderField[] = [];
  if (start >= end) return fields;
  const text = raw.toString('latin1', start, end);
  let name: string | null = null;
  let value = '';
  const flush = (): void => {
    if (name !== null) fields.push({ name, key: name.toLowerCase(), value: trimWsp(value) });
    name = null;
  };
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = text.length;
    let lineEnd = nl;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 0x0d) lineEnd--;
    const first = text.charCodeAt(pos);
    if (first === 0x20 || first === 0x09) {
      // Unfolding removes only the line break; the leading whitespace stays (RFC 5322 section 2.2.3).
      if (name !== null) value += text.slice(pos, lineEnd);
    } else if (lineEnd === pos) {
      flush();
      break; // the blank line that ends the header
    } else {
      flush();
      const colon = text.indexOf(':', pos);
      if (colon !== -1 && colon < lineEnd) {
        const candidate = text.slice(pos, colon).replace(/[ \t]+$/, '');
        if (validName(candidate)) {
          name = candidate;
          value = text.slice(colon + 1, lineEnd);
        }
      }
    }
    pos = nl + 1;
  }
  flush();
  return fields;
}

/** firstField returns the value of the first field named `key` (lower-case), or null. */
export function firstField(fields: HeaderField[], key: string): string | null {
  for (const f of fields) if (f.key === key) return f.value;
  return null;
}
