/**
 * The interpreter core: runs a Program's commands (RFC 5228 sections 3 and 4 and the extensions' actions)
 * and collects the actions, with the implicit keep (section 2.10.2), the suppression of identical actions
 * (section 2.10.3), the rules on incompatible actions (RFC 5429 section 2.4, RFC 5230 section 4.7), the
 * run's limits (SieveLimits) and include (RFC 6609).
 */
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { DEFAULT_SIEVE_LIMITS, SieveCompileError, SieveRuntimeError, type SieveAction, type SieveEnvironment, type SieveLimits, type SieveMessage, type SieveResult } from './types.js';
import type { Node } from './check.js';
import { listOf } from './check.js';
import { compileProgram, type Program } from './program.js';
import { MessageView, parseAddresses } from './message.js';
import { assignVariable, lookupVariable, str, strs, tagString, type RunContext, type Scope } from './context.js';
import { evalTest } from './tests.js';
import { addFlags, applyModifiers, parseFlags, removeFlags } from './variables.js';
import { buildRejectMdn, buildVacationReply, extractAddress, vacationSkipReason } from './reply.js';

/** Vacation :days bounds (RFC 5230 section 4.1: the implementation sets a minimum and maximum), in days. */
const VACATION_MIN_DAYS = 1;
const VACATION_MAX_DAYS = 90;
/** vacation-seconds bounds (RFC 6131 section 2): 0 (reply every time) to the :days maximum. */
const VACATION_MAX_SECONDS = VACATION_MAX_DAYS * 86_400;

/** Stop ends the whole run (stop, RFC 5228 section 3.3); Return ends the current script (return, RFC 6609 section 3.4). */
class Stop {}
class Return {}

/** Run is one run of a script over one message. */
class Run implements RunContext {
  readonly msg: MessageView;
  flags: string[] = [];
  readonly duplicates: { key: string; seconds: number }[] = [];
  readonly log: string[] = [];
  readonly globals = new Map<string, string>();
  readonly actions: SieveAction[] = [];
  private keepCancelled = false;
  private redirects = 0;
  private vacationExecuted = false;
  private readonly started = performance.now();
  private waited = 0;
  private readonly includeStack: string[] = [];
  private readonly included = new Set<string>();
  private readonly loaded = new Map<string, Program | null>();

  constructor(
    readonly message: SieveMessage,
    readonly env: SieveEnvironment,
    readonly limits: SieveLimits,
  ) {
    this.msg = new MessageView(message.raw);
  }

  tick(): void {
    const spent = performance.now() - this.started - this.waited;
    if (spent > this.limits.maxCpuMs) throw new SieveRuntimeError(`script used more than ${this.limits.maxCpuMs} ms of CPU`);
  }

