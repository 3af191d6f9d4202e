/**
 * Message flags as stored: the five system flags as a bit mask (so counts and EXPUNGE test a bit in SQL,
 * the same in SQLite and PostgreSQL) and keywords as a space-separated string (keywords are atoms and
 * cannot contain a space; RFC 9051 section 2.3.2).
 * Nothing here touches SQL: both backends use it.
 */
import type { FlagOperation } from './types.js';

/** SYSTEM_FLAGS are the system flags in canonical spelling and bit order (bit i = 1 << i). */
export const SYSTEM_FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;

/** SEEN is the bit of \Seen. */
export const SEEN = 1;
/** DELETED is the bit of \Deleted. */
export const DELETED = 8;

const SYSTEM_BITS = new Map<string, number>(SYSTEM_FLAGS.map((f, i) => [f.toLowerCase(), 1 << i]));

/** FlagSet is a set of flags as stored: `sys` bit mask, `keywords` without duplicates (case-insensitive), case kept. */
export interface FlagSet {
  sys: number;
  keywords: string[];
}

/**
 * parseFlags turns flags as given by a client into a FlagSet: system flags matched case-insensitively
 * (stored canonically), keywords deduplicated case-insensitively (first spelling kept), empty strings and
 * \Recent (a session flag, not stored; RFC 3501 section 2.3.2) dropped.
 */
export function parseFlags(flags: readonly string[]): FlagSet {
  let sys = 0;
  const keywords: string[] = [];
  const seen = new Set<string>();
  for (const flag of flags) {
    const lower = flag.toLowerCase();
    const bit = SYSTEM_BITS.get(lower);
    if (bit !== undefined) sys |= bit;
    else if (flag !== '' && lower !== '\\recent' && !seen.has(lower)) {
      seen.add(lower);
      keywords.push(flag);
    }
  }
  return { sys, keywords };
}

/**
 * SYSTEM_ONLY[sys] is the frozen flag list of a message with system flags `sys` and no keyword: most
 * messages, so SELECT of a large mailbox shares a few arrays instead of allocating one per message.
 */
const SYSTEM_ONLY: string[][] = [];

/**
 * decodeFlags turns stored columns (sys_flags, keywords) into the flag list of MessageMeta: system flags first.
 * Without keywords the list is shared and frozen: callers build new lists, never change this one.
 */
export function decodeFlags(sys: number, keywords: string): string[] {
  if (keywords === '' && sys >= 0 && sys < 32) {
    return (SYSTEM_ONLY[sys] ??= Object.freeze(systemFlags(sys)) as string[]);
  }
  const out = systemFlags(sys);
  if (keywords !== '') out.push(...keywords.split(' '));
  return out;
}

function systemFlags(sys: number): string[] {
  const out: string[] = [];
  SYSTEM_FLAGS.forEach((f, i) => {
    if (sys & (1 << i)) out.push(f);
  });
  return out;
}

/** encodeKeywords is the stored form of keywords: space-separated, '' for none. */
export function encodeKeywords(keywords: readonly string[]): string {
  return keywords.join(' ');
}

/**
 * applyFlags computes the flags after a STORE (RFC 9051 section 6.4.6): `set` replaces, `add` adds those not
 * present (case-insensitively), `remove` removes matches (case-insensitively).
 */
export function applyFlags(cur: FlagSet, op: FlagOperation, change: FlagSet): FlagSet {
  switch (op) {
    case 'set':
      return sameFlags(cur, change) ? cur : change;
    case 'add': {
      const have = new Set(cur.keywords.map((k) => k.toLowerCase()));
      return { sys: cur.sys | change.sys, keywords: [...cur.keywords, ...change.keywords.filter((k) => !have.has(k.toLowerCase()))] };
    }
    case 'remove': {
      const drop = new Set(change.keywords.map((k) => k.toLowerCase()));
      return { sys: cur.sys & ~change.sys, keywords: cur.keywords.filter((k) => !drop.has(k.toLowerCase())) };
    }
  }
}

/** sameFlags tells whether two flag sets are equal (keywords compared case-insensitively, order ignored). */
export function sameFlags(a: FlagSet, b: FlagSet): boolean {
  if (a.sys !== b.sys || a.keywords.length !== b.keywords.length) return false;
  const have = new Set(a.keywords.map((k) => k.toLowerCase()));
  return b.keywords.every((k) => have.has(k.toLowerCase()));
}
