/**
 * The tests (RFC 5228 section 5; envelope 5.4; imap4flags hasflag, RFC 5232 section 4; variables string,
 * RFC 5229 section 5; body, RFC 5173; mailboxexists, RFC 5490 section 3.1; date and currentdate, RFC 5260;
 * :index, RFC 5260 section 6; duplicate, RFC 7352).
 */
import { createHash } from 'node:crypto';
import type { Node } from './check.js';
import { matchSpecOf, str, strs, tagString, type RunContext, type Scope } from './context.js';
import { matchValues } from './match.js';
import { addressPart, parseAddresses, splitAddress } from './message.js';
import { datePart, localZone, parseDateTime, parseZone } from './dates.js';
import { parseFlags } from './variables.js';
import { lookupVariable } from './context.js';

/** DUPLICATE_DEFAULT_SECONDS is how long a duplicate key is kept when :seconds is absent (RFC 7352 section 3.3 leaves it to the implementation): 7 days. */
export const DUPLICATE_DEFAULT_SECONDS = 7 * 86_400;
/** DUPLICATE_MAX_SECONDS caps :seconds: 90 days. */
export const DUPLICATE_MAX_SECONDS = 90 * 86_400;

/** evalTest evaluates one test node. Short-circuits anyof/allof (RFC 5228 section 5.2, 5.3). Throws SieveRuntimeError. */
export async function evalTest(run: RunContext, scope: Scope, t: Node): Promise<boolean> {
  run.tick();
  switch (t.name) {
    case 'true': return true;
    case 'false': return false;
    case 'not': return !(await evalTest(run, scope, t.tests[0]!));
    case 'anyof':
      for (const sub of t.tests) if (await evalTest(run, scope, sub)) return true;
      return false;
    case 'allof':
      for (const sub of t.tests) if (!(await evalTest(run, scope, sub))) return false;
      return true;
    case 'exists':
      return strs(run, scope, t.pos[0]!).every((h) => run.msg.has(h));
    case 'size': {
      const n = t.pos[0]!.kind === 'number' ? t.pos[0]!.value : 0;
      return t.tags.has('over') ? run.msg.size > n : run.msg.size < n;
    }
    case 'header': {
      const values = strs(run, scope, t.pos[0]!).flatMap((h) => indexed(t, run.msg.headerValues(h)));
      return match(scope, t, values, strs(run, scope, t.pos[1]!));
    }
    case 'address': {
      const part = addressPartOf(t);
      const values: string[] = [];
      for (const h of strs(run, scope, t.pos[0]!)) {
        for (const field of indexed(t, run.msg.rawValues(h))) {
          for (const a of parseAddresses(field)) {
            const v = addressPart(a, part);
            if (v !== null) values.push(v);
          }
        }
      }
      return match(scope, t, values, strs(run, scope, t.pos[1]!));
    }
    case 'envelope': {
      const part = addressPartOf(t);
      const values: string[] = [];
      for (const p of strs(run, scope, t.pos[0]!)) {
        const which = p.toLowerCase();
        const env = run.message.envelope;
        const raw = which === 'from' ? env.from : which === 'to' ? env.to : which === 'auth' ? env.auth : undefined;
        if (raw === undefined) continue;
        // The null reverse-path <> is the empty address (RFC 5228 section 5.4).
        const a = splitAddress(raw.replace(/^<|>$/g, ''));
        const v = raw === '' ? (part === 'detail' ? null : '') : addressPart(a, part);
        if (v !== null) values.push(v);
      }
      return match(scope, t, values, strs(run, scope, t.pos[1]!));
    }
    case 'hasflag': {
      const flags = t.pos.length === 2
        ? parseFlags(strs(run, scope, t.pos[0]!).map((v) => lookupVariable(run, scope, v.toLowerCase())))
        : run.flags;
      const spec = matchSpecOf(t);
      const keys = strs(run, scope, t.pos[t.pos.length - 1]!);
      return match(scope, t, flags, spec.type === 'count' ? keys : parseFlags(keys));
    }
    case 'string': {
      let values = strs(run, scope, t.pos[0]!);
      // RFC 5229 section 5: with :count, empty strings are not counted.
      if (matchSpecOf(t).type === 'count') values = values.filter((v) => v !== '');
      return match(scope, t, values, strs(run, scope, t.pos[1]!));
    }
    case 'body': {
      let values: string[];
      if (t.tags.has('raw')) values = [run.msg.bodyRaw()];
      else if (t.tags.has('content')) values = run.msg.bodyContent(strs(run, scope, t.tags.get('content')!));
      else values = run.msg.bodyContent(['text']);
      return match(scope, t, values, strs(run, scope, t.pos[0]!));
    }
    case 'mailboxexists':
      for (const name of strs(run, scope, t.pos[0]!)) {
        if (!(await run.ask(() => run.env.mailboxExists(name)))) return false;
      }
      return true;
    case 'date':
    case 'currentdate':
      return dateTest(run, scope, t);
    case 'duplicate':
      return duplicateTest(run, scope, t);
    default:
      return false;
  }
}

