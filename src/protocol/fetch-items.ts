/**
 * FETCH data item parser (RFC 9051 section 6.4.5 `fetch-att`; RFC 3516 BINARY; RFC 7162 MODSEQ; RFC 8514
 * SAVEDATE; RFC 8474 EMAILID/THREADID; RFC 8970 PREVIEW). Produces FetchItem of types.ts.
 */
import { FETCH_NAME_CHAR } from './chars.js';
import type { Lexer } from './lexer.js';
import { ParseError, type FetchItem, type Section, type SectionText } from './types.js';

type Partial = { offset: number; length: number } | null;

const FAST: FetchItem[] = [{ type: 'flags' }, { type: 'internaldate' }, { type: 'rfc822.size' }];

/** Items without arguments, by upper-case name. */
const SIMPLE: Record<string, FetchItem> = {
  UID: { type: 'uid' },
  FLAGS: { type: 'flags' },
  INTERNALDATE: { type: 'internaldate' },
  'RFC822.SIZE': { type: 'rfc822.size' },
  ENVELOPE: { type: 'envelope' },
  BODYSTRUCTURE: { type: 'bodystructure' },
  RFC822: { type: 'rfc822' },
  'RFC822.HEADER': { type: 'rfc822.header' },
  'RFC822.TEXT': { type: 'rfc822.text' },
  MODSEQ: { type: 'modseq' },
  SAVEDATE: { type: 'savedate' },
  EMAILID: { type: 'emailid' },
  THREADID: { type: 'threadid' },
};

/**
 * parseFetchItems reads FETCH items: a macro (ALL, FAST, FULL; expanded), a single item, or a non-empty
 * parenthesised list of items (RFC 9051 section 6.4.5). Stops after the items: modifiers such as
 * "(CHANGEDSINCE 5)" that follow are left to the command. Throws ParseError on malformed input.
 */
export function parseFetchItems(r: Lexer): FetchItem[] {
  const out: FetchItem[] = [];
  if (r.tryChar('(')) {
    r.enter();
    if (r.peekByte() === 0x29) throw new ParseError('Empty FETCH item list');
    for (;;) {
      out.push(parseItem(r));
      if (r.tryChar(')')) break;
      r.space();
    }
    r.leave();
    return out;
  }
  const m = r.mark();
  const name = r.word(FETCH_NAME_CHAR, 'FETCH item').toUpperCase();
  if (name === 'ALL' || name === 'FAST' || name === 'FULL') {
    if (r.peekByte() === 0x5b) throw new ParseError(`Invalid FETCH item ${name}[`);
    for (const item of FAST) out.push({ ...item });
    if (name !== 'FAST') out.push({ type: 'envelope' });
    if (name === 'FULL') out.push({ type: 'body' });
    return out;
  }
  r.reset(m);
  out.push(parseItem(r));
  return out;
}

function parseItem(r: Lexer): FetchItem {
  const name = r.word(FETCH_NAME_CHAR, 'FETCH item').toUpperCase();
  const simple = SIMPLE[name];
  if (simple !== undefined) return { ...simple };
  switch (name) {
    case 'BODY':
    case 'BODY.PEEK': {
      if (r.peekByte() !== 0x5b) {
        if (name === 'BODY') return { type: 'body' };
        throw new ParseError('BODY.PEEK needs a section');
      }
      const section = parseSection(r);
      return { type: 'body.section', section, peek: name === 'BODY.PEEK', partial: parsePartial(r) };
    }
    case 'BINARY':
    case 'BINARY.PEEK': {
      const section = parseBinarySection(r);
      return { type: 'binary', section, peek: name === 'BINARY.PEEK', partial: parsePartial(r) };
    }
    case 'BINARY.SIZE':
      return { type: 'binary.size', section: parseBinarySection(r) };
    case 'PREVIEW':
      return { type: 'preview', lazy: parsePreviewModifiers(r) };
    default:
      throw new ParseError(`Unknown FETCH item ${name.slice(0, 40)}`);
  }
}

/**
 * section = "[" [section-spec] "]" (RFC 9051 section 9): part numbers "1.2.3", optionally followed by
 * "." and HEADER / HEADER.FIELDS[.NOT] (list) / TEXT / MIME; MIME needs a part number.
 */
function parseSection(r: Lexer): Section {
  r.tryChar('[');
  const part: number[] = [];
  let text: SectionText = { kind: 'all' };
  if (r.tryChar(']')) return { part, text };
  if (isDigit(r.peekByte())) {
    for (;;) {
      part.push(r.nzNumber());
      if (!r.tryChar('.')) break;
      if (!isDigit(r.peekByte())) {
        text = parseSectionText(r, true);
        break;
      }
    }
  } else {
    text = parseSectionText(r, false);
  }
  if (!r.tryChar(']')) throw new ParseError('Expected "]" after section');
  return { part, text };
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

function parseSectionText(r: Lexer, hasPart: boolean): SectionText {
  const word = r.word(FETCH_NAME_CHAR, 'section').toUpperCase();
  switch (word) {
    case 'HEADER':
      return { kind: 'header' };
    case 'TEXT':
      return { kind: 'text' };
    case 'MIME':
      if (!hasPart) throw new ParseError('MIME needs a part number');
      return { kind: 'mime' };
    case 'HEADER.FIELDS':
    case 'HEADER.FIELDS.NOT': {
      r.space();
      if (r.peekByte() !== 0x28) throw new ParseError('Expected header field list');
      const fields = r.list(() => r.astring());
      if (fields.length === 0) throw new ParseError('Empty header field list');
      return word === 'HEADER.FIELDS' ? { kind: 'header.fields', fields } : { kind: 'header.fields.not', fields };
    }
    default:
      throw new ParseError(`Invalid section ${word.slice(0, 40)}`);
  }
}

/** section-binary = "[" [section-part] "]" (RFC 3516 section 4.2). */
function parseBinarySection(r: Lexer): number[] {
  if (!r.tryChar('[')) throw new ParseError('BINARY needs a section');
  const part: number[] = [];
  if (r.tryChar(']')) return part;
  for (;;) {
    part.push(r.nzNumber());
    if (r.tryChar(']')) return part;
    if (!r.tryChar('.')) throw new ParseError('Invalid BINARY section');
  }
}

/** partial = "<" number "." nz-number ">" (offset may be 0, length may not). */
function parsePartial(r: Lexer): Partial {
  if (!r.tryChar('<')) return null;
  const offset = r.number();
  if (!r.tryChar('.')) throw new ParseError('Expected "." in partial');
  const length = r.nzNumber();
  if (!r.tryChar('>')) throw new ParseError('Expected ">" after partial');
  return { offset, length };
}

/**
 * PREVIEW [SP "(" preview-mod *(SP preview-mod) ")"] (RFC 8970 section 6). Only LAZY is known. A list that
 * does not start with a preview modifier is left alone: it is the FETCH modifiers of a lone PREVIEW item.
 */
function parsePreviewModifiers(r: Lexer): boolean {
  if (r.peekByte() !== 0x20) return false;
  const m = r.mark();
  r.space();
  if (!r.tryChar('(') || r.peekWord() !== 'LAZY') {
    r.reset(m);
    return false;
  }
  r.reset(m);
  r.space();
  r.list(() => {
    if (r.atom().toUpperCase() !== 'LAZY') throw new ParseError('Unknown PREVIEW modifier');
  });
  return true;
}
