/**
 * Fuzz targets, seeds and a mutator shared by the CI fuzz tests (test/fuzz/*.test.ts), the long-running
 * fuzzer (test/fuzz/run.ts, `npm run fuzz`) and the regression replay. A target takes bytes and throws
 * FuzzFailure (with the original error) when the code under test misbehaves; expected refusals
 * (ParseError, MailboxNameError, ImapError) are not failures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { commands } from '../../src/imap/commands/index.js';
import type { Session } from '../../src/imap/session.js';
import { ImapError } from '../../src/imap/errors.js';
import { encodeBodyStructure, encodeEnvelope } from '../../src/imap/fetch/structure.js';
import { parseMessage } from '../../src/mime/parse.js';
import { argReader, readCommandHead, tryReadTag } from '../../src/protocol/args.js';
import { CommandReader } from '../../src/protocol/reader.js';
import { MailboxNameError, ParseError } from '../../src/protocol/types.js';
import type { Account } from '../../src/store/types.js';
import { fakeSession } from '../support/session.js';

/** FuzzFailure is a misbehaviour found by a target: an unexpected exception, with the input that caused it. */
export class FuzzFailure extends Error {
  constructor(
    readonly target: TargetName,
    readonly input: Buffer,
    override readonly cause: unknown,
  ) {
    super(`${target}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
    this.name = 'FuzzFailure';
  }
}

/** TargetName names a fuzz target. */
export type TargetName = 'command' | 'mime';

/** A parse-only session: what command parsers may read (the UTF-8 mode and the account), in both modes. */
function parseSessions(): Session[] {
  return [false, true].map((utf8) => fakeSession({ utf8, rev2: utf8, account: { id: 1, email: 'fuzz@example.com', passwordHash: '' } as Account, state: 'selected' }));
}
const SESSIONS = parseSessions();

/**
 * commandTarget frames `input` with CommandReader (in chunks of the given sizes, to exercise resumption)
 * and parses every framed command with its command's parser, as the dispatcher does, in rev1 and UTF-8 mode.
 * Only ParseError, MailboxNameError and ImapError may be thrown by a parser; the reader may throw nothing.
 */
export function commandTarget(input: Buffer, chunk = 0): void {
  const reader = new CommandReader();
  try {
    const step = chunk > 0 ? chunk : input.length || 1;
    for (let pos = 0; pos < input.length; pos += step) {
      for (const ev of reader.push(input.subarray(pos, pos + step))) {
        if (ev.kind !== 'command') continue;
        const raw = ev.command;
        if (tryReadTag(raw) === null) continue;
        for (const session of SESSIONS) {
          try {
            const r = argReader(raw);
            let name = readCommandHead(r).name;
            if (name.startsWith('UID ')) name = name.slice(4);
            commands.get(name)?.parse(r, session);
          } catch (err) {
            if (err instanceof ParseError || err instanceof MailboxNameError || err instanceof ImapError) continue;
            throw err;
          }
        }
      }
    }
  } catch (err) {
    throw new FuzzFailure('command', input, err);
  }
}

/**
 * mimeTarget parses `input` as a message and encodes what FETCH would send from it (BODYSTRUCTURE,
 * ENVELOPE). parseMessage promises never to throw; offsets must stay inside the message.
 */
export function mimeTarget(input: Buffer): void {
  try {
    const parsed = parseMessage(input);
    encodeBodyStructure(parsed.structure, true, false);
    encodeBodyStructure(parsed.structure, false, true);
    encodeEnvelope(parsed.envelope, false);
    const s = parsed.structure;
    if (!(s.headerStart <= s.headerEnd && s.headerEnd <= s.bodyStart && s.bodyStart <= s.bodyEnd && s.bodyEnd <= input.length)) {
      throw new Error(`offsets out of order: ${s.headerStart} ${s.headerEnd} ${s.bodyStart} ${s.bodyEnd} of ${input.length}`);
    }
  } catch (err) {
    throw new FuzzFailure('mime', input, err);
  }
}

/** TARGETS maps each target name to its function. */
export const TARGETS: Record<TargetName, (input: Buffer) => void> = { command: (b) => commandTarget(b), mime: mimeTarget };

/** COMMAND_SEEDS are valid commands (one per line, CRLF added), covering every command and argument form. */
export const COMMAND_SEEDS: string[] = [
  'a CAPABILITY',
  'a NOOP',
  'a LOGOUT',
  'a ID ("name" "fuzz" "version" "1")',
  'a ID NIL',
  'a ENABLE IMAP4rev2 UTF8=ACCEPT CONDSTORE',
  'a LOGIN alice "pass word"',
  'a LOGIN {5+}\r\nalice {2+}\r\npw',
  'a AUTHENTICATE PLAIN AGFsaWNlAHB3',
  'a STARTTLS',
  'a SELECT INBOX',
  'a SELECT "INBOX" (CONDSTORE)',
  'a EXAMINE "Sent"',
  'a CREATE "a/b/&ZeVnLIqe-"',
  'a CREATE "x" (USE (\\Drafts))',
  'a DELETE foo',
  'a RENAME "a" "b/c"',
  'a SUBSCRIBE "a"',
  'a UNSUBSCRIBE "a"',
  'a LIST "" "*"',
  'a LIST (SUBSCRIBED RECURSIVEMATCH) "" ("INBOX" "S%") RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN))',
  'a LSUB "" "%"',
  'a NAMESPACE',
  'a STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE DELETED HIGHESTMODSEQ APPENDLIMIT)',
  'a APPEND INBOX (\\Seen $Label1) "17-Jul-1996 02:44:25 -0700" {12+}\r\nSubject: x\r\n',
  'a APPEND INBOX ~{5+}\r\nab\0cd',
  'a CHECK',
  'a CLOSE',
  'a UNSELECT',
  'a EXPUNGE',
  'a UID EXPUNGE 1:5,7',
  'a SEARCH RETURN (MIN MAX COUNT SAVE) CHARSET UTF-8 OR (FROM "bob" SINCE 1-Feb-1994) NOT (SUBJECT {3+}\r\nfoo LARGER 100) UID 1:* MODSEQ 5',
  'a UID SEARCH HEADER "X-Foo" "bar" BEFORE 1-Jan-2020 KEYWORD $x UNKEYWORD $y OLDER 5 YOUNGER 10 $',
  'a SEARCH ANSWERED DELETED DRAFT FLAGGED NEW OLD RECENT SEEN UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN ALL 1,2:4,*',
  'a FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE UID MODSEQ)',
  'a FETCH 1 (BODY.PEEK[HEADER.FIELDS (From To)] BODY[1.2.MIME] BODY[TEXT]<0.100> BINARY[1] BINARY.SIZE[2] RFC822 RFC822.HEADER RFC822.TEXT)',
  'a UID FETCH 1:* FAST (CHANGEDSINCE 12 VANISHED)',
  'a FETCH 2 BODY[HEADER.FIELDS.NOT (Received)]',
  'a STORE 1:3 +FLAGS.SILENT (\\Deleted \\Seen)',
  'a UID STORE 4 (UNCHANGEDSINCE 7) FLAGS ($Junk)',
  'a COPY 1:2 "Archive"',
  'a UID COPY 1 Trash',
  'a MOVE 1 Junk',
  'a UID MOVE 1:* Junk',
  'a IDLE',
  'DONE',
  'a GETQUOTAROOT INBOX',
  'a COMPRESS DEFLATE',
];

/** mimeSeeds are the messages of ../shared/corpus/tricky (empty when the corpus is not beside the worktree). */
export function mimeSeeds(): Buffer[] {
  const dir = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'tricky');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.eml')).sort();
  } catch {
    return [Buffer.from('From: a@b\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nhi\r\n--x--\r\n')];
  }
  return names.map((n) => readFileSync(path.join(dir, n)));
}

/** commandSeeds returns COMMAND_SEEDS as CRLF-terminated buffers. */
export function commandSeeds(): Buffer[] {
  return COMMAND_SEEDS.map((s) => Buffer.from(`${s}\r\n`, 'latin1'));
}

/** Tokens that matter to IMAP and MIME grammars, inserted by the mutator. */
const TOKENS = [
  '(', ')', '{', '}', '{4294967296}', '{99999999999999999999+}', '~{3}', '"', '\\', '*', '%', ' ', '\0', '\r', '\n', '\r\n', '[', ']', '<', '>', '.', ':', ',',
  '0', '4294967295', '18446744073709551616', '-1', 'NIL', 'UID ', 'BODY[', 'HEADER.FIELDS (', 'NOT ', 'OR ', 'CHARSET ', '&', '&-', '&AGE-', '~', '#shared/', '../',
  '\r\n--x\r\n', 'Content-Type: multipart/mixed; boundary=x\r\n', 'Content-Type: message/rfc822\r\n', 'Content-Transfer-Encoding: base64\r\n', '=?utf-8?B?', '?=', ';', '=', '\u00ff', '\u2028',
].map((t) => Buffer.from(t, 'utf8'));

/** Mutator: a seeded PRNG and the mutations; deterministic for a given seed. */
export class Mutator {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }

  /** next is a uniform float in [0, 1) (xorshift32). */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }

  /** mutate applies 1-4 random mutations (flip, insert token, delete, duplicate, splice, truncate, nest) to a copy of `input`. */
  mutate(input: Buffer, others: readonly Buffer[]): Buffer {
    let b = Buffer.from(input);
    for (let k = 1 + this.int(4); k > 0; k--) {
      const at = this.int(b.length + 1);
      switch (this.int(8)) {
        case 0: // flip a byte
          if (b.length) b[this.int(b.length)] = this.int(256);
          break;
        case 1: // insert a grammar token
          b = Buffer.concat([b.subarray(0, at), this.pick(TOKENS), b.subarray(at)]);
          break;
        case 2: // delete a range
          b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + this.int(16)))]);
          break;
        case 3: {
          // duplicate a range
          const len = 1 + this.int(32);
          b = Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]);
          break;
        }
        case 4: {
          // splice in part of another seed
          const o = this.pick(others);
          const from = this.int(o.length + 1);
          b = Buffer.concat([b.subarray(0, at), o.subarray(from, from + 1 + this.int(200)), b.subarray(at)]);
          break;
        }
        case 5: // truncate
          b = b.subarray(0, at);
          break;
        case 6: // nest deeply
          b = Buffer.concat([b.subarray(0, at), Buffer.from(this.pick(['(', 'NOT ', '(OR ALL ', 'BODY[1.', 'multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: ']).repeat(1 + this.int(80))), b.subarray(at)]);
          break;
        default: // random bytes
          b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + this.int(8) }, () => this.int(256))), b.subarray(at)]);
      }
    }
    return b;
  }
}

/**
 * fuzzFor runs `target` on mutations of `seeds` until `ms` have passed or `maxIterations` ran, starting
 * from `seed`; returns the number of inputs tried. Throws the first FuzzFailure.
 */
export function fuzzFor(target: TargetName, seeds: readonly Buffer[], opts: { ms: number; seed: number; maxIterations?: number }): number {
  const m = new Mutator(opts.seed);
  const run = TARGETS[target];
  const deadline = Date.now() + opts.ms;
  let n = 0;
  for (const s of seeds) {
    run(s);
    n++;
  }
  while (Date.now() < deadline && n < (opts.maxIterations ?? Infinity)) {
    const input = m.mutate(m.pick(seeds), seeds);
    run(input);
    if (target === 'command' && n % 7 === 0) {
      try {
        commandTarget(input, 1 + m.int(7));
      } catch (err) {
        throw err instanceof FuzzFailure ? err : new FuzzFailure(target, input, err);
      }
    }
    n++;
  }
  return n;
}
