/**
 * The Sieve interpreter's contract (RFC 5228 and the extensions in SIEVE_EXTENSIONS): what a script is
 * compiled from, what it runs on, and the actions it yields. The interpreter itself (src/sieve/) is pure:
 * it reads the message and asks its environment (SieveEnvironment) about the outside world, and it
 * returns actions; carrying them out (filing into mailboxes, sending a vacation reply through the relay,
 * refusing in LMTP) is the delivery's job (src/delivery/).
 *
 * Imports (src/sieve): mime/ (header and MIME parsing, RFC 2047 decoding), src/limits.ts, libmime and
 * nodemailer's addressparser; never store/, delivery/, the protocol servers or cli/.
 */

/**
 * SIEVE_EXTENSIONS are the capability strings the interpreter implements, as ManageSieve's SIEVE
 * capability lists them (RFC 5804 section 1.7) and `require` accepts them. "regex" (draft-ietf-sieve-regex)
 * is deliberately absent: JavaScript's backtracking RegExp cannot bound a user pattern's cost, so
 * `require "regex"` is refused rather than risk a catastrophic pattern.
 */
export const SIEVE_EXTENSIONS = [
  'fileinto',
  'envelope',
  'encoded-character',
  'reject',
  'ereject',
  'vacation',
  'vacation-seconds',
  'imap4flags',
  'body',
  'variables',
  'relational',
  'subaddress',
  'copy',
  'mailbox',
  'date',
  'index',
  'include',
  'duplicate',
  'comparator-i;ascii-numeric',
] as const;

/** SieveExtension is one of SIEVE_EXTENSIONS. */
export type SieveExtension = (typeof SIEVE_EXTENSIONS)[number];

/**
 * OUTGOING_EXTENSIONS need outgoing mail (a configured relay): a script that requires one of them, or
 * uses `redirect`, is refused at upload when no relay is configured (see CompileOptions.outgoing).
 */
export const OUTGOING_EXTENSIONS: readonly SieveExtension[] = ['vacation', 'vacation-seconds'];

/** SieveLimits bound one script and one run; each has a documented default (DEFAULT_SIEVE_LIMITS). */
export interface SieveLimits {
  /** Largest script source accepted, in octets (UTF-8). */
  maxScriptOctets: number;
  /** Most actions one run may yield (keep, fileinto, redirect, vacation, reject, discard, addheader...). */
  maxActions: number;
  /** Most redirects one run may yield (ManageSieve's MAXREDIRECTS capability). */
  maxRedirects: number;
  /** CPU budget of one run in milliseconds; past it the run fails with SieveRuntimeError (implicit keep). */
  maxCpuMs: number;
  /** Deepest include nesting (RFC 6609 section 3.2). */
  maxIncludeDepth: number;
}

/** DEFAULT_SIEVE_LIMITS: 64 KiB scripts, 32 actions, 4 redirects, 500 ms of CPU, includes 5 deep. */
export const DEFAULT_SIEVE_LIMITS: SieveLimits = {
  maxScriptOctets: 65_536,
  maxActions: 32,
  maxRedirects: 4,
  maxCpuMs: 500,
  maxIncludeDepth: 5,
};

/**
 * SieveCompileError is a script that cannot be run: a syntax error, an unknown command or test, a
 * capability used without `require`, a wrong argument. `line` and `column` are 1-based and point at the
 * offending token; `message` is for the user (ManageSieve's PUTSCRIPT/CHECKSCRIPT answer NO with
 * `line L: message`).
 */
export class SieveCompileError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'SieveCompileError';
  }
}

/** SieveRuntimeError is a run that failed (a missing include, the CPU or action limit); delivery keeps the message in INBOX and logs `message`. */
export class SieveRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SieveRuntimeError';
  }
}

/** CompileOptions: what a script may use. */
export interface CompileOptions {
  /** Whether outgoing mail is possible (a relay is configured); when false, redirect and vacation are compile errors saying so. */
  outgoing: boolean;
  /** Limits (default DEFAULT_SIEVE_LIMITS). */
  limits?: Partial<SieveLimits>;
}

/**
 * SieveEnvelope is the SMTP envelope of the delivery (RFC 5228 section 5.4): `from` is the MAIL FROM
 * address ('' for the null sender <>), `to` the RCPT TO address as given (it may carry a +detail), and
 * `auth` the authenticated submitter if any.
 */
