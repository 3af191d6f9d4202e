/**
 * Types for the MIME structure of a stored message, computed once when the message is stored
 * (RFC 5322, RFC 2045-2049) and kept as JSON beside it, so that FETCH of a part is a slice of the
 * stored bytes and never a re-parse.
 *
 * All offsets are byte offsets (octets) into the stored message, which has CRLF line endings.
 * Ranges are half-open: [start, end).
 */
import type { Envelope } from '../protocol/envelope.js';

// ENVELOPE is an IMAP structure (RFC 9051 section 7.5.2), so its type lives beside its encoder in
// src/protocol; the MIME layer builds one per message and hands it on with the rest of ParsedMessage.
export type { Envelope, EnvelopeAddress } from '../protocol/envelope.js';

/**
 * A MIME parameter list in the order it appeared: `[name, value]` pairs, name as first written (match it
 * case-insensitively, RFC 2045 section 5.1; messages stored before names kept their case have them
 * lower-cased), value decoded (RFC 2231 joined).
 */
export type MimeParams = Array<[string, string]>;

/** MimePart is one node of the body structure tree (RFC 9051 section 7.5.2 BODYSTRUCTURE). */
export interface MimePart {
  /** Offset of the first header byte of this part (for the top-level message: 0). */
  headerStart: number;
  /** Offset just past the blank line that ends the header (== bodyStart). If there is no blank line, == bodyStart == end of header bytes. */
  headerEnd: number;
  /** Offset of the first body byte. */
  bodyStart: number;
  /** Offset just past the last body byte (for a multipart child: before the CRLF that precedes the next boundary). */
  bodyEnd: number;
  /** Number of lines in the body (RFC 9051 body-fld-lines), counted as CRLF-terminated lines plus a final partial line. */
  bodyLines: number;
  /** Media type, lower-cased, e.g. "text" (default "text" when absent; see RFC 2045 section 5.2). */
  type: string;
  /** Media subtype, lower-cased, e.g. "plain". */
  subtype: string;
  /**
   * The type and subtype as written in Content-Type when that differs from `type` / `subtype` (only in
   * case), e.g. "TEXT"; absent otherwise. BODYSTRUCTURE reports them as written, as Dovecot does.
   */
  typeText?: string;
  subtypeText?: string;
  /** Content-Type parameters (for text/* without a charset the IMAP default ("charset" "us-ascii") is NOT added here; the encoder adds it). */
  params: MimeParams;
  /** Content-ID header value, raw (unfolded, trimmed), or null. */
  id: string | null;
  /** Content-Description header value, raw (unfolded, trimmed), or null. */
  description: string | null;
  /** Content-Transfer-Encoding, lower-cased and trimmed, or null when absent (IMAP reports "7BIT"). */
  encoding: string | null;
  /** Content-Transfer-Encoding as written when that differs from `encoding` (only in case); absent otherwise. */
  encodingText?: string;
  /** Content-MD5 raw value or null. */
  md5: string | null;
  /** Content-Disposition: value as written (compare case-insensitively) and its parameters, or null. */
  disposition: { value: string; params: MimeParams } | null;
  /** Content-Language tags, or null. */
  language: string[] | null;
  /** Content-Location value or null. */
  location: string | null;
  /** Children of a multipart part, in order; empty for non-multipart. */
  parts: MimePart[];
  /** For message/rfc822 (and message/global): the encapsulated message, whose headerStart == this.bodyStart. */
  message: MimePart | null;
  /** For message/rfc822: the ENVELOPE of the encapsulated message. */
  envelope: Envelope | null;
}

/**
 * ParsedMessage is what the MIME layer computes once per message at delivery/APPEND/import time.
 * Stored as JSON (structure, envelope) plus the search text.
 */
export interface ParsedMessage {
  /** Root of the body structure tree; its header is the message header. */
  structure: MimePart;
  /** ENVELOPE of the message. */
  envelope: Envelope;
  /**
   * The instant SORT (DATE) and THREAD order by (RFC 5256 section 2.2), in ms since epoch: the Date header as
   * sent-date.ts parses it (Dovecot's rules), or null when it is absent or cannot be parsed (the reader then
   * uses the internal date). Stored per message so SORT reads no headers.
   */
  sentDate: number | null;
  /**
   * Decoded text for SEARCH (RFC 9051 section 6.4.4): RFC 2047 words decoded, charsets converted to UTF-8,
   * quoted-printable/base64 decoded. `headers` is the unfolded decoded header block ("Name: value\n" each),
   * `body` the decoded text of all text/* parts (HTML left as is), joined with "\n". Each capped by limits.
   */
  searchText: { headers: string; body: string };
}
