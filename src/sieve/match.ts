/**
 * Comparators (RFC 4790: i;octet, i;ascii-casemap, i;ascii-numeric), match types (RFC 5228 section 2.7.1:
 * :is, :contains, :matches) and the relational match types (RFC 5231: :count, :value).
 */

/** MatchSpec is a test's matching arguments: comparator name (lower-case), match type, relation for :count/:value. */
export interface MatchSpec {
  comparator: string;
  type: 'is' | 'contains' | 'matches' | 'count' | 'value';
  relation: string;
}

/** asciiLower lower-cases A-Z only (i;ascii-casemap, RFC 4790 section 9.2). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** numericValue is i;ascii-numeric's value (RFC 4790 section 9.1): the leading digits without leading zeros, or null for positive infinity. */
function numericValue(s: string): string | null {
  const m = /^[0-9]+/.exec(s);
  if (m === null) return null;
  return m[0].replace(/^0+(?=.)/, '');
}

/** compareWith orders a and b under the comparator: negative, 0 or positive (RFC 4790 section 4.2 ordering). */
export function compareWith(comparator: string, a: string, b: string): number {
  if (comparator === 'i;ascii-numeric') {
    const x = numericValue(a);
    const y = numericValue(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (x.length !== y.length) return x.length - y.length;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (comparator === 'i;ascii-casemap') {
    a = asciiLower(a);
    b = asciiLower(b);
  }
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** relationHolds applies a relational operator (RFC 5231 section 4) to a comparison result. */
export function relationHolds(relation: string, cmp: number): boolean {
  switch (relation) {
    case 'gt': return cmp > 0;
    case 'ge': return cmp >= 0;
    case 'lt': return cmp < 0;
    case 'le': return cmp <= 0;
    case 'eq': return cmp === 0;
    default: return cmp !== 0; // ne
  }
}

type PatternItem = { lit: string } | '*' | '?';

/** compilePattern splits a :matches key into literals and wildcards; "\" quotes the next character (RFC 5228 section 2.7.1). */
function compilePattern(pattern: string): PatternItem[] {
  const out: PatternItem[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\' && i + 1 < chars.length) out.push({ lit: chars[++i]! });
    else if (c === '*' || c === '?') out.push(c);
    else out.push({ lit: c });
  }
  return out;
}

/**
 * globMatch matches `text` against a :matches pattern and returns the wildcards' substrings (one per "*"
 * or "?", RFC 5229 section 3.2: non-greedy), or null when it does not match. Each earlier "*" takes as
 * little as the rest allows, and only the last "*" passed is ever extended, so the cost is at most
 * text length times pattern length.
 */
export function globMatch(text: string, pattern: string, fold: boolean): string[] | null {
  const t = Array.from(fold ? asciiLower(text) : text);
  const orig = fold ? Array.from(text) : t;
  const p = compilePattern(fold ? asciiLower(pattern) : pattern);
  const wildIndex: number[] = [];
  let w = 0;
  for (const item of p) wildIndex.push(typeof item === 'string' ? w++ : -1);
  const caps: Array<[number, number]> = Array.from({ length: w }, () => [0, 0]);
  let ti = 0;
  let pi = 0;
  let starP = -1;
  let starT = -1;
  while (ti < t.length) {
    const item = p[pi];
    if (item === '?' || (item !== undefined && item !== '*' && item.lit === t[ti])) {
      if (item === '?') caps[wildIndex[pi]!] = [ti, ti + 1];
      ti++;
      pi++;
    } else if (item === '*') {
      starP = pi;
      starT = ti;
      caps[wildIndex[pi]!] = [ti, ti];
      pi++;
    } else if (starP !== -1) {
      starT++;
      ti = starT;
      pi = starP + 1;
      caps[wildIndex[starP]!] = [caps[wildIndex[starP]!]![0], starT];
    } else {
      return null;
    }
  }
  while (p[pi] === '*') {
    caps[wildIndex[pi]!] = [t.length, t.length];
    pi++;
  }
  if (pi !== p.length) return null;
  return caps.map(([a, b]) => orig.slice(a, b).join(''));
}

/**
 * matchOne tests one value against one key (RFC 5228 section 2.7.1, RFC 5231 :value). For :matches it
 * returns the match variables (${0} the whole value, then one per wildcard) on success; otherwise [] on
 * success; null when it does not match.
 */
export function matchOne(value: string, key: string, m: MatchSpec): string[] | null {
  const fold = m.comparator === 'i;ascii-casemap';
  switch (m.type) {
    case 'is':
      return compareWith(m.comparator, value, key) === 0 ? [] : null;
    case 'contains':
      if (m.comparator === 'i;octet') return value.includes(key) ? [] : null;
      return asciiLower(value).includes(asciiLower(key)) ? [] : null;
    case 'matches': {
      const caps = globMatch(value, key, fold);
      return caps === null ? null : [value, ...caps];
    }
    case 'value':
      return relationHolds(m.relation, compareWith(m.comparator, value, key)) ? [] : null;
    default:
      return null;
  }
}

/**
 * matchValues is a match over a list of values and a list of keys (RFC 5228 section 2.7.1: true when any
 * value matches any key; RFC 5231 :count compares the number of values). Returns the match variables of
 * the first successful :matches (or [] for other match types), or null when nothing matched.
 */
export function matchValues(values: readonly string[], keys: readonly string[], m: MatchSpec): string[] | null {
  if (m.type === 'count') {
    const n = String(values.length);
    for (const k of keys) if (relationHolds(m.relation, compareWith(m.comparator, n, k))) return [];
    return null;
  }
  for (const v of values) {
    for (const k of keys) {
      const r = matchOne(v, k, m);
      if (r !== null) return r;
    }
  }
  return null;
}
