/**
 * Line-ending normalisation for stored messages: IMAP serves sections as byte slices of the stored
 * message, and RFC 9051 section 2.3.1 / RFC 5322 section 2.1 want CRLF on the wire.
 */

const LF = 0x0a;
const CR = 0x0d;

/**
 * toCrlf returns `raw` with every bare LF (one not preceded by CR) turned into CRLF. Existing CRLF
 * pairs and lone CRs are kept as they are. Returns the same Buffer (no copy) when there is no bare LF,
 * so the common case (CRLF mail from SMTP/LMTP) costs one scan. Never throws.
 */
export function toCrlf(raw: Buffer): Buffer {
  let bare = 0;
  for (let i = raw.indexOf(LF); i !== -1; i = raw.indexOf(LF, i + 1)) {
    if (i === 0 || raw[i - 1] !== CR) bare++;
  }
  if (bare === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + bare);
  let from = 0;
  let to = 0;
  for (let i = raw.indexOf(LF); i !== -1; i = raw.indexOf(LF, i + 1)) {
    if (i > 0 && raw[i - 1] === CR) continue;
    to += raw.copy(out, to, from, i);
    out[to++] = CR;
    from = i; // the LF itself is copied with the next segment
  }
  raw.copy(out, to, from);
  return out;
}
