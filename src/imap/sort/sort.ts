/**
 * SORT criteria and ordering (RFC 5256 section 3, DISPLAYFROM and DISPLAYTO of RFC 5957 section 3).
 * Each criterion's key is computed once per message, then messages are ordered by the criteria in turn
 * and, when all are equal, by sequence number.
 */
import type { EnvelopeAddress } from '../../mime/types.js';
import { baseSubject } from '../../mime/base-subject.js';
import { decodeHeaderValue } from '../../mime/decode.js';
import { casemapKey, compareOctets } from './collate.js';
import type { SortMessage } from './messages.js';
import type { SortDates } from '../../store/sort-dates.js';

/** SortKey: the sort keys of RFC 5256 section 3 and RFC 5957 section 3. */
export type SortKey = 'ARRIVAL' | 'CC' | 'DATE' | 'FROM' | 'SIZE' | 'SUBJECT' | 'TO' | 'DISPLAYFROM' | 'DISPLAYTO';

/** SORT_KEYS: the sort keys this server knows, upper-case. */
export const SORT_KEYS: ReadonlySet<string> = new Set<SortKey>(['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO']);

/** SortCriterion: one sort-criterion, `reverse` for a preceding REVERSE. */
export interface SortCriterion {
  key: SortKey;
  reverse: boolean;
}

/**
 * firstAddress is the first entry of an address list as ENVELOPE lists it: for a list that starts with a
 * group (RFC 5322 section 3.4), the group's start marker, whose addr-mailbox is the group name. Dovecot
 * sorts "To: undisclosed-recipients:;" by that name too.
 */
function firstAddress(list: EnvelopeAddress[] | null): EnvelopeAddress | null {
  return list?.[0] ?? null;
}

/** mailboxKey is addr-mailbox of the first address (RFC 5256 section 3 CC, FROM, TO); "" when there is none. */
function mailboxKey(list: EnvelopeAddress[] | null): string {
  return casemapKey(firstAddress(list)?.mailbox ?? '');
}

/**
 * displayKey is the RFC 2047-decoded display name of the first address, or its addr-spec
 * (mailbox@host) when the name is absent or empty (RFC 5957 section 3), the group name for a group;
 * "" when there is no address.
 */
function displayKey(list: EnvelopeAddress[] | null): string {
  const a = firstAddress(list);
  if (a === null) return '';
  // Untrimmed, as Dovecot keeps it: '" mariam"' sorts by " mariam", before the letters.
  const name = a.name === null ? '' : decodeHeaderValue(a.name);
  if (name !== '') return casemapKey(name);
  return casemapKey(a.host === null ? (a.mailbox ?? '') : `${a.mailbox ?? ''}@${a.host}`);
}

/** keyOf computes one message's value for one sort key: a number (dates in ms, size in octets) or a casemapped string. */
function keyOf(m: SortMessage, key: SortKey): number | string {
  switch (key) {
    case 'ARRIVAL':
      return m.internalDate;
    case 'DATE':
      return m.sentDate;
    case 'SIZE':
      return m.size;
    case 'SUBJECT':
      return casemapKey(baseSubject(m.envelope?.subject ?? null).subject);
    case 'FROM':
      return mailboxKey(m.envelope?.from ?? null);
    case 'TO':
      return mailboxKey(m.envelope?.to ?? null);
    case 'CC':
      return mailboxKey(m.envelope?.cc ?? null);
    case 'DISPLAYFROM':
      return displayKey(m.envelope?.from ?? null);
    case 'DISPLAYTO':
      return displayKey(m.envelope?.to ?? null);
  }
}

/** needsEnvelope tells whether any criterion reads the envelope (all but ARRIVAL, DATE and SIZE do). */
export function needsEnvelope(criteria: readonly SortCriterion[]): boolean {
  return criteria.some((c) => c.key !== 'ARRIVAL' && c.key !== 'DATE' && c.key !== 'SIZE');
}

function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareOctets(a as string, b as string);
}

/** Ascending orders of a SortDates' positions per column, computed once per SortDates object (the store hands out the same object while a mailbox is unchanged). */
const orders = new WeakMap<readonly number[], number[]>();

/** ascending returns the positions of `column` ordered by value, equal values by position; memoised per column. */
function ascending(column: readonly number[]): number[] {
  let order = orders.get(column);
  if (order === undefined) {
    order = new Array<number>(column.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    // Array.prototype.sort is stable: equal values keep position order.
    order.sort((i, j) => column[i]! - column[j]!);
    orders.set(column, order);
  }
  return order;
}

function columnOf(d: SortDates, key: SortKey): readonly number[] {
  if (key === 'ARRIVAL') return d.arrival;
  if (key === 'DATE') return d.date;
  if (key === 'SIZE') return d.size;
  throw new Error(`sortByDates: ${key} is not a date or size`);
}

/**
 * sortByDates returns the positions (0-based) in `d` of the messages where `member` is 1, in the order of
 * `criteria`, which name only ARRIVAL, DATE and SIZE (needsEnvelope false): each criterion in turn,
 * REVERSE inverting only its own, then position. `d` is ascending UID, so position order is sequence number
 * order (RFC 5256 section 3). One criterion walks that column's memoised order, O(n) after the first SORT
 * of an unchanged mailbox; more criteria sort the members with a comparator.
 */
export function sortByDates(d: SortDates, member: Uint8Array, criteria: readonly SortCriterion[]): number[] {
  const out: number[] = [];
  if (criteria.length === 1) {
    const column = columnOf(d, criteria[0]!.key);
    const order = ascending(column);
    if (!criteria[0]!.reverse) {
      for (const p of order) if (member[p] === 1) out.push(p);
      return out;
    }
    // Descending values, but equal values still in ascending position: groups of equal values from the end,
    // each walked forwards.
    for (let end = order.length; end > 0; ) {
      let start = end - 1;
      const v = column[order[start]!]!;
      while (start > 0 && column[order[start - 1]!] === v) start--;
      for (let k = start; k < end; k++) if (member[order[k]!] === 1) out.push(order[k]!);
      end = start;
    }
    return out;
  }
  const columns = criteria.map((c) => columnOf(d, c.key));
  for (let p = 0; p < member.length; p++) if (member[p] === 1) out.push(p);
  return out.sort((i, j) => {
    for (let c = 0; c < columns.length; c++) {
      const diff = columns[c]![i]! - columns[c]![j]!;
      if (diff !== 0) return criteria[c]!.reverse ? -diff : diff;
    }
    return i - j;
  });
}

/**
 * sortMessages returns `msgs` ordered by `criteria` (RFC 5256 section 3): each criterion in turn, REVERSE
 * inverting only its own; messages equal under all of them keep sequence number order. Strings compare by
 * i;ascii-casemap (collate.ts); a missing field is "" and sorts first.
 */
export function sortMessages(msgs: readonly SortMessage[], criteria: readonly SortCriterion[]): SortMessage[] {
  const keys = criteria.map((c) => msgs.map((m) => keyOf(m, c.key)));
  const order = msgs.map((_, i) => i);
  order.sort((i, j) => {
    for (let k = 0; k < criteria.length; k++) {
      const d = compareKeys(keys[k]![i]!, keys[k]![j]!);
      if (d !== 0) return criteria[k]!.reverse ? -d : d;
    }
    return msgs[i]!.seq - msgs[j]!.seq;
  });
  return order.map((i) => msgs[i]!);
}
