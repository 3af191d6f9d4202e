/**
 * The ArgReader over one RawCommand (RFC 9051 section 9): the Lexer's tokens plus mailbox names, SEARCH
 * criteria and FETCH items, and the command head (tag and name).
 */
import { isUtf8 } from 'node:buffer';
import { ASTRING_CHAR, LIST_CHAR, tagOfLine } from './chars.js';
import { parseFetchItems } from './fetch-items.js';
import { Lexer } from './lexer.js';
import { decodeModifiedUtf7 } from './mutf7.js';
import { parseSearchKeys, parseSearchProgram } from './search.js';
import { MailboxNameError, ParseError, type ArgReader, type FetchItem, type RawCommand, type SearchKey, type SearchProgram } from './types.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * normaliseInbox spells "INBOX" in upper case when it is the whole name or the first component before "/"
 * (RFC 9051 section 5.1: INBOX is case-insensitive; children are normalised as Dovecot does). ASCII only:
 * "ınbox" with a dotless i is not INBOX.
 */
function normaliseInbox(name: string): string {
  if (name.length < 5 || (name.length > 5 && name.charCodeAt(5) !== 0x2f)) return name;
  const lower = 'inbox';
  for (let i = 0; i < 5; i++) if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return name;
  return name.startsWith('INBOX') ? name : 'INBOX' + name.slice(5);
}

/** Args is the ArgReader implementation; see ArgReader in types.ts for each method's contract. */
class Args extends Lexer implements ArgReader {
  mailbox(utf8: boolean): string {
    return this.mailboxName(utf8, ASTRING_CHAR, false);
  }

  listMailbox(utf8: boolean): string {
    return this.mailboxName(utf8, LIST_CHAR, true);
  }

  /**
   * mailboxName reads a mailbox name (or, with `pattern`, a LIST pattern). A name that is not valid modified
   * UTF-7 throws MailboxNameError (it names nothing); a pattern that is not is kept as it came (as UTF-8
   * when it is UTF-8), so LIST answers OK with whatever it matches.
   */
  private mailboxName(utf8: boolean, cls: number, pattern: boolean): string {
    const raw = this.astringBytes(cls);
    let name: string;
    if (utf8) {
      try {
        name = UTF8.decode(raw);
      } catch {
        throw new ParseError('Mailbox name is not valid UTF-8');
      }
    } else {
      try {
        name = decodeModifiedUtf7(raw.toString('latin1'));
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        if (!pattern) throw new MailboxNameError(err.message);
        name = isUtf8(raw) ? raw.toString('utf8') : raw.toString('latin1');
      }
    }
    if (name.includes('\0')) throw new ParseError('Mailbox name contains NUL');
    return normaliseInbox(name);
  }

  searchProgram(): SearchProgram {
    const program = parseSearchProgram(this);
    this.end();
    return program;
  }

  searchCriteria(): SearchKey {
    const key = parseSearchKeys(this);
    this.end();
    return key;
  }

  fetchItems(): FetchItem[] {
    return parseFetchItems(this);
  }
}

/** argReader returns an ArgReader positioned at the first byte of `raw` (the tag). */
export function argReader(raw: RawCommand): ArgReader {
  return new Args(raw);
}

/**
 * readCommandHead reads `tag SP command-name` (RFC 9051 section 9 `command`, `tag`) and, for UID, the SP and
 * the next atom: name is upper-cased, e.g. "FETCH" or "UID FETCH". `r` must come from argReader().
 * Throws ParseError "Missing or invalid tag" when there is no valid tag followed by SP: the connection then
 * answers with an untagged `* BAD`; for other errors tryReadTag gives the tag for a tagged BAD.
 */
export function readCommandHead(r: ArgReader): { tag: string; name: string } {
  if (!(r instanceof Args)) throw new TypeError('readCommandHead needs a reader from argReader()');
  let tag: string;
  try {
    tag = r.tag();
  } catch {
    throw new ParseError('Missing or invalid tag');
  }
  if (r.peekByte() !== 0x20) throw new ParseError(r.atEnd() ? 'Missing command name' : 'Missing or invalid tag');
  r.space();
  let name = readName(r);
  if (name === 'UID') {
    r.space();
    name = 'UID ' + readName(r);
  }
  return { tag, name };
}

function readName(r: Args): string {
  if (r.peekByte() === -1 || r.peekByte() === 0x20) throw new ParseError('Missing command name');
  return r.atom().toUpperCase();
}

/**
 * tryReadTag returns the tag of a command when its first line starts with a valid tag followed by SP or
 * the end of the line, else null. Never throws; use it to tag the BAD reply to a malformed command.
 */
export function tryReadTag(raw: RawCommand): string | null {
  const first = raw.lines[0];
  return first === undefined ? null : tagOfLine(first);
}
