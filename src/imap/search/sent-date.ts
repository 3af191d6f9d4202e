/**
 * The calendar day of a message's Date header for SENTBEFORE, SENTON and SENTSINCE, which compare the date
 * "disregarding time and timezone" (RFC 9051 section 6.4.4): the day as the sender wrote it. A message
 * dated "Mon, 2 Nov 2026 23:30:00 -0800" was sent on 2 Nov, although that instant is 3 Nov in UTC.
 * Dovecot reads it the same way (the parsed time plus the header's zone offset).
 */
import { parseDate } from '../../mime/date.js';

/** The time of day in a Date header (RFC 5322 section 3.3 time-of-day, with the lenient forms parseDate takes). */
const TIME_OF_DAY = /\d{1,2}:\d{1,2}(?::\d{1,2})?(?:\.\d+)?/;

/** ISO 8601 dates (written by some software): the calendar day is the first ten characters. */
const ISO_DAY = /^\s*(\d{4}-\d{2}-\d{2})/;

/** utcDay gives the day of a timestamp (ms) as 'YYYY-MM-DD' in UTC, comparable as a string with SearchKey dates. */
export function utcDay(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w: number): string => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1, 2)}-${p(d.getUTCDate(), 2)}`;
}

/**
 * Drops the zone (and comments) from a Date header value: after the time of day only bare numbers are kept,
 * which is where asctime-style dates ("Mon Jan 1 10:00:00 EST 2002") put the year.
 */
function withoutZone(value: string): string {
  const text = value.replace(/\([^()]*\)/g, ' ');
  const time = TIME_OF_DAY.exec(text);
  if (time === null) return text;
  const end = time.index + time[0].length;
  const numbers = text.slice(end).split(/\s+/).filter((t) => /^\d+$/.test(t));
  return [text.slice(0, end), ...numbers].join(' ');
}

/**
 * sentDay returns the day of a Date header value (RFC 5322 section 3.3, as stored in the envelope) in the
 * header's own zone, as 'YYYY-MM-DD'; null when there is no header or no date can be read from it.
 */
export function sentDay(dateHeader: string | null): string | null {
  if (dateHeader === null) return null;
  const iso = ISO_DAY.exec(dateHeader);
  if (iso !== null) return iso[1]!;
  // parseDate reads a value without a zone as UTC, so the wall-clock time comes back as a UTC timestamp.
  const wallClock = parseDate(withoutZone(dateHeader));
  return wallClock === null ? null : utcDay(wallClock);
}
