/**
 * IMAP dates (RFC 9051 section 9 `date`, `date-time`): parsing of the text between the quotes.
 */
import { ParseError } from './types.js';

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Reads `count` digits at s[i]; returns the value or -1. */
function digits(s: string, i: number, count: number): number {
  if (i + count > s.length) return -1;
  let v = 0;
  for (let k = i; k < i + count; k++) {
    const d = s.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Parses "d-Mon-yyyy" starting at s[i] where the day is `dayDigits` wide; returns [year, month, day] or null
 * when malformed. Throws ParseError for a well-formed but impossible date (31-Feb).
 */
function parseDayMonthYear(s: string, i: number, dayDigits: number): [number, number, number] | null {
  const day = digits(s, i, dayDigits);
  i += dayDigits;
  if (day < 0 || s.charCodeAt(i) !== 0x2d || s.charCodeAt(i + 4) !== 0x2d) return null;
  const month = MONTHS[s.slice(i + 1, i + 4).toLowerCase()];
  const year = digits(s, i + 5, 4);
  if (month === undefined || year < 0) return null;
  if (day < 1 || day > daysInMonth(year, month)) throw new ParseError(`Invalid date: ${s}`);
  return [year, month, day];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * parseDate parses a `date-text` ("dd-Mon-yyyy" or "d-Mon-yyyy", month name in any case; RFC 9051 section 9)
 * to 'YYYY-MM-DD'. The caller strips the optional quotes. Throws ParseError when malformed or impossible.
 */
export function parseDate(text: string): string {
  const dayDigits = text.length === 11 ? 2 : text.length === 10 ? 1 : 0;
  const ymd = dayDigits === 0 ? null : parseDayMonthYear(text, 0, dayDigits);
  if (ymd === null) throw new ParseError(`Invalid date: ${text.slice(0, 40)}`);
  return `${pad(ymd[0], 4)}-${pad(ymd[1], 2)}-${pad(ymd[2], 2)}`;
}

/**
 * parseDateTime parses a `date-time` without its quotes: "dd-Mon-yyyy hh:mm:ss +zzzz", where the day may be
 * " d" (RFC 9051 `date-day-fixed`) or, leniently, "d". Returns ms since the epoch (UTC) with the zone applied.
 * Throws ParseError when malformed or out of range (hour > 23, minute > 59, second > 60, zone minutes > 59).
 */
export function parseDateTime(text: string): number {
  let s = text;
  if (s.charCodeAt(0) === 0x20) s = s.slice(1);
  const dayDigits = s.length === 26 ? 2 : s.length === 25 ? 1 : 0;
  const ymd = dayDigits === 0 ? null : parseDayMonthYear(s, 0, dayDigits);
  const t = dayDigits + 10; // index of the time
  if (ymd === null || s.charCodeAt(t - 1) !== 0x20 || s.charCodeAt(t + 2) !== 0x3a || s.charCodeAt(t + 5) !== 0x3a) {
    throw new ParseError(`Invalid date-time: ${text.slice(0, 40)}`);
  }
  const hh = digits(s, t, 2);
  const mi = digits(s, t + 3, 2);
  const ss = digits(s, t + 6, 2);
  const sign = s.charCodeAt(t + 9);
  const zh = digits(s, t + 10, 2);
  const zm = digits(s, t + 12, 2);
  if (
    s.charCodeAt(t + 8) !== 0x20 || (sign !== 0x2b && sign !== 0x2d) ||
    hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60 || zh < 0 || zm < 0 || zm > 59
  ) {
    throw new ParseError(`Invalid date-time: ${text.slice(0, 40)}`);
  }
  const d = new Date(0);
  d.setUTCFullYear(ymd[0], ymd[1] - 1, ymd[2]); // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as given
  d.setUTCHours(hh, mi, ss, 0);
  const offsetMs = (zh * 60 + zm) * 60000;
  return d.getTime() - (sign === 0x2b ? offsetMs : -offsetMs);
}
