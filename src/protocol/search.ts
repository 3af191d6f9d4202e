/**
 * SEARCH criteria parser (RFC 9051 section 6.4.4 and `search-program`; IMAP4rev1's NEW/OLD/RECENT from
 * RFC 3501; RETURN options of RFC 4731; SAVE of RFC 5182; OLDER/YOUNGER of RFC 5032; MODSEQ of RFC 7162
 * section 3.1.5; SAVEDBEFORE/SAVEDON/SAVEDSINCE/SAVEDATESUPPORTED of RFC 8514; EMAILID/THREADID of
 * RFC 8474). Produces the SearchKey tree of types.ts.
 */
import type { Lexer } from './lexer.js';
import { ParseError, type SearchKey, type SearchProgram } from './types.js';
import { MAX_SEARCH_KEYS } from '../limits.js';

const RETURN_OPTIONS = new Set(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);

/** Keys without arguments. */
const SIMPLE: Record<string, SearchKey> = {
  ALL: { type: 'all' },
  ANSWERED: { type: 'flag', flag: '\\Answered', set: true },
  DELETED: { type: 'flag', flag: '\\Deleted', set: true },
  DRAFT: { type: 'flag', flag: '\\Draft', set: true },
  FLAGGED: { type: 'flag', flag: '\\Flagged', set: true },
  SEEN: { type: 'flag', flag: '\\Seen', set: true },
  UNANSWERED: { type: 'flag', flag: '\\Answered', set: false },
  UNDELETED: { type: 'flag', flag: '\\Deleted', set: false },
  UNDRAFT: { type: 'flag', flag: '\\Draft', set: false },
  UNFLAGGED: { type: 'flag', flag: '\\Flagged', set: false },
  UNSEEN: { type: 'flag', flag: '\\Seen', set: false },
  NEW: { type: 'new' },
  OLD: { type: 'recent', set: false },
  RECENT: { type: 'recent', set: true },
  SAVEDATESUPPORTED: { type: 'savedatesupported' },
};

const HEADER_KEYS: Record<string, string> = { FROM: 'from', TO: 'to', CC: 'cc', BCC: 'bcc', SUBJECT: 'subject' };

const DATE_KEYS: Record<string, { field: 'internal' | 'sent' | 'saved'; op: 'before' | 'on' | 'since' }> = {
  BEFORE: { field: 'internal', op: 'before' },
  ON: { field: 'internal', op: 'on' },
  SINCE: { field: 'internal', op: 'since' },
  SENTBEFORE: { field: 'sent', op: 'before' },
  SENTON: { field: 'sent', op: 'on' },
  SENTSINCE: { field: 'sent', op: 'since' },
  SAVEDBEFORE: { field: 'saved', op: 'before' },
  SAVEDON: { field: 'saved', op: 'on' },
  SAVEDSINCE: { field: 'saved', op: 'since' },
};

/**
 * parseSearchProgram reads the rest of a SEARCH command: [RETURN (opts)] [CHARSET x] key *(SP key), then
 * checks the end of the command. One leading SP is skipped if present. Several top-level keys form an
 * `and`; a parenthesised list of one key is that key. RETURN () means RETURN (ALL) (RFC 4731 section 3.1).
 * The charset is returned upper-cased and not checked here: an unknown charset is a tagged NO [BADCHARSET]
 * (RFC 9051 section 6.4.4), not a BAD, so the command decides. Throws ParseError on malformed input.
 */
export function parseSearchProgram(r: Lexer): SearchProgram {
  if (r.peekByte() === 0x20) r.space();
  let returnOptions: string[] | null = null;
  let charset: string | null = null;
  let word = r.peekWord();
  if (word === 'RETURN') {
    r.atom();
    r.space();
    returnOptions = parseReturnOptions(r);
    r.space();
    word = r.peekWord();
  }
  if (word === 'CHARSET') {
    r.atom();
    r.space();
    charset = (r.peekByte() === 0x22 ? r.string().toString('latin1') : r.atom()).toUpperCase();
    r.space();
  }
  return { charset, returnOptions, key: parseSearchKeys(r) };
}

/**
 * parseSearchKeys reads search-key *(SP search-key) up to the end of the command, as SORT and THREAD
 * take them after their charset (RFC 5256 section 5). Several keys form an `and`. Throws ParseError.
 */
export function parseSearchKeys(r: Lexer): SearchKey {
  const budget = { left: MAX_SEARCH_KEYS };
  const keys = [parseKey(r, budget)];
  while (!r.atEnd()) {
    r.space();
    keys.push(parseKey(r, budget));
  }
  return keys.length === 1 ? keys[0]! : { type: 'and', keys };
}

