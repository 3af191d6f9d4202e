/**
 * Reading one field back out of the decoded header block kept for SEARCH (search-text.ts: "Name: value\n"
 * per top-level field), for callers that need a field the envelope does not hold (References, for
 * THREAD=REFERENCES) without reading the message.
 */

/** A header field name at the start of a line of the block (RFC 5322 section 3.6.8 ftext, then ":"). */
const FIELD_START = /^[!-9;-~]+:/;

/**
 * headerTextField returns the value of the first field called `name` (case-insensitive) in a search-text
 * header block, with any continuation lines joined by a space and the ends trimmed; null when absent.
 */
export function headerTextField(headers: string, name: string): string | null {
  const prefix = name.toLowerCase() + ':';
  const lines = headers.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.slice(0, prefix.length).toLowerCase() !== prefix) continue;
    let value = lines[i]!.slice(prefix.length);
    while (i + 1 < lines.length && lines[i + 1] !== '' && !FIELD_START.test(lines[i + 1]!)) value += ' ' + lines[++i];
    return value.trim();
  }
  return null;
}
