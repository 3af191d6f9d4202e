/**
 * Header reading for import: the fields import needs before the message is stored (Date for the
 * internal date, Status/X-Status for mbox flags) and the dates found in mail. Header fields and RFC 5322
 * dates are read by the MIME layer's parsers, the same ones that serve ENVELOPE and SEARCH SENT*, so
 * that import and SEARCH agree on what a Date header says; only the mbox "From " line is read here.
 */
import { parseDate } from '../mime/date.js';
import { firstField, parseHeaderFields, type HeaderField } from '../mime/header.js';

/** MAX_HEADER_SCAN is how far into a message header fields are looked for (octets): bounds work on a message with no blank line. */
const MAX_HEADER_SCAN = 256 * 1024;

/** headerFields returns the header fields of `raw` (up to the first empty line, at most MAX_HEADER_SCAN octets), in order. */
export function headerFields(raw: Buffer): HeaderField[] {
  return parseHeaderFields(raw, 0, Math.min(raw.length, MAX_HEADER_SCAN));
}

/** headerValue returns the unfolded, trimmed value of the first field `name` (case-insensitive), or null. */
export function headerValue(fields: HeaderField[], name: string): string | null {
  return firstField(fields, name.toLowerCase());
}

/** EARLIEST_DATE and the one-day future margin bound dates accepted from mail; outside them the header is treated as bogus (spam often lies). */
const EARLIEST_DATE = Date.UTC(1970, 0, 1);
const FUTURE_MARGIN_MS = 24 * 60 * 60 * 1000;

function plausible(ms: number): number | null {
  return Number.isFinite(ms) && ms >= EARLIEST_DATE && ms <= Date.now() + FUTURE_MARGIN_MS ? ms : null;
}

/**
 * parseMailDate parses an RFC 5322 date-time (section 3.3, obsolete forms included: two-digit years,
 * zone names such as EST, comments; mime/date.ts parseDate) into ms since epoch, or null when
 * unparseable or implausible (before 1970 or more than a day in the future).
 */
export function parseMailDate(value: string): number | null {
  const ms = parseDate(value);
  return ms === null ? null : plausible(ms);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * parseFromLineDate parses the date of an mbox envelope line, e.g. `From alice@example.com Sat Jan  3 01:05:34 1996`
 * (asctime, read as UTC), also with a zone before or after the year. Returns ms since epoch or null.
 */
export function parseFromLineDate(line: string): number | null {
  const m = /(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +([A-Za-z]{3}) +(\d{1,2}) +(\d{1,2}):(\d{2})(?::(\d{2}))?(?: +([A-Z]{1,5}|[+-]\d{4}))? +(\d{4})(?: +([+-]\d{4}))?/.exec(line);
  if (!m) return null;
  const month = MONTHS.indexOf(m[1]!.toLowerCase());
  if (month < 0) return null;
  let ms = Date.UTC(Number(m[7]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5] ?? 0));
  const zone = /^[+-]\d{4}$/.test(m[6] ?? '') ? m[6]! : m[8];
  if (zone) {
    const sign = zone[0] === '-' ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60 * 1000;
  }
  return plausible(ms);
}
