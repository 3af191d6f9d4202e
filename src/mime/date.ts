/**
 * Date header parsing for SENTBEFORE/SENTON/SENTSINCE (RFC 9051 section 6.4.4): RFC 5322 section 3.3
 * date-time, tolerant of the obsolete forms of section 4.3 and of common breakage.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Zone names in minutes east of UTC: RFC 5322 section 4.3 plus a few seen in old mail. */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  ast: -240, adt: -180, akst: -540, akdt: -480, hst: -600,
  bst: 60, cet: 60, met: 60, mez: 60, west: 60, cest: 120, mest: 120, mesz: 120, eet: 120, eest: 180,
  msk: 180, ist: 330, hkt: 480, sgt: 480, jst: 540, kst: 540, aest: 600, aedt: 660, nzst: 720, nzdt: 780,
};

interface Parts {
  day?: number;
  month?: number;
  year?: number;
  h: number;
  m: number;
  s: number;
  zone: number;
}

function fullYear(y: string): number {
  const n = Number(y);
  // RFC 5322 section 4.3: two-digit years 00-49 are 20xx, 50-99 are 19xx; three digits add 1900.
  if (y.length <= 2) return n < 50 ? 2000 + n : 1900 + n;
  // "0102" is a Y2K-era 1900+102 printed with %04d: read it like a three-digit year.
  if (y.length === 3 || n < 1000) return 1900 + n;
  return n;
}

function zoneOf(tok: string): number | null {
  const m = /^(?:gmt|utc|ut)?([+-])(\d{1,4})(?::(\d{2}))?$/.exec(tok);
  if (m !== null) {
    let hh: number;
    let mm: number;
    if (m[3] !== undefined) {
      hh = Number(m[2]);
      mm = Number(m[3]);
    } else if (m[2].length <= 2) {
      hh = Number(m[2]); // "GMT+1"
      mm = 0;
    } else {
      const d = m[2].padStart(4, '0'); // "+0100", and "+100" from sloppy writers
      hh = Number(d.slice(0, 2));
      mm = Number(d.slice(2));
    }
    if (mm > 59) return null;
    const off = hh * 60 + mm;
    return m[1] === '-' ? -off : off;
  }
  if (Object.hasOwn(ZONES, tok)) return ZONES[tok];
  // Military zones are unreliable in practice; RFC 5322 section 4.3 says treat them as -0000.
  if (/^[a-ik-z]$/.test(tok)) return 0;
  return null;
}

function parseParts(value: string): Parts | null {
  const cleaned = value.replace(/\([^()]*\)/g, ' ').toLowerCase().replace(/,/g, ' ');
  const toks = cleaned.split(/\s+/).filter((t) => t !== '');
  const p: Parts = { h: 0, m: 0, s: 0, zone: 0 };
  const numbers: string[] = [];
  let sawTime = false;
  for (let tok of toks) {
    const dmy = /^(\d{1,2})[-/ ]([a-z]{3,})[-/ ](\d{2,4})$/.exec(tok);
    if (dmy !== null) {
      numbers.push(dmy[1]);
      tok = dmy[2];
      numbers.push(dmy[3]);
    }
    const time = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?$/.exec(tok);
    if (time !== null && !sawTime) {
      sawTime = true;
      p.h = Number(time[1]);
      p.m = Number(time[2]);
      p.s = time[3] === undefined ? 0 : Number(time[3]);
      continue;
    }
    if (/^\d+$/.test(tok)) { numbers.push(tok); continue; }
    if (/^[a-z]+\.?$/.test(tok)) {
      const word = tok.replace(/\.$/, '');
      const mi = word.length >= 3 ? MONTHS.indexOf(word.slice(0, 3)) : -1;
      if (mi !== -1 && p.month === undefined && !DAYS.includes(word.slice(0, 3))) { p.month = mi; continue; }
      if (DAYS.includes(word.slice(0, 3))) continue;
    }
    if (sawTime || /^[+-]/.test(tok)) {
      const z = zoneOf(tok);
      if (z !== null) { p.zone = z; continue; }
    }
  }
  // Year: the first number that cannot be a day (3-4 digits or over 31), else the last one (RFC
  // order "1 Jan 02"). Day: the first other number.
  let yearIdx = numbers.findIndex((n) => n.length >= 3 || Number(n) > 31);
  if (yearIdx === -1 && numbers.length >= 2) yearIdx = numbers.length - 1;
  if (yearIdx !== -1) p.year = fullYear(numbers[yearIdx]);
  const dayStr = numbers.find((n, i) => i !== yearIdx && n.length <= 2);
  if (dayStr !== undefined && Number(dayStr) >= 1 && Number(dayStr) <= 31) p.day = Number(dayStr);
  if (p.day === undefined || p.month === undefined || p.year === undefined) return null;
  if (p.h > 23 || p.m > 59 || p.s > 60 || p.year < 1000 || p.year > 9999) return null;
  return p;
}

/**
 * parseDate parses a Date header value (RFC 5322 section 3.3, obsolete forms of section 4.3: no day
 * name, 2- and 3-digit years, zone names like EST/GMT, comments; also asctime-like "Mon Jan 1 10:00:00
 * 2002" and "01-Jan-2002") into ms since the epoch. An unknown zone counts as UTC, a missing time
 * as 00:00:00. Returns null when no day, month and year can be found. Never throws.
 */
export function parseDate(value: string | null): number | null {
  if (value === null) return null;
  try {
    const p = parseParts(value);
    if (p !== null) {
      const secs = Math.min(p.s, 59); // a leap second lands on :59
      return Date.UTC(p.year!, p.month!, p.day!, p.h, p.m, secs) - p.zone * 60000;
    }
    // ISO 8601 and other machine formats that some software writes.
    if (/^\s*\d{4}-\d{2}-\d{2}/.test(value)) {
      const t = Date.parse(value.trim());
      if (!Number.isNaN(t)) return t;
    }
  } catch {
    // unreachable in practice; the contract is never to throw
  }
  return null;
}