function parseReturnOptions(r: Lexer): string[] {
  const opts = r.list(() => {
    const o = r.atom().toUpperCase();
    if (!RETURN_OPTIONS.has(o)) throw new ParseError(`Unknown RETURN option ${o.slice(0, 40)}`);
    return o;
  });
  return opts.length === 0 ? ['ALL'] : [...new Set(opts)];
}

/** parseKey reads one search-key; NOT, OR and parentheses count towards MAX_NESTING_DEPTH, every key towards MAX_SEARCH_KEYS. */
function parseKey(r: Lexer, budget: { left: number }): SearchKey {
  if (--budget.left < 0) throw new ParseError(`Too many search keys (at most ${MAX_SEARCH_KEYS})`, 'LIMIT');
  const b = r.peekByte();
  if (b === 0x28) return parseParenthesised(r, budget);
  if ((b >= 0x30 && b <= 0x39) || b === 0x2a || b === 0x24) return { type: 'seq', set: r.sequenceSet() };
  if (b === -1 || b === 0x29 || b === 0x20) throw new ParseError('Expected search key');
  const name = r.atom().toUpperCase();
  const simple = SIMPLE[name];
  if (simple !== undefined) return { ...simple };
  const header = HEADER_KEYS[name];
  if (header !== undefined) {
    r.space();
    return { type: 'header', name: header, value: r.astring() };
  }
  const date = DATE_KEYS[name];
  if (date !== undefined) {
    r.space();
    return { type: 'date', field: date.field, op: date.op, date: r.date() };
  }
  switch (name) {
    case 'BODY':
    case 'TEXT':
      r.space();
      return { type: name === 'BODY' ? 'body' : 'text', value: r.astring() };
    case 'HEADER': {
      r.space();
      const field = r.astring().toLowerCase();
      r.space();
      return { type: 'header', name: field, value: r.astring() };
    }
    case 'KEYWORD':
    case 'UNKEYWORD':
      r.space();
      return { type: 'flag', flag: r.atom(), set: name === 'KEYWORD' };
    case 'LARGER':
    case 'SMALLER':
      r.space();
      return { type: 'size', op: name === 'LARGER' ? 'larger' : 'smaller', octets: r.number64() };
    case 'OLDER':
    case 'YOUNGER':
      r.space();
      return { type: 'within', op: name === 'OLDER' ? 'older' : 'younger', seconds: r.nzNumber() };
    case 'UID':
      r.space();
      return { type: 'uid', set: r.sequenceSet() };
    case 'MODSEQ':
      return parseModseq(r);
    case 'EMAILID':
    case 'THREADID': {
      // RFC 8474 section 7: objectid = 1*255(ALPHA / DIGIT / "_" / "-"), sent as an atom.
      r.space();
      const id = r.atom();
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(id)) throw new ParseError(`Invalid ${name} object id`);
      return { type: name === 'EMAILID' ? 'emailid' : 'threadid', id };
    }
    case 'NOT': {
      r.space();
      r.enter();
      const key = parseKey(r, budget);
      r.leave();
      return { type: 'not', key };
    }
    case 'OR': {
      r.space();
      r.enter();
      const left = parseKey(r, budget);
      r.space();
      const right = parseKey(r, budget);
      r.leave();
      return { type: 'or', left, right };
    }
    default:
      throw new ParseError(`Unknown search key ${name.slice(0, 40)}`);
  }
}

function parseParenthesised(r: Lexer, budget: { left: number }): SearchKey {
  r.tryChar('(');
  r.enter();
  const keys = [parseKey(r, budget)];
  while (!r.tryChar(')')) {
    r.space();
    keys.push(parseKey(r, budget));
  }
  r.leave();
  return keys.length === 1 ? keys[0]! : { type: 'and', keys };
}

/**
 * MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer (RFC 7162 section 3.1.5). The entry name
 * must be "/flags/<flag>" and the type priv, shared or all; both are checked and then ignored, as the
 * server keeps one modseq per message.
 */
function parseModseq(r: Lexer): SearchKey {
  r.space();
  if (r.peekByte() === 0x22 || r.atLiteral()) {
    const entry = r.string().toString('utf8');
    if (!entry.toLowerCase().startsWith('/flags/') || entry.length === 7) {
      throw new ParseError('Invalid MODSEQ entry name');
    }
    r.space();
    const type = r.atom().toLowerCase();
    if (type !== 'priv' && type !== 'shared' && type !== 'all') throw new ParseError('Invalid MODSEQ entry type');
    r.space();
  }
  return { type: 'modseq', modseq: r.number64() };
}
