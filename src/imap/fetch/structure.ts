/**
 * Encoders for the FETCH data items BODY and BODYSTRUCTURE (RFC 9051 section 7.5.2, grammar in
 * section 9: `body`, `body-type-1part`, `body-type-mpart`, `body-ext-1part`, `body-ext-mpart`).
 * Pure functions from the stored MimePart (computed once at delivery) to response text. ENVELOPE is
 * protocol/envelope.ts (the store keeps each body's ENVELOPE text), re-exported here.
 *
 * Casing follows Dovecot: media types, subtypes, parameter names, disposition types and the transfer
 * encoding go out as the message wrote them ("TEXT" "Plain" ("CHARSET" ...)), and the defaults are
 * `"text" "plain" ("charset" "us-ascii")` and `"7bit"`. They are all case-insensitive (RFC 2045 section
 * 5.1, RFC 2183 section 2), so keeping the header's spelling changes nothing for a client that follows the
 * RFCs, and matches what clients tested against Dovecot have seen. Structures stored before the spelling
 * was kept have no typeText/subtypeText/encodingText and go out lower-cased.
 */
import { imapString, nstring } from '../../protocol/encoder.js';
import { encodeEnvelope } from '../../protocol/envelope.js';
import type { MimeParams, MimePart } from '../../mime/types.js';

export { encodeEnvelope };

/** Charset a text part gets when its Content-Type names none (RFC 2045 section 5.2, RFC 9051 section 7.5.2). */
const DEFAULT_CHARSET = 'us-ascii';

/** Placeholder child for a multipart without parts (the grammar needs `1*body`); Dovecot sends the same. */
const EMPTY_BODY = '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)';
const EMPTY_BODYSTRUCTURE = '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)';

/** An ENVELOPE with every member NIL: for a message/rfc822 part whose inner message was not parsed. */
const NIL_ENVELOPE = '(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)';

const nstr = nstring;

function paramList(params: MimeParams, utf8: boolean): string {
  if (params.length === 0) return 'NIL';
  return '(' + params.map(([k, v]) => `${imapString(k, utf8)} ${imapString(v, utf8)}`).join(' ') + ')';
}

function disposition(part: MimePart, utf8: boolean): string {
  const d = part.disposition;
  if (!d) return 'NIL';
  return `(${imapString(d.value, utf8)} ${paramList(d.params, utf8)})`;
}

function language(part: MimePart, utf8: boolean): string {
  const l = part.language;
  if (!l || l.length === 0) return 'NIL';
  return '(' + l.map((t) => imapString(t, utf8)).join(' ') + ')';
}

/** body-fld-dsp SP body-fld-lang SP body-fld-loc: the extension fields common to both part kinds. */
function commonExtension(part: MimePart, utf8: boolean): string {
  return `${disposition(part, utf8)} ${language(part, utf8)} ${nstr(part.location, utf8)}`;
}

function isMultipart(part: MimePart): boolean {
  return part.type === 'multipart';
}

function isEncapsulated(part: MimePart): boolean {
  return part.message !== null || (part.type === 'message' && (part.subtype === 'rfc822' || part.subtype === 'global'));
}

function encodeMultipart(part: MimePart, extended: boolean, utf8: boolean): string {
  let out = '(';
  if (part.parts.length === 0) out += extended ? EMPTY_BODYSTRUCTURE : EMPTY_BODY;
  for (const child of part.parts) out += encodePart(child, extended, utf8);
  out += ' ' + imapString(part.subtypeText ?? (part.subtype || 'x-unknown'), utf8);
  if (extended) out += ` ${paramList(part.params, utf8)} ${commonExtension(part, utf8)}`;
  return out + ')';
}

function encodeSinglePart(part: MimePart, extended: boolean, utf8: boolean): string {
  const text = part.type === 'text';
  let params = part.params;
  if (text && !params.some(([k]) => k.toLowerCase() === 'charset')) params = [...params, ['charset', DEFAULT_CHARSET]];
  const octets = Math.max(0, part.bodyEnd - part.bodyStart);
  // Dovecot names an attached message "message" "rfc822" whatever the header's spelling; so does Letterbox.
  const spelled = part.type !== '' && part.subtype !== '' && !(part.type === 'message' && part.subtype === 'rfc822');
  let out =
    `(${imapString(spelled ? (part.typeText ?? part.type) : part.type || 'text', utf8)} ` +
    `${imapString(spelled ? (part.subtypeText ?? part.subtype) : part.subtype || (text ? 'plain' : 'unknown'), utf8)} ` +
    `${paramList(params, utf8)} ${nstr(part.id, utf8)} ${nstr(part.description, utf8)} ` +
    `${imapString(part.encodingText ?? (part.encoding || '7bit'), utf8)} ${octets}`;
  if (text) {
    out += ` ${part.bodyLines}`;
  } else if (isEncapsulated(part)) {
    // body-type-msg: envelope, body and lines of the encapsulated message.
    const inner = part.message;
    const env = part.envelope ?? null;
    out += ` ${env ? encodeEnvelope(env, utf8) : NIL_ENVELOPE} `;
    out += inner ? encodePart(inner, extended, utf8) : extended ? EMPTY_BODYSTRUCTURE : EMPTY_BODY;
    out += ` ${part.bodyLines}`;
  }
  if (extended) out += ` ${nstr(part.md5, utf8)} ${commonExtension(part, utf8)}`;
  return out + ')';
}

function encodePart(part: MimePart, extended: boolean, utf8: boolean): string {
  return isMultipart(part) ? encodeMultipart(part, extended, utf8) : encodeSinglePart(part, extended, utf8);
}

/**
 * encodeBodyStructure renders the `body` of RFC 9051 section 9 for a part tree, parenthesised.
 * `extended` false gives FETCH BODY (no extension data); true gives BODYSTRUCTURE with extension data:
 * md5, disposition, language and location for single parts; parameters, disposition, language and
 * location for multiparts (RFC 9051 section 7.5.2). Sizes are octets of the encoded body; text/* and
 * message/rfc822 parts carry their body line count.
 */
export function encodeBodyStructure(root: MimePart, extended: boolean, utf8 = false): string {
  // The store hands out one shared, unchanging structure per body it keeps (StructureCache), and clients
  // fetch the same messages' BODYSTRUCTURE again and again: each structure's four renderings are kept with it.
  let kept = RENDERED.get(root);
  if (kept === undefined) RENDERED.set(root, (kept = [undefined, undefined, undefined, undefined]));
  const i = (extended ? 2 : 0) + (utf8 ? 1 : 0);
  return (kept[i] ??= encodePart(root, extended, utf8));
}

/** The renderings of a structure, by (extended ? 2 : 0) + (utf8 ? 1 : 0); kept as long as the structure is. */
const RENDERED = new WeakMap<MimePart, Array<string | undefined>>();
