/**
 * Typed forms of IMAP protocol elements (RFC 9051 section 9, formal syntax). The wire layer parses
 * bytes into these; the IMAP layer works only with these. Nothing here does I/O.
 *
 * Imports (src/protocol, the wire layer): node built-ins and src/limits.ts only; no package and no other
 * folder of src/ (eslint.config.js holds it). Every other layer may import it.
 */

/**
 * SequenceRange is one element of a sequence set (RFC 9051 section 9 `seq-range`).
 * `null` stands for "*" (the largest number in use). `start` may be greater than `end`; it is the same range.
 */
export interface SequenceRange {
  start: number | null;
  end: number | null;
}

/** SequenceSet is a parsed `sequence-set`, or "$" (the saved search result, RFC 5182 SEARCHRES). */
export type SequenceSet = { kind: 'set'; ranges: SequenceRange[] } | { kind: 'saved' };

/**
 * SearchKey is a node of the SEARCH criteria tree (RFC 9051 section 6.4.4). Dates are 'YYYY-MM-DD' strings
 * (calendar dates, compared without time or zone as RFC 9051 requires), sizes are octets.
 * `seq` matches 1-based message sequence numbers, `uid` matches UIDs.
 */
export type SearchKey =
  | { type: 'all' }
  | { type: 'and'; keys: SearchKey[] }
  | { type: 'or'; left: SearchKey; right: SearchKey }
  | { type: 'not'; key: SearchKey }
  | { type: 'seq'; set: SequenceSet }
  | { type: 'uid'; set: SequenceSet }
  /** ANSWERED, DELETED, DRAFT, FLAGGED, SEEN, and KEYWORD x: `flag` is "\\Answered" etc. or the keyword. */
  | { type: 'flag'; flag: string; set: boolean }
  /** RECENT / NEW / OLD (IMAP4rev1 only). */
  | { type: 'recent'; set: boolean }
  | { type: 'new' }
  /**
   * BEFORE/ON/SINCE compare INTERNALDATE; SENTBEFORE/SENTON/SENTSINCE compare the Date header;
   * SAVEDBEFORE/SAVEDON/SAVEDSINCE compare the save date (RFC 8514).
   */
  | { type: 'date'; field: 'internal' | 'sent' | 'saved'; op: 'before' | 'on' | 'since'; date: string }
  /** SAVEDATESUPPORTED (RFC 8514): true when the mailbox keeps save dates (every mailbox here). */
  | { type: 'savedatesupported' }
  /** EMAILID / THREADID (RFC 8474 section 6): the object id as sent. */
  | { type: 'emailid'; id: string }
  | { type: 'threadid'; id: string }
  /** OLDER/YOUNGER (RFC 5032 WITHIN), seconds. */
  | { type: 'within'; op: 'older' | 'younger'; seconds: number }
  | { type: 'size'; op: 'larger' | 'smaller'; octets: number }
  /** FROM/TO/CC/BCC/SUBJECT map to header with that name; HEADER name value likewise. Empty value matches presence. */
  | { type: 'header'; name: string; value: string }
  | { type: 'body'; value: string }
  | { type: 'text'; value: string }
  /** MODSEQ (RFC 7162), for #4. */
  | { type: 'modseq'; modseq: number };

/** SectionSpec is the part of BODY[...] / BINARY[...] after the part number (RFC 9051 section 6.4.5). */
export type SectionText =
  | { kind: 'all' } // BODY[] or BODY[1] (whole part)
  | { kind: 'header' }
  | { kind: 'header.fields'; fields: string[] }
  | { kind: 'header.fields.not'; fields: string[] }
  | { kind: 'text' }
  | { kind: 'mime' };

/** Section is a parsed section: `part` is the list of 1-based part numbers (empty = whole message). */
export interface Section {
  part: number[];
  text: SectionText;
}

/**
 * FetchItem is one FETCH data item (RFC 9051 section 6.4.5). Macros (ALL, FAST, FULL) are expanded by the parser.
 * `partial` is <offset.length> in octets.
 */
export type FetchItem =
  | { type: 'uid' }
  | { type: 'flags' }
  | { type: 'internaldate' }
  | { type: 'rfc822.size' }
  | { type: 'envelope' }
  | { type: 'body' } // BODY without section: non-extensible body structure
  | { type: 'bodystructure' }
  | { type: 'rfc822' } // = BODY[] (sets \Seen), reported as RFC822
  | { type: 'rfc822.header' } // = BODY.PEEK[HEADER], reported as RFC822.HEADER
  | { type: 'rfc822.text' } // = BODY[TEXT] (sets \Seen), reported as RFC822.TEXT
  | { type: 'body.section'; section: Section; peek: boolean; partial: { offset: number; length: number } | null }
  | { type: 'binary'; section: number[]; peek: boolean; partial: { offset: number; length: number } | null }
  | { type: 'binary.size'; section: number[] }
  | { type: 'modseq' }
  | { type: 'savedate' }
  | { type: 'emailid' }
  | { type: 'threadid' }
  | { type: 'preview'; lazy: boolean };

