/**
 * What tests and commands share during one run: the message, the environment, the scope of the script
 * being run (its variables, RFC 5229; its globals, RFC 6609 section 3.3) and the run's clock (the CPU
 * budget, SieveLimits.maxCpuMs).
 */
import type { SieveArgument } from './parse.js';
import type { Node } from './check.js';
import type { Program } from './program.js';
import type { MessageView } from './message.js';
import type { SieveEnvironment, SieveLimits, SieveMessage } from './types.js';
import { listOf } from './check.js';
import { expandVariables } from './variables.js';
import type { MatchSpec } from './match.js';

/** Scope is one script's variables (RFC 5229) while it runs; included scripts get their own (RFC 6609 section 3.3). */
export interface Scope {
  program: Program;
  /** Whether the script required "variables" (strings are expanded only then). */
  variables: boolean;
  vars: Map<string, string>;
  /** Names this script declared with "global". */
  globalNames: Set<string>;
  /** Match variables ${0}..${9} of the last successful :matches (RFC 5229 section 3.2). */
  match: string[];
}

/** RunContext is the run state that tests read. */
export interface RunContext {
  readonly msg: MessageView;
  readonly message: SieveMessage;
  readonly env: SieveEnvironment;
  readonly limits: SieveLimits;
  /** The imap4flags internal variable (RFC 5232 section 3). */
  flags: string[];
  /** Duplicate keys to record (RFC 7352). */
  readonly duplicates: { key: string; seconds: number }[];
  readonly log: string[];
  readonly globals: Map<string, string>;
  /** tick checks the CPU budget; called at each command and test. Throws SieveRuntimeError. */
  tick(): void;
  /** ask awaits an environment call, whose time does not count against the CPU budget. */
  ask<T>(call: () => Promise<T>): Promise<T>;
}

/** lookupVariable reads a variable of `scope` (RFC 5229 section 3; "global.x" and declared globals from RFC 6609 section 3.4/3.5). */
export function lookupVariable(run: RunContext, scope: Scope, name: string): string {
  if (/^[0-9]+$/.test(name)) return scope.match[Number(name)] ?? '';
  if (name.startsWith('global.')) return run.globals.get(name.slice(7)) ?? '';
  if (scope.globalNames.has(name)) return run.globals.get(name) ?? '';
  return scope.vars.get(name) ?? '';
}

/** assignVariable sets a variable of `scope` (RFC 5229 section 4), a global when declared or named "global.x". */
export function assignVariable(run: RunContext, scope: Scope, name: string, value: string): void {
  const n = name.toLowerCase();
  if (n.startsWith('global.')) run.globals.set(n.slice(7), value);
  else if (scope.globalNames.has(n)) run.globals.set(n, value);
  else scope.vars.set(n, value);
}

/** str is a string argument's value, with variables expanded when the script uses them. */
export function str(run: RunContext, scope: Scope, arg: SieveArgument): string {
  const v = arg.kind === 'string' ? arg.value : listOf(arg).join('');
  return scope.variables ? expandVariables(v, (n) => lookupVariable(run, scope, n)) : v;
}

/** strs is a string-list argument's values, each expanded. */
export function strs(run: RunContext, scope: Scope, arg: SieveArgument): string[] {
  const vs = listOf(arg);
  return scope.variables ? vs.map((v) => expandVariables(v, (n) => lookupVariable(run, scope, n))) : vs;
}

/** tagString is a tag's string argument, expanded, or null when the tag is absent. */
export function tagString(run: RunContext, scope: Scope, node: Node, tag: string): string | null {
  const a = node.tags.get(tag);
  return a === undefined || a === null ? null : str(run, scope, a);
}

/** matchSpecOf reads a test's comparator and match type (RFC 5228 section 2.7: defaults i;ascii-casemap and :is). */
export function matchSpecOf(node: Node): MatchSpec {
  const cmp = node.tags.get('comparator');
  const comparator = cmp?.kind === 'string' ? cmp.value.toLowerCase() : 'i;ascii-casemap';
  for (const type of ['contains', 'matches', 'count', 'value'] as const) {
    if (node.tags.has(type)) {
      const rel = node.tags.get(type);
      return { comparator, type, relation: rel?.kind === 'string' ? rel.value.toLowerCase() : '' };
    }
  }
  return { comparator, type: 'is', relation: '' };
}