  async ask<T>(call: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await call();
    } finally {
      this.waited += performance.now() - t0;
    }
  }

  async run(program: Program): Promise<SieveResult> {
    try {
      await this.script(program);
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
    }
    if (!this.keepCancelled) this.add({ type: 'keep', flags: [...this.flags] }, true);
    return { actions: this.actions, duplicates: this.duplicates, log: this.log };
  }

  private async script(program: Program): Promise<void> {
    const scope: Scope = { program, variables: program.requires.includes('variables'), vars: new Map(), globalNames: new Set(), match: [] };
    try {
      await this.block(program.nodes, scope);
    } catch (e) {
      if (!(e instanceof Return)) throw e;
    }
  }

  private async block(nodes: readonly Node[], scope: Scope): Promise<void> {
    let chainDone = true;
    for (const n of nodes) {
      this.tick();
      switch (n.name) {
        case 'if':
          chainDone = await evalTest(this, scope, n.tests[0]!);
          if (chainDone) await this.block(n.block!, scope);
          break;
        case 'elsif':
          if (chainDone) break;
          chainDone = await evalTest(this, scope, n.tests[0]!);
          if (chainDone) await this.block(n.block!, scope);
          break;
        case 'else':
          if (!chainDone) await this.block(n.block!, scope);
          chainDone = true;
          break;
        default:
          await this.command(n, scope);
      }
    }
  }

  private async command(n: Node, scope: Scope): Promise<void> {
    switch (n.name) {
      case 'stop':
        throw new Stop();
      case 'return':
        throw new Return();
      case 'keep':
        this.keepCancelled = true;
        this.add({ type: 'keep', flags: this.flagsOf(n, scope) });
        return;
      case 'discard':
        this.keepCancelled = true;
        this.add({ type: 'discard' });
        return;
      case 'fileinto': {
        const copy = n.tags.has('copy');
        if (!copy) this.keepCancelled = true;
        this.add({ type: 'fileinto', mailbox: str(this, scope, n.pos[0]!), flags: this.flagsOf(n, scope), create: n.tags.has('create'), copy });
        return;
      }
      case 'redirect': {
        const address = extractAddress(str(this, scope, n.pos[0]!));
        if (!/^[^@\s<>]+@[^@\s<>]+$/.test(address)) throw new SieveRuntimeError(`redirect to "${address}", which is not an address`);
        const copy = n.tags.has('copy');
        if (!copy) this.keepCancelled = true;
        this.add({ type: 'redirect', address, copy });
        return;
      }
      case 'reject':
      case 'ereject': {
        this.keepCancelled = true;
        const reason = str(this, scope, n.pos[0]!);
        const to = this.message.envelope.from;
        // No MDN goes to the null sender (RFC 5429 section 2.2.1); the delivery then refuses in LMTP or drops.
        const mdn = to === '' ? Buffer.alloc(0) : buildRejectMdn(this.msg, { reason, recipient: this.message.envelope.to, to, now: this.message.now });
        this.add({ type: 'reject', reason, ereject: n.name === 'ereject', mdn });
        return;
      }
      case 'vacation':
        return this.vacation(n, scope);
      case 'setflag':
      case 'addflag':
      case 'removeflag':
        return this.flagCommand(n, scope);
      case 'set': {
        const mods = new Set([...n.tags.keys()]);
        assignVariable(this, scope, n.pos[0]!.kind === 'string' ? n.pos[0]!.value : '', applyModifiers(str(this, scope, n.pos[1]!), mods));
        return;
      }
      case 'global':
        for (const v of listOf(n.pos[0]!)) scope.globalNames.add(v.toLowerCase());
        return;
      case 'include':
        return this.include(n, scope);
      default:
        throw new SieveRuntimeError(`line ${n.line}: ${n.name} is not implemented`);
    }
  }

  /** flagsOf is a keep/fileinto's flags: :flags, else the internal variable (RFC 5232 section 5). */
  private flagsOf(n: Node, scope: Scope): string[] {
    const f = n.tags.get('flags');
    return f !== undefined && f !== null ? parseFlags(strs(this, scope, f)) : [...this.flags];
  }

  private flagCommand(n: Node, scope: Scope): void {
    const list = strs(this, scope, n.pos[n.pos.length - 1]!);
    const variable = n.pos.length === 2 ? str(this, scope, n.pos[0]!).toLowerCase() : null;
    const current = variable === null ? this.flags : parseFlags([lookupVariable(this, scope, variable)]);
    const next = n.name === 'setflag' ? parseFlags(list) : n.name === 'addflag' ? addFlags(current, list) : removeFlags(current, list);
    if (variable === null) this.flags = next;
    else assignVariable(this, scope, variable, next.join(' '));
  }

  private vacation(n: Node, scope: Scope): void {
    if (this.vacationExecuted) throw new SieveRuntimeError(`line ${n.line}: vacation may be executed only once (RFC 5230 section 4.7)`);
    this.vacationExecuted = true;
    const reason = str(this, scope, n.pos[0]!);
    const subjectArg = tagString(this, scope, n, 'subject');
    const fromArg = tagString(this, scope, n, 'from');
    const addresses = n.tags.get('addresses');
    const mine = [...this.env.userAddresses, this.message.envelope.to, ...(addresses ? strs(this, scope, addresses) : []).flatMap((a) => parseAddresses(a).map((p) => p.all))];
    const skip = vacationSkipReason(this.msg, this.message.envelope, mine);
    if (skip !== null) {
      this.log.push(`vacation not sent: ${skip}`);
      return;
    }
    const days = n.tags.get('days');
    const secs = n.tags.get('seconds');
    let seconds = 7 * 86_400;
    if (secs?.kind === 'number') seconds = Math.min(secs.value, VACATION_MAX_SECONDS);
    else if (days?.kind === 'number') seconds = Math.min(Math.max(days.value, VACATION_MIN_DAYS), VACATION_MAX_DAYS) * 86_400;
    // The default handle is made of the arguments before variable expansion (RFC 5230 section 4.2).
    const raw = (tag: string): string => {
      const a = n.tags.get(tag);
      return a === undefined ? '' : a === null ? 'yes' : listOf(a).join('\0');
    };
    const handle = tagString(this, scope, n, 'handle')
      ?? createHash('sha256').update([listOf(n.pos[0]!).join(''), raw('subject'), raw('from'), raw('mime')].join('\u0001')).digest('hex').slice(0, 32);
    const from = fromArg ?? this.message.envelope.to;
    const original = this.msg.headerValues('subject')[0] ?? '';
    const subject = subjectArg ?? `Auto: ${original}`;
    const to = this.message.envelope.from;
    const reply = buildVacationReply(this.msg, { from, to, subject, reason, mime: n.tags.has('mime'), now: this.message.now });
    this.add({ type: 'vacation', to, from: extractAddress(from), handle, seconds, reply });
  }

  private async include(n: Node, scope: Scope): Promise<void> {
    const location = n.tags.has('global') ? 'global' : 'personal';
    const name = str(this, scope, n.pos[0]!);
    const id = `${location}:${name}`;
    if (n.tags.has('once') && this.included.has(id)) return;
    if (this.includeStack.includes(id)) throw new SieveRuntimeError(`include loop: ${[...this.includeStack, id].join(' -> ')}`);
    if (this.includeStack.length >= this.limits.maxIncludeDepth) throw new SieveRuntimeError(`includes nested deeper than ${this.limits.maxIncludeDepth} at ${id}`);
    const program = await this.load(id, name, location, scope.program);
    if (program === null) {
      if (n.tags.has('optional')) return;
      throw new SieveRuntimeError(`include: no ${location} script "${name}"`);
    }
    this.included.add(id);
    this.includeStack.push(id);
    try {
      await this.script(program);
    } finally {
      this.includeStack.pop();
    }
  }

  private async load(id: string, name: string, location: 'personal' | 'global', parent: Program): Promise<Program | null> {
    if (this.loaded.has(id)) return this.loaded.get(id)!;
    const source = await this.ask(() => this.env.loadScript(name, location));
    let program: Program | null = null;
    if (source !== null) {
      try {
        program = compileProgram(source, parent.options);
      } catch (e) {
        if (e instanceof SieveCompileError) throw new SieveRuntimeError(`include ${id}: line ${e.line}: ${e.message}`);
        throw e;
      }
    }
    this.loaded.set(id, program);
    return program;
  }

  /**
   * add records an action: identical ones are taken once (RFC 5228 section 2.10.3; keep and fileinto "INBOX"
   * are the same), reject excludes delivery and vacation (RFC 5429 section 2.4), and the action limits hold.
   */
  private add(a: SieveAction, implicit = false): void {
    const kinds = new Set(this.actions.map((x) => x.type));
    const delivers = (t: string): boolean => t === 'keep' || t === 'fileinto' || t === 'redirect' || t === 'vacation';
    if (a.type === 'reject' && (kinds.has('reject') || [...kinds].some(delivers))) {
      throw new SieveRuntimeError(`${a.ereject ? 'ereject' : 'reject'} cannot be combined with ${kinds.has('reject') ? 'another reject' : [...kinds].filter(delivers).join(', ')} (RFC 5429 section 2.4)`);
    }
    if (kinds.has('reject') && !implicit && delivers(a.type)) throw new SieveRuntimeError(`${a.type} cannot be combined with reject (RFC 5429 section 2.4)`);
    const same = this.actions.find((x) => sameTarget(x, a));
    if (same !== undefined) {
      if ((same.type === 'keep' || same.type === 'fileinto') && (a.type === 'keep' || a.type === 'fileinto')) {
        same.flags.splice(0, same.flags.length, ...addFlags(same.flags, a.flags));
        if (same.type === 'fileinto' && a.type === 'fileinto') same.create ||= a.create;
      }
      if (!implicit) this.log.push(`${describe(a)} already taken: done once`);
      return;
    }
    if (this.actions.length >= this.limits.maxActions && !implicit) throw new SieveRuntimeError(`more than ${this.limits.maxActions} actions`);
    if (a.type === 'redirect' && ++this.redirects > this.limits.maxRedirects) throw new SieveRuntimeError(`more than ${this.limits.maxRedirects} redirects`);
    this.actions.push(a);
  }
}

function target(a: SieveAction): string {
  switch (a.type) {
    case 'keep': return 'mailbox:inbox';
    case 'fileinto': return a.mailbox.toLowerCase() === 'inbox' ? 'mailbox:inbox' : `mailbox:${a.mailbox}`;
    case 'redirect': return `redirect:${a.address.toLowerCase()}`;
    default: return a.type;
  }
}

function sameTarget(x: SieveAction, a: SieveAction): boolean {
  return target(x) === target(a) && a.type !== 'vacation' && a.type !== 'reject';
}

function describe(a: SieveAction): string {
  switch (a.type) {
    case 'fileinto': return `fileinto "${a.mailbox}"`;
    case 'redirect': return `redirect to ${a.address}`;
    default: return a.type;
  }
}

/** interpret runs `program` on `message` (RFC 5228 section 2.10). Throws SieveRuntimeError; the delivery then keeps the message. */
export async function interpret(program: Program, message: SieveMessage, env: SieveEnvironment, limits?: Partial<SieveLimits>): Promise<SieveResult> {
  const all: SieveLimits = { ...DEFAULT_SIEVE_LIMITS, ...program.options.limits, ...limits };
  return new Run(message, env, all).run(program);
}
