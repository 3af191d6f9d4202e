/**
 * The shape of every command and test the interpreter knows, as data (RFC 5228 sections 3 to 5 and each
 * extension's "Command"/"Test" syntax lines): the capability it needs, its tagged arguments, its positional
 * arguments, its nested tests and whether it takes a block. The checker (check.ts) holds scripts to it.
 */
import type { SieveExtension } from './types.js';

/** ArgType is a positional or tag argument's type: a string, a string list (a single string counts as a list of one), a number. */
export type ArgType = 'string' | 'list' | 'number';

/** TagSpec describes one tagged argument: the capability it needs (any of), its argument, and its group (at most one tag per group). */
export interface TagSpec {
  ext?: readonly SieveExtension[];
  arg?: ArgType;
  group?: string;
}

/** Spec describes one command or test. `minPos` is how many positionals are required (default all). */
export interface Spec {
  ext?: readonly SieveExtension[];
  tags: Record<string, TagSpec>;
  pos: readonly ArgType[];
  minPos?: number;
  tests: 0 | 1 | 'list';
  block: boolean;
  /** Needs outgoing mail (redirect, vacation): a compile error when CompileOptions.outgoing is false. */
  outgoing?: string;
}

const COMPARATOR: Record<string, TagSpec> = { comparator: { arg: 'string', group: 'comparator' } };
const MATCH: Record<string, TagSpec> = {
  is: { group: 'match' },
  contains: { group: 'match' },
  matches: { group: 'match' },
  count: { group: 'match', ext: ['relational'], arg: 'string' },
  value: { group: 'match', ext: ['relational'], arg: 'string' },
};
const ADDRESS_PART: Record<string, TagSpec> = {
  all: { group: 'addresspart' },
  localpart: { group: 'addresspart' },
  domain: { group: 'addresspart' },
  user: { group: 'addresspart', ext: ['subaddress'] },
  detail: { group: 'addresspart', ext: ['subaddress'] },
};
const INDEX: Record<string, TagSpec> = { index: { ext: ['index'], arg: 'number' }, last: { ext: ['index'] } };
const MATCHING = { ...COMPARATOR, ...MATCH };

const command = (s: Partial<Spec>): Spec => ({ tags: {}, pos: [], tests: 0, block: false, ...s });
const test = command;

/** COMMANDS are the commands (RFC 5228 section 3 and 4; extensions as cited). */
export const COMMANDS: Record<string, Spec> = {
  require: command({ pos: ['list'] }),
  if: command({ tests: 1, block: true }),
  elsif: command({ tests: 1, block: true }),
  else: command({ block: true }),
  stop: command({}),
  keep: command({ tags: { flags: { ext: ['imap4flags'], arg: 'list' } } }),
  discard: command({}),
  redirect: command({ tags: { copy: { ext: ['copy'] } }, pos: ['string'], outgoing: 'redirect needs outgoing mail: set outgoing.smtp' }),
  fileinto: command({
    ext: ['fileinto'],
    tags: { copy: { ext: ['copy'] }, flags: { ext: ['imap4flags'], arg: 'list' }, create: { ext: ['mailbox'] } },
    pos: ['string'],
  }),
  reject: command({ ext: ['reject'], pos: ['string'] }),
  ereject: command({ ext: ['ereject'], pos: ['string'] }),
  vacation: command({
    ext: ['vacation'],
    tags: {
      days: { arg: 'number', group: 'period' },
      seconds: { arg: 'number', group: 'period', ext: ['vacation-seconds'] },
      subject: { arg: 'string' },
      from: { arg: 'string' },
      addresses: { arg: 'list' },
      mime: {},
      handle: { arg: 'string' },
    },
    pos: ['string'],
    outgoing: 'vacation needs outgoing mail: set outgoing.smtp',
  }),
  setflag: command({ ext: ['imap4flags'], pos: ['list', 'list'], minPos: 1 }),
  addflag: command({ ext: ['imap4flags'], pos: ['list', 'list'], minPos: 1 }),
  removeflag: command({ ext: ['imap4flags'], pos: ['list', 'list'], minPos: 1 }),
  set: command({
    ext: ['variables'],
    tags: {
      lower: { group: 'case' }, upper: { group: 'case' },
      lowerfirst: { group: 'casefirst' }, upperfirst: { group: 'casefirst' },
      quotewildcard: {}, length: {},
    },
    pos: ['string', 'string'],
  }),
  include: command({
    ext: ['include'],
    tags: { personal: { group: 'location' }, global: { group: 'location' }, once: {}, optional: {} },
    pos: ['string'],
  }),
  return: command({ ext: ['include'] }),
  global: command({ ext: ['include'], pos: ['list'] }),
};

