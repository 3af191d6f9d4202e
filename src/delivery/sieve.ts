/**
 * Sieve at delivery (RFC 5228 section 2.10): for each recipient of LMTP and of `letterbox deliver` (never
 * import or APPEND), the account's active script runs on the message and its actions are carried out:
 * keep and fileinto store one copy per distinct mailbox with the imap4flags flags (RFC 5232), discard
 * stores nothing, redirect (RFC 5228 section 4.2), vacation (RFC 5230) and reject's MDN (RFC 5429) go out
 * through the relay (outgoing.ts), and reject/ereject become a refusal the caller turns into its own
 * reply (LMTP 550 5.7.1, `letterbox deliver` exit 77). Without an active script the delivery is exactly
 * deliverLocal's.
 *
 * No message is lost to a script: a script that does not compile, a run that fails (SieveRuntimeError, a
 * limit) or a failure while filing falls back to the implicit keep (the default mailbox, no flags) with a
 * log line naming the script and the reason; a send that fails (relay down) is logged and never fails
 * the delivery, and a redirect that could not be sent keeps the message when nothing else stored it.
 *
 * The default mailbox (where keep files) is the one delivery without a script uses: "user+folder" or
 * `letterbox deliver --mailbox` when that mailbox exists, else INBOX (as Pigeonhole's keep uses
 * dovecot-lda's -m mailbox).
 *
 * The interpreter (sieve/) is loaded with a dynamic import when an account has an active script, so
 * `letterbox deliver` for accounts without one does not pay for it.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { SIEVE_COMPILED_CACHE_ENTRIES } from '../limits.js';
import { checkedMailboxName, INBOX } from '../store/mailbox-names.js';
import { SYSTEM_FLAGS } from '../store/flags.js';
import { StoreError, type Store } from '../store/types.js';
import type { CompiledScript, SieveAction, SieveEnvironment, SieveResult } from '../sieve/types.js';
import { deliver } from './deliver.js';
import type { Outgoing } from './outgoing.js';
import { addTraceFields, deliverLocal, folderFor, type Recipient, type TraceFields } from './recipient.js';

/** SieveDelivery is what running scripts at delivery needs: the store, where to log, and the relay (null: no outgoing mail). */
export interface SieveDelivery {
  store: Store;
  log: Logger;
  outgoing: Outgoing | null;
  /** Largest script accepted at compile time in octets (config managesieve.max_script_size); default the interpreter's. */
  maxScriptOctets?: number;
}

/** StoredCopy is one stored copy of the message: its mailbox (as stored) and UID. */
export interface StoredCopy {
  mailbox: string;
  uid: number;
}

/**
 * DeliveryOutcome is what happened to one recipient's copy:
 * - stored: `copies` lists the mailboxes it went into (empty after discard, or a redirect without :copy);
 *   `script` is the script that ran (null: none active); `disposition` says it in a few words for the
 *   protocol reply ("delivered to INBOX, Lists/Rust", "discarded by Sieve", "redirected by Sieve").
 * - refused: the script rejected the message (RFC 5429) and the caller must refuse it for this
 *   recipient with `reason` (LMTP: 550 5.7.1; `letterbox deliver`: exit 77).
 */
export type DeliveryOutcome =
  | { kind: 'stored'; copies: StoredCopy[]; script: string | null; disposition: string }
  | { kind: 'refused'; reason: string; script: string };

/** DeliveryEnvelope is the SMTP envelope of one recipient's delivery: MAIL FROM ('' for <>) and RCPT TO as given. */
export interface DeliveryEnvelope {
  from: string;
  to: string;
}

/**
 * deliverWithSieve stores `body` (CRLF, as received) for `recipient` with the trace fields `trace` added
 * at the top, as the recipient's active Sieve script says (see the module comment), and sends what the
 * script sends. `canRefuseReject`: whether the caller can refuse this recipient for `reject` (LMTP can);
 * when false, reject sends its MDN to the envelope sender instead and counts as delivered, and is refused
 * only when the MDN cannot go out (no relay, relay down); ereject is always refused. The null sender gets
 * no MDN: the message is then dropped (RFC 5429 section 2.1). Throws what deliverLocal throws (StoreError
 * OVERQUOTA, NONEXISTENT for a deleted account, store failures) when even the implicit keep cannot be stored.
 */
