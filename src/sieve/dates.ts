/**
 * Date parts for the date and currentdate tests (RFC 5260 sections 4 and 5): an instant shifted into a
 * zone, then one of the date-part strings of section 4.2.
 */
import { parseDate } from '../mime/date.js';

/** ZoneMinutes is a zone offset in minutes east of UTC. */
export type ZoneMinutes = number;

const US_ZONES: Record<string, number> = { ut: 0, utc: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 };
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** parseZone parses "+hhmm" / "-hhmm" (RFC 5260 section 4.1) into minutes, or null. */
export function parseZone(s: string): ZoneMinutes | null {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(s.trim());
  if (m === null) return null;
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}

/** formatZone writes minutes as "+hhmm" (zero is "+0000", RFC 5260 section 4.2 "zone"). */
export function formatZone(z: ZoneMinutes, colon = false): string {
  const sign = z < 0 ? '-' : '+';
  const a = Math.abs(z);
  return `${sign}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/**
 * parseDateTime reads a date-time header value (RFC 5322 section 3.3; for Received, the part after the last
 * ";") into its instant (ms) and its own zone; null when it holds no valid date (RFC 5260 section 4: the
 * test is then false).
 */
export function parseDateTime(value: string): { ms: number; zone: ZoneMinutes } | null {
  const ms = parseDate(value);
  if (ms === null) return null;
  const text = value.replace(/\([^)]*\)/g, ' ');
  const offsets = [...text.matchAll(/(?:^|\s)([+-]\d{4})(?=\s|$)/g)];
  let zone = 0;
  if (offsets.length > 0) zone = parseZone(offsets[offsets.length - 1]![1]!) ?? 0;
  else {
    const name = /\s([A-Za-z]{1,3})\s*$/.exec(text)?.[1]?.toLowerCase();
    if (name !== undefined && US_ZONES[name] !== undefined) zone = US_ZONES[name]!;
  }
  return { ms, zone };
}

/** datePart returns `part` (RFC 5260 section 4.2, lower-case) of the instant `ms` seen in `zone`; null for an unknown part. */
export function datePart(ms: number, zone: ZoneMinutes, part: string): string | null {
  const d = new Date(ms + zone * 60000);
  const year = pad(d.getUTCFullYear(), 4);
  const month = pad(d.getUTCMonth() + 1);
  const day = pad(d.getUTCDate());
  const hour = pad(d.getUTCHours());
  const minute = pad(d.getUTCMinutes());
  const second = pad(d.getUTCSeconds());
  switch (part) {
    case 'year': return year;
    case 'month': return month;
    case 'day': return day;
    case 'date': return `${year}-${month}-${day}`;
    // Modified Julian Day: days since 1858-11-17, the Unix epoch being MJD 40587.
    case 'julian': return String(Math.floor((ms + zone * 60000) / 86_400_000) + 40587);
    case 'hour': return hour;
    case 'minute': return minute;
    case 'second': return second;
    case 'time': return `${hour}:${minute}:${second}`;
    case 'iso8601': return `${year}-${month}-${day}T${hour}:${minute}:${second}${zone === 0 ? 'Z' : formatZone(zone, true)}`;
    case 'std11': return `${DAY_NAMES[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTH_NAMES[d.getUTCMonth()]} ${year} ${hour}:${minute}:${second} ${formatZone(zone)}`;
    case 'zone': return formatZone(zone);
    case 'weekday': return String(d.getUTCDay());
    default: return null;
  }
}

/** localZone is the server's zone offset at `ms` in minutes east of UTC (RFC 5260 section 4.1: "the local time zone"). */
export function localZone(ms: number): ZoneMinutes {
  const z = -new Date(ms).getTimezoneOffset();
  return z === 0 ? 0 : z; // no -0
}