export interface SieveEnvelope {
  from: string;
  to: string;
  auth?: string;
}

/**
 * SieveMessage is what one run reads: the message bytes exactly as they will be stored (CRLF), the
 * envelope, and the time of delivery (the `currentdate` test, RFC 5260 section 5; ms since epoch).
 */
export interface SieveMessage {
  raw: Buffer;
  envelope: SieveEnvelope;
  now: number;
}

/**
 * SieveEnvironment answers what the script asks about the world. Every method may be called any number of
 * times during one run; none may throw for a missing thing (return null/false instead).
 */
export interface SieveEnvironment {
  /** The recipient's own addresses (for vacation's "is this mail addressed to me" check, RFC 5230 section 4.5). */
  userAddresses: string[];
  /** mailboxexists (RFC 5490 section 3.1): whether the recipient's mailbox `name` (UTF-8, "/" hierarchy) exists. */
  mailboxExists(name: string): Promise<boolean>;
  /**
   * include (RFC 6609): the source of the recipient's script `name` (':personal') or of the global
   * script `name` (':global'), or null when there is none.
   */
  loadScript(name: string, location: 'personal' | 'global'): Promise<string | null>;
  /**
   * duplicate (RFC 7352): true when `key` (the handle and the tracked value, hashed by the interpreter) was
   * recorded within `seconds` before `now`. Recording happens only when the run's result is carried out
   * (SieveResult.duplicates), never here.
   */
  duplicateSeen(key: string, now: number): Promise<boolean>;
  /**
   * The recipient's time zone as "+hhmm"/"-hhmm", used by the date and currentdate tests when the script
   * gives neither :zone nor :originalzone (RFC 5260 section 4.1 "the local time zone"); when absent, the
   * server's zone.
   */
  timeZone?: string;
}

/** A keep or fileinto's flags: the imap4flags :flags argument or the internal variable at the time (RFC 5232 section 5). */
export type SieveFlags = string[];

/**
 * SieveAction is one action the run yields, in the order the script took them (RFC 5228 section 2.10).
 * - keep: file into INBOX with `flags`.
 * - fileinto: file into `mailbox` (UTF-8 name), creating it first when `create` (RFC 5490 section 3.2).
 * - redirect: send the message on to `address` (relay); `copy` (RFC 3894) does not cancel implicit keep.
 * - discard: drop silently (cancels implicit keep only).
 * - reject: refuse with `reason`: in LMTP as a 550 5.7.1 for this recipient when `ereject` or when the
 *   delivery can refuse; otherwise by sending `mdn` (an RFC 5429 section 2.1 MDN, built by the
 *   interpreter, null envelope sender) to the envelope sender.
 * - vacation: send `reply` (a complete RFC 5322 message built by the interpreter: From, To, Subject,
 *   In-Reply-To, References, Auto-Submitted: auto-replied, with :mime taken as given) to `to`, unless a
 *   reply with `handle` went to `to` within `seconds`; the executor checks and records that, keyed by
 *   (handle, to). The interpreter already skipped lists, bulk, auto-submitted mail, the null sender, and
 *   mail not addressed to one of userAddresses (RFC 5230 section 4.5 to 4.7).
 * - addheader/deleteheader are not implemented (editheader is not in SIEVE_EXTENSIONS).
 */
export type SieveAction =
  | { type: 'keep'; flags: SieveFlags }
  | { type: 'fileinto'; mailbox: string; flags: SieveFlags; create: boolean; copy: boolean }
  | { type: 'redirect'; address: string; copy: boolean }
  | { type: 'discard' }
  | { type: 'reject'; reason: string; ereject: boolean; mdn: Buffer }
  | { type: 'vacation'; to: string; from: string; handle: string; seconds: number; reply: Buffer };

/**
 * SieveResult is one run's outcome. `actions` are in script order and already include the implicit keep
 * (a keep with the internal flags) when no action cancelled it. `duplicates` are the duplicate-test keys
 * to record with their expiry (seconds) once the actions were carried out. `log` holds the script's
 * notes for the delivery log (e.g. an action skipped because an identical one was taken).
 */
export interface SieveResult {
  actions: SieveAction[];
  duplicates: { key: string; seconds: number }[];
  log: string[];
}

/** CompiledScript is a parsed and checked script, reusable for any number of runs. */
export interface CompiledScript {
  /** The capabilities the script requires (its `require` commands, includes' too once loaded). */
  readonly requires: readonly SieveExtension[];
}