export async function deliverWithSieve(
  ctx: SieveDelivery,
  recipient: Recipient,
  envelope: DeliveryEnvelope,
  body: Buffer,
  trace: TraceFields,
  opts: { canRefuseReject: boolean },
): Promise<DeliveryOutcome> {
  const { store } = ctx;
  const raw = addTraceFields(body, trace);
  const active = await store.getActiveSieveScript(recipient.account.id);
  if (!active) {
    const copy = await deliverLocal(store, recipient, raw);
    return { kind: 'stored', copies: [copy], script: null, disposition: `delivered to ${copy.mailbox}` };
  }
  const log = ctx.log.child({ account: recipient.account.email, rcpt: envelope.to, script: active.name });
  const now = Date.now();
  let result: SieveResult;
  try {
    const sieve = await import('../sieve/index.js');
    const script = compiled(sieve, recipient.account.id, active, { outgoing: ctx.outgoing !== null, maxScriptOctets: ctx.maxScriptOctets });
    result = await sieve.runSieve(script, { raw, envelope: { from: envelope.from, to: envelope.to }, now }, environment(store, recipient, envelope));
  } catch (err) {
    return implicitKeep(ctx, recipient, raw, active.name, log, `script "${active.name}" failed: ${reasonOf(err)}`, err);
  }
  for (const line of result.log) log.info(`Sieve: ${line}`);
  try {
    return await carryOut(ctx, recipient, envelope, body, raw, result, active.name, now, log, opts);
  } catch (err) {
    return implicitKeep(ctx, recipient, raw, active.name, log, `carrying out script "${active.name}" failed: ${reasonOf(err)}`, err);
  }
}

function reasonOf(err: unknown): string {
  const e = err as { name?: string; message?: string; line?: number };
  if (e?.name === 'SieveCompileError') return `line ${e.line}: ${e.message}`;
  return e?.message ?? String(err);
}

/** implicitKeep files `raw` into the default mailbox without flags after a script failure, logging why (RFC 5228 section 2.10.6). */
async function implicitKeep(ctx: SieveDelivery, recipient: Recipient, raw: Buffer, script: string, log: Logger, why: string, err: unknown): Promise<DeliveryOutcome> {
  const expected = ['SieveCompileError', 'SieveRuntimeError', 'StoreError'].includes((err as Error)?.name ?? '');
  log.warn({ ...(expected ? {} : { err }) }, `Sieve: ${why}; message kept`);
  const copy = await deliverLocal(ctx.store, recipient, raw);
  return { kind: 'stored', copies: [copy], script, disposition: `delivered to ${copy.mailbox} (Sieve failed)` };
}

/** The compiled scripts, least recently used first (Map order), keyed by account, name, relay and source hash. */
const cache = new Map<string, CompiledScript>();