/** RawCommand is one complete command as framed by the reader: the line text and literals in order. */
export interface RawCommand {
  /**
   * Alternating pieces: `lines[0]`, then literal 0, then `lines[1]`, ... The text pieces exclude the CRLF and
   * exclude the `{n}` / `{n+}` / `~{n}` literal markers (the parser sees a literal token where each marker was).
   * So `lines.length === literals.length + 1`.
   */
  lines: Buffer[];
  literals: Buffer[];
  /** For each literal, whether it was a literal8 (`~{n}`, RFC 3516). */
  literal8: boolean[];
}

/** ParseError is malformed input: the connection answers `BAD` with this message (RFC 9051 section 7.1.5). */
export class ParseError extends Error {
  /** code: optional response code without brackets, e.g. "TOOBIG", "CLIENTBUG". */
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'ParseError';
  }
}

/**
 * MailboxNameError is a mailbox name that is a well-formed astring but no name a mailbox can have: not valid
 * modified UTF-7 (RFC 3501 section 5.1.3). The command is understood, so the connection answers `NO [CANNOT]`
 * (as Dovecot answers NO), not BAD.
 */
export class MailboxNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailboxNameError';
  }
}

/** SearchProgram is the argument of SEARCH: the optional CHARSET, RETURN options (RFC 4731) and the criteria tree. */
export interface SearchProgram {
  /** Upper-cased charset name, or null when not given. Only UTF-8 and US-ASCII are accepted (else BADCHARSET). */
  charset: string | null;
  /** ESEARCH RETURN options upper-cased (MIN, MAX, ALL, COUNT, SAVE), or null when no RETURN was given. */
  returnOptions: string[] | null;
  key: SearchKey;
}

/**
 * ArgReader reads the arguments of one command, token by token, over a RawCommand (RFC 9051 section 9).
 * Every method throws ParseError on malformed input and never reads past the command.
 * Strings come back as UTF-8 decoded `string` unless the method says Buffer.
 */
export interface ArgReader {
  /** True when every byte of the command has been consumed. */
  atEnd(): boolean;
  /** Throws ParseError("unexpected ... after arguments") unless atEnd(). */
  end(): void;
  /** Consumes exactly one SP. */
  space(): void;
  /** If the next byte is `ch`, consumes it and returns true. */
  tryChar(ch: string): boolean;
  /** The next byte as a character without consuming it, or null at the end of a line/command. */
  peek(): string | null;
  /** True when the next token is a literal (or literal8). */
  atLiteral(): boolean;
  /** An atom (RFC 9051 `atom`); returned as sent (case kept). */
  atom(): string;
  /** A `number` (0 .. 2^32-1). */
  number(): number;
  /** A `number64` (0 .. 2^53-1 here). */
  number64(): number;
  /** A `nz-number`. */
  nzNumber(): number;
  /** An astring (atom, quoted or literal), UTF-8 decoded. */
  astring(): string;
  /** A string (quoted or literal) as bytes. */
  string(): Buffer;
  /** An nstring: string or NIL (null). */
  nstring(): Buffer | null;
  /** A literal or literal8 as bytes (APPEND message data); `literal8` tells which. */
  literal(): { data: Buffer; literal8: boolean };
  /**
   * A mailbox name: astring; "INBOX" in any case becomes "INBOX"; modified UTF-7 (RFC 3501 section 5.1.3)
   * is decoded to UTF-8 unless utf8 is true (UTF8=ACCEPT/IMAP4rev2 enabled), in which case raw UTF-8 is kept.
   * Rejects NUL and invalid modified UTF-7 with ParseError.
   */
  mailbox(utf8: boolean): string;
  /** A list-mailbox (may contain "%" and "*"), decoded the same way as mailbox(). */
  listMailbox(utf8: boolean): string;
  /** One flag: "\\Seen" etc. (system flags returned in canonical case) or a keyword atom. */
  flag(): string;
  /** A parenthesised flag list "(...)" (may be empty). */
  flagList(): string[];
  /** A sequence-set or "$". */
  sequenceSet(): SequenceSet;
  /** A quoted date-time ("dd-Mon-yyyy hh:mm:ss +zzzz", RFC 9051 `date-time`) as ms since epoch. */
  dateTime(): number;
  /** A `date` (dd-Mon-yyyy, optionally quoted) as 'YYYY-MM-DD'. */
  date(): string;
  /** The rest of a SEARCH command: [RETURN (...)] [CHARSET x] criteria... (RFC 9051 section 6.4.4, RFC 4731). */
  searchProgram(): SearchProgram;
  /** The search criteria that end SORT and THREAD: search-key *(SP search-key) to the end (RFC 5256 section 5). */
  searchCriteria(): SearchKey;
  /** FETCH items: a single item, a macro (ALL/FAST/FULL) or a parenthesised list (RFC 9051 section 6.4.5). */
  fetchItems(): FetchItem[];
  /** Reads a parenthesised list of items with the given per-item reader, e.g. list(() => r.atom()). Empty list allowed. */
  list<T>(item: () => T): T[];
}
