/**
 * The sent date SORT (DATE) and THREAD order by (RFC 5256 section 2.2): the Date header's instant, or the
 * internal date when the header "cannot be parsed". Which headers can be parsed is this server's call;
 * it follows Dovecot's message_date_parse, so that both servers fall back for the same broken headers:
 * `[day ","] dd month [yy]yy hh(":"|".")mm[(":"|".")ss] [zone]`, where a weekday needs its comma, minutes
 * and seconds need two digits, a four-digit year must be at least 1900, and the instant must lie after
 * 1970 and before 2038 (a signed 32-bit time). Seen in real mail and so falling back: "Mon, 04 Feb 0102"
 * (a year-2002 bug), "10:28:3", "Mon 10 Jun 2002", "10-Jun-2002".
 */

/** atext of RFC 5322 section 3.2.3 (what a token is made of), by character code: a table, since SORT reads 100,000s of dates. */
const ATEXT = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~") ATEXT[c.charCodeAt(0)] = 1;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Zones of RFC 822 section 5.1 by name, in minutes east of UTC. */
const NAMED_ZONES: Record<string, number> = {
  GMT: 0, UTC: 0, EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
};

/** The latest instant a signed 32-bit time holds, in seconds. */
const MAX_SECONDS = 2 ** 31 - 1;

class Reader {
  p = 0;
  constructor(readonly s: string) {}

  /** Skips whitespace and (nested) comments. */
  skip(): void {
    for (;;) {
      const c = this.s[this.p];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.p++;
      else if (c === '(') {
        let depth = 0;
        for (; this.p < this.s.length; this.p++) {
          const d = this.s[this.p];
          if (d === '\\') this.p++;
          else if (d === '(') depth++;
          else if (d === ')' && --depth === 0) break;
        }
        this.p++;
      } else return;
    }
  }

  /** The next run of atext after whitespace and comments ("" when a special or the end comes first). */
  token(): string {
    this.skip();
    const start = this.p;
    while (this.p < this.s.length && ATEXT[this.s.charCodeAt(this.p)] === 1) this.p++;
    return this.s.slice(start, this.p);
  }

  /** Consumes ":" or "." if it comes next (no whitespace before it). */
  timeSeparator(): boolean {
    const c = this.s[this.p];
    if (c !== ':' && c !== '.') return false;
    this.p++;
    return true;
  }
}

const digits = (t: string, min: number, max: number): number | null => (t.length >= min && t.length <= max && /^\d+$/.test(t) ? Number(t) : null);

/** zoneOffset reads a zone token as minutes east of UTC: +hhmm/-hhmm, military letters, UT and the RFC 822 names; anything else is UTC. */
function zoneOffset(t: string): number {
  if (t.length === 5 && (t[0] === '+' || t[0] === '-') && /^\d{4}$/.test(t.slice(1))) {
    const minutes = Number(t.slice(1, 3)) * 60 + Number(t.slice(3));
    return t[0] === '+' ? minutes : -minutes;
  }
  const u = t.toUpperCase();
  if (u.length === 1) {
    // Military zones the way senders mean them (A is +1), not as RFC 822 wrote them.
    const c = u.charCodeAt(0);
    if (c >= 0x41 && c <= 0x49) return (c - 0x40) * 60; // A-I
    if (c >= 0x4b && c <= 0x4d) return (c - 0x41) * 60; // K-M
    if (c >= 0x4e && c <= 0x59) return -(c - 0x4d) * 60; // N-Y
    return 0;
  }
  return NAMED_ZONES[u] ?? 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** daysInMonth of the Gregorian calendar; `month` 0 to 11. */
function daysInMonth(year: number, month: number): number {
  if (month !== 1) return MONTH_DAYS[month]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/**
 * parseSentDate returns the instant of a Date header value (as stored in the envelope) in ms since epoch,
 * or null when it cannot be parsed by the rules above; the caller then uses the internal date.
 */
export function parseSentDate(value: string | null): number | null {
  if (value === null) return null;
  const r = new Reader(value);
  let t = r.token();
  if (t.length === 3) {
    if (value[r.p] !== ',') return null;
    r.p++;
    t = r.token();
  }
  const day = digits(t, 1, 2);
  const monthName = r.token();
  const month = monthName.length >= 3 ? MONTHS.indexOf(monthName.slice(0, 3).toLowerCase()) : -1;
  const yearText = r.token();
  let year = yearText.length === 2 || yearText.length === 4 ? digits(yearText, 2, 4) : null;
  const hour = digits(r.token(), 1, 2);
  if (day === null || month < 0 || year === null || hour === null || !r.timeSeparator()) return null;
  if (yearText.length === 2) year += year < 70 ? 2000 : 1900;
  else if (year < 1900) return null;
  const minute = digits(r.token(), 2, 2);
  if (minute === null) return null;
  let second = 0;
  if (r.timeSeparator()) {
    const s = digits(r.token(), 2, 2);
    if (s === null) return null;
    second = s;
  }
  const zone = r.token();
  const offset = zone === '' ? 0 : zoneOffset(zone);
  if (day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  if (day > daysInMonth(year, month)) return null;
  const ms = Date.UTC(year, month, day, hour, minute, second) - offset * 60_000;
  // 0 is Dovecot's "no date" as well: it falls back too.
  return ms > 0 && ms / 1000 <= MAX_SECONDS ? ms : null;
}