function compiled(
  sieve: typeof import('../sieve/index.js'),
  accountId: number,
  script: { name: string; source: string },
  opts: { outgoing: boolean; maxScriptOctets?: number },
): CompiledScript {
  const hash = createHash('sha256').update(script.source).digest('hex');
  const key = `${accountId}\0${script.name}\0${opts.outgoing}\0${opts.maxScriptOctets ?? ''}\0${hash}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const program = sieve.compileSieve(script.source, { outgoing: opts.outgoing, limits: opts.maxScriptOctets !== undefined ? { maxScriptOctets: opts.maxScriptOctets } : {} });
  cache.set(key, program);
  if (cache.size > SIEVE_COMPILED_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return program;
}

/** environment answers the script's questions from the store (SieveEnvironment). Global scripts: none. */
function environment(store: Store, recipient: Recipient, envelope: DeliveryEnvelope): SieveEnvironment {
  const accountId = recipient.account.id;
  return {
    userAddresses: [recipient.account.email, envelope.to],
    async mailboxExists(name) {
      try {
        return (await store.getMailbox(accountId, checkedMailboxName(name))) !== null;
      } catch (err) {
        if (err instanceof StoreError) return false;
        throw err;
      }
    },
    loadScript: async (name, location) => (location === 'personal' ? store.getSieveScript(accountId, name) : null),
    duplicateSeen: (key, now) => store.sieveSeen(accountId, `duplicate:${key}`, now),
  };
}

/** An IMAP keyword is an atom (RFC 9051 section 9: no atom-specials, ASCII only). */
const KEYWORD = /^[^(){ %*"\\\]\x00-\x1f\x7f-\uffff]+$/;
const SYSTEM = new Map<string, string>(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));

/** storableFlags keeps the system flags and the keywords that are IMAP atoms; the others are dropped and named in `dropped`. */
function storableFlags(flags: readonly string[], dropped: string[]): string[] {
  const out: string[] = [];
  for (const f of flags) {
    const system = SYSTEM.get(f.toLowerCase());
    if (system !== undefined) out.push(system);
    else if (!f.startsWith('\\') && KEYWORD.test(f)) out.push(f);
    else if (f.toLowerCase() !== '\\recent') dropped.push(f);
  }
  return out;
}

/** Target is one mailbox a copy goes into, with the union of the flags of the actions that chose it. */
interface Target {
  flags: Set<string>;
  create: boolean;
}

async function carryOut(
  ctx: SieveDelivery,
  recipient: Recipient,
  envelope: DeliveryEnvelope,
  body: Buffer,
  raw: Buffer,
  result: SieveResult,
  script: string,
  now: number,
  log: Logger,
  opts: { canRefuseReject: boolean },
): Promise<DeliveryOutcome> {
  const { store } = ctx;
  const accountId = recipient.account.id;
  const send = async (what: string, from: string, to: string, message: Buffer): Promise<boolean> => {
    if (!ctx.outgoing) {
      log.warn(`Sieve: ${what} to ${to} not sent: no relay configured (outgoing.smtp)`);
      return false;
    }
    try {
      await ctx.outgoing.send({ from, to }, message);
      log.info({ relay: ctx.outgoing.relay }, `Sieve: ${what} sent to ${to}`);
      return true;
    } catch (err) {
      log.warn({ relay: ctx.outgoing.relay, reason: (err as Error).message }, `Sieve: ${what} to ${to} could not be sent`);
      return false;
    }
  };
  const recordDuplicates = async (): Promise<void> => {
    for (const d of result.duplicates) await store.sieveRecord(accountId, `duplicate:${d.key}`, now + d.seconds * 1000);
  };

  const reject = result.actions.find((a): a is Extract<SieveAction, { type: 'reject' }> => a.type === 'reject');
  if (reject) {
    await recordDuplicates();
    const refuse = (): DeliveryOutcome => {
      log.info({ reason: reject.reason }, `Sieve: ${reject.ereject ? 'ereject' : 'reject'}: refused`);
      return { kind: 'refused', reason: reject.reason, script };
    };
    if (reject.ereject || opts.canRefuseReject) return refuse();
    if (envelope.from === '') {
      log.info({ reason: reject.reason }, 'Sieve: reject of a message from the null sender: dropped without an MDN (RFC 5429 section 2.1)');
      return { kind: 'stored', copies: [], script, disposition: 'rejected by Sieve' };
    }
    // The sender must learn of the rejection: when the MDN cannot go out, refuse instead.
    if (!(await send('reject MDN', '', envelope.from, reject.mdn))) return refuse();
    return { kind: 'stored', copies: [], script, disposition: 'rejected by Sieve (MDN sent)' };
  }

  // Redirects first: one that cannot be sent makes the default mailbox keep the message below.
  let unsentRedirect = false;
  const redirected: string[] = [];
  for (const a of result.actions) {
    if (a.type !== 'redirect') continue;
    if (hasDeliveredTo(body, envelope.to)) {
      log.warn(`Sieve: redirect to ${a.address} not done: the message already has "Delivered-To: ${envelope.to}" (a forwarding loop)`);
      if (!a.copy) unsentRedirect = true;
      continue;
    }
    // The message as received, with Delivered-To for the next hop's loop detection; the original envelope sender (RFC 5228 section 4.2).
    const ok = await send('redirect', envelope.from, a.address, addTraceFields(body, { deliveredTo: envelope.to }));
    if (ok) redirected.push(a.address);
    else if (!a.copy) unsentRedirect = true;
  }

  for (const a of result.actions) {
    if (a.type !== 'vacation') continue;
    const key = `vacation:${a.handle}:${a.to.toLowerCase()}`;
    if (await store.sieveSeen(accountId, key, now)) {
      log.info(`Sieve: vacation not sent: ${a.to} was answered within ${a.seconds} s`);
      continue;
    }
    if (await send('vacation reply', '', a.to, a.reply)) await store.sieveRecord(accountId, key, now + a.seconds * 1000);
  }

  // keep and fileinto: one copy per distinct mailbox.
  const fallback = await folderFor(store, recipient.account, recipient.detail);
  const targets = new Map<string, Target>();
  const target = (name: string, flags: readonly string[], create: boolean): void => {
    const dropped: string[] = [];
    const ok = storableFlags(flags, dropped);
    if (dropped.length > 0) log.warn(`Sieve: flags that are not IMAP flags left out: ${dropped.join(' ')}`);
    const t = targets.get(name) ?? { flags: new Set<string>(), create: false };
    for (const f of ok) t.flags.add(f);
    t.create ||= create;
    targets.set(name, t);
  };
  for (const a of result.actions) {
    if (a.type === 'keep') target(fallback, a.flags, false);
    else if (a.type === 'fileinto') {
      let name: string;
      try {
        name = checkedMailboxName(a.mailbox);
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        log.warn(`Sieve: fileinto "${a.mailbox}": ${err.message}; filed into ${fallback} instead`);
        target(fallback, a.flags, false);
        continue;
      }
      if (!a.create && (await store.getMailbox(accountId, name)) === null) {
        log.warn(`Sieve: fileinto "${a.mailbox}": no such mailbox (and no :create); filed into ${fallback} instead`);
        target(fallback, a.flags, false);
      } else target(name, a.flags, a.create);
    } else if (a.type === 'discard') log.info('Sieve: discarded');
  }
  if (targets.size === 0 && unsentRedirect) target(fallback, [], false);

  const copies: StoredCopy[] = [];
  for (const [name, t] of targets) {
    const message = { raw, flags: [...t.flags], internalDate: now };
    try {
      const { uids, mailbox } = await deliver(store, recipient.account, name, [message], { create: t.create });
      copies.push({ mailbox, uid: uids[0]! });
    } catch (err) {
      // Deleted between the check and the append: INBOX, as deliverLocal does.
      if (!(err instanceof StoreError && err.kind === 'NONEXISTENT') || name === INBOX) throw err;
      const { uids, mailbox } = await deliver(store, recipient.account, INBOX, [message], { create: false });
      copies.push({ mailbox, uid: uids[0]! });
    }
  }
  await recordDuplicates();
  const parts: string[] = [];
  if (copies.length > 0) parts.push(`delivered to ${copies.map((c) => c.mailbox).join(', ')}`);
  if (redirected.length > 0) parts.push(`redirected by Sieve`);
  if (parts.length === 0) parts.push(result.actions.some((a) => a.type === 'discard') ? 'discarded by Sieve' : 'not stored (Sieve)');
  return { kind: 'stored', copies, script, disposition: parts.join(', ') };
}

/** hasDeliveredTo tells whether the header of `body` already has a Delivered-To field naming `address` (case-insensitive). */
function hasDeliveredTo(body: Buffer, address: string): boolean {
  const end = body.indexOf('\r\n\r\n');
  const header = body.subarray(0, end < 0 ? body.length : end).toString('latin1');
  const wanted = address.toLowerCase();
  return header.split('\r\n').some((line) => /^delivered-to:/i.test(line) && line.slice(line.indexOf(':') + 1).trim().replace(/^<|>$/g, '').toLowerCase() === wanted);
}
