/**
 * Just enough header reading for import: a field's value (for Date, Status, X-Status) and the dates found
 * in mail (RFC 5322 Date header, the asctime date of an mbox "From " envelope line). The MIME layer does
 * the real parsing later, once, in prepareMessage.
 */

/** MAX_HEADER_SCAN is how far into a message header fields are looked for (octets): bounds work on a message with no blank line. */
const MAX_HEADER_SCAN = 256 * 1024;

/** headerText returns the header section of `raw` (up to the first empty line), decoded as latin1 so that every byte survives. */
export function headerText(raw: Buffer): string {
  const limit = Math.min(raw.length, MAX_HEADER_SCAN);
  const text = raw.toString('latin1', 0, limit);
  const m = /\r?\n\r?\n/.exec(text);
  return m ? text.slice(0, m.index) : text;
}

/** headerValue returns the unfolded, trimmed value of the first field `name` (case-insensitive) in `head`, or null. */
export function headerValue(head: string, name: string): string | null {
  const re = new RegExp(`^${name.replace(/[-]/g, '\\-')}[ \\t]*:(.*(?:\\r?\\n[ \\t].*)*)`, 'im');
  const m = re.exec(head);
  return m ? m[1]!.replace(/\r?\n/g, '').trim() : null;
}

/** EARLIEST_DATE and the one-day future margin bound dates accepted from mail; outside them the header is treated as bogus (spam often lies). */
const EARLIEST_DATE = Date.UTC(1970, 0, 1);
const FUTURE_MARGIN_MS = 24 * 60 * 60 * 1000;

function plausible(ms: number): number | null {
  return Number.isFinite(ms) && ms >= EARLIEST_DATE && ms <= Date.now() + FUTURE_MARGIN_MS ? ms : null;
}

/**
 * parseMailDate parses an RFC 5322 date-time (section 3.3, obsolete forms included: two-digit years,
 * zone names such as EST, comments) into ms since epoch, or null when unparseable or implausible.
 */
export function parseMailDate(value: string): number | null {
  let s = value;
  for (let i = 0; i < 5 && /\([^()]*\)/.test(s); i++) s = s.replace(/\([^()]*\)/g, ' ');
  s = s.replace(/\s+/g, ' ').trim();
  if (!s) return null;
  // A missing zone means UTC here (Date.parse would use the importing machine's local zone).
  if (/\d{1,2}:\d{2}(:\d{2})?$/.test(s)) s += ' +0000';
  return plausible(Date.parse(s));
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
