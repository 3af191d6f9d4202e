/**
 * How both full-text indexes (sqlite/fts.ts, postgres/search.ts) fold text and needles: the same way the
 * SEARCH evaluator compares, so an index never misses a message the evaluator would match.
 */

/** foldForIndex folds text for the index: NFC, lower-case, final sigma as sigma (JavaScript lower-cases a capital sigma by its context). */
export function foldForIndex(s: string): string {
  return s.normalize('NFC').toLowerCase().replaceAll('ς', 'σ');
}