function match(scope: Scope, t: Node, values: string[], keys: string[]): boolean {
  const spec = matchSpecOf(t);
  const r = matchValues(values, keys, spec);
  if (r === null) return false;
  if (spec.type === 'matches' && scope.variables) scope.match = r;
  return true;
}

function addressPartOf(t: Node): string {
  for (const p of ['localpart', 'domain', 'user', 'detail']) if (t.tags.has(p)) return p;
  return 'all';
}

/** indexed applies :index/:last (RFC 5260 section 6): the nth field counted from the top, or from the bottom with :last. */
function indexed<T>(t: Node, fields: T[]): T[] {
  const idx = t.tags.get('index');
  if (idx === undefined || idx === null || idx.kind !== 'number') return fields;
  const i = t.tags.has('last') ? fields.length - idx.value : idx.value - 1;
  return i >= 0 && i < fields.length ? [fields[i]!] : [];
}

function dateTest(run: RunContext, scope: Scope, t: Node): boolean {
  const current = t.name === 'currentdate';
  const part = str(run, scope, t.pos[current ? 0 : 1]!).toLowerCase();
  const keys = strs(run, scope, t.pos[current ? 1 : 2]!);
  const zoneArg = tagString(run, scope, t, 'zone');
  const fixed = zoneArg !== null ? parseZone(zoneArg) : null;
  if (zoneArg !== null && fixed === null) return false;
  const instants: { ms: number; zone: number }[] = [];
  if (current) {
    instants.push({ ms: run.message.now, zone: 0 });
  } else {
    const name = str(run, scope, t.pos[0]!).toLowerCase();
    for (const v of indexed(t, run.msg.headerValues(name))) {
      // A Received field's date-time follows its last ";" (RFC 5322 section 3.6.7).
      const text = name === 'received' ? v.slice(v.lastIndexOf(';') + 1) : v;
      const d = parseDateTime(text);
      if (d !== null) instants.push(d);
    }
  }
  const values: string[] = [];
  for (const d of instants) {
    const zone = fixed ?? (t.tags.has('originalzone') && !current ? d.zone : userZone(run, d.ms));
    const v = datePart(d.ms, zone, part);
    if (v !== null) values.push(v);
  }
  return match(scope, t, values, keys);
}

function userZone(run: RunContext, ms: number): number {
  const z = run.env.timeZone !== undefined ? parseZone(run.env.timeZone) : null;
  return z ?? localZone(ms);
}

async function duplicateTest(run: RunContext, scope: Scope, t: Node): Promise<boolean> {
  const handle = tagString(run, scope, t, 'handle') ?? '';
  const unique = tagString(run, scope, t, 'uniqueid');
  const header = tagString(run, scope, t, 'header');
  let value: string | undefined;
  if (unique !== null) value = unique;
  else value = run.msg.headerValues(header ?? 'message-id')[0]?.trim();
  // No value to track (no Message-ID): never a duplicate (RFC 7352 section 3.1).
  if (value === undefined || value === '') return false;
  const secondsArg = t.tags.get('seconds');
  const seconds = Math.min(secondsArg?.kind === 'number' ? secondsArg.value : DUPLICATE_DEFAULT_SECONDS, DUPLICATE_MAX_SECONDS);
  const kind = unique !== null ? 'uniqueid' : `header:${(header ?? 'message-id').toLowerCase()}`;
  const key = createHash('sha256').update(`${handle}\0${kind}\0${value}`).digest('hex');
  const seen = await run.ask(() => run.env.duplicateSeen(key, run.message.now));
  // Without :last the first delivery's time counts, so a seen key is not recorded again (RFC 7352 section 3.4).
  if ((!seen || t.tags.has('last')) && !run.duplicates.some((d) => d.key === key)) run.duplicates.push({ key, seconds });
  return seen;
}