/** TESTS are the tests (RFC 5228 section 5; extensions as cited). */
export const TESTS: Record<string, Spec> = {
  address: test({ tags: { ...MATCHING, ...ADDRESS_PART, ...INDEX }, pos: ['list', 'list'] }),
  allof: test({ tests: 'list' }),
  anyof: test({ tests: 'list' }),
  envelope: test({ ext: ['envelope'], tags: { ...MATCHING, ...ADDRESS_PART }, pos: ['list', 'list'] }),
  exists: test({ pos: ['list'] }),
  false: test({}),
  true: test({}),
  header: test({ tags: { ...MATCHING, ...INDEX }, pos: ['list', 'list'] }),
  not: test({ tests: 1 }),
  size: test({ tags: { over: { group: 'size' }, under: { group: 'size' } }, pos: ['number'] }),
  hasflag: test({ ext: ['imap4flags'], tags: MATCHING, pos: ['list', 'list'], minPos: 1 }),
  string: test({ ext: ['variables'], tags: MATCHING, pos: ['list', 'list'] }),
  body: test({
    ext: ['body'],
    tags: { ...MATCHING, raw: { group: 'transform' }, content: { group: 'transform', arg: 'list' }, text: { group: 'transform' } },
    pos: ['list'],
  }),
  mailboxexists: test({ ext: ['mailbox'], pos: ['list'] }),
  date: test({
    ext: ['date'],
    tags: { ...MATCHING, ...INDEX, zone: { arg: 'string', group: 'zone' }, originalzone: { group: 'zone' } },
    pos: ['string', 'string', 'list'],
  }),
  currentdate: test({ ext: ['date'], tags: { ...MATCHING, zone: { arg: 'string', group: 'zone' } }, pos: ['string', 'list'] }),
  duplicate: test({
    ext: ['duplicate'],
    tags: {
      handle: { arg: 'string' },
      header: { arg: 'string', group: 'value' },
      uniqueid: { arg: 'string', group: 'value' },
      seconds: { arg: 'number' },
      last: {},
    },
  }),
};

/** ADDRESS_HEADERS are the fields the address test accepts (RFC 5228 section 5.1: those that hold addresses). */
export const ADDRESS_HEADERS = new Set([
  'from', 'to', 'cc', 'bcc', 'sender', 'reply-to', 'resent-from', 'resent-to', 'resent-cc', 'resent-bcc',
  'resent-sender', 'resent-reply-to', 'return-path', 'delivered-to', 'x-original-to', 'envelope-to',
  'disposition-notification-to', 'return-receipt-to', 'errors-to', 'original-recipient', 'mail-followup-to', 'mail-reply-to',
]);

/** DATE_PARTS are the date-part names of RFC 5260 section 4.2. */
export const DATE_PARTS = new Set(['year', 'month', 'day', 'date', 'julian', 'hour', 'minute', 'second', 'time', 'iso8601', 'std11', 'zone', 'weekday']);

/** RELATIONS are the relational operators of RFC 5231 section 4. */
export const RELATIONS = new Set(['gt', 'ge', 'lt', 'le', 'eq', 'ne']);
