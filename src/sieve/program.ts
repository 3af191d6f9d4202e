/**
 * Program: a compiled script (parse.ts, then check.ts) with the options it was compiled under, so that
 * scripts it includes at run time (RFC 6609) are compiled the same way.
 */
import { DEFAULT_SIEVE_LIMITS, SieveCompileError, type CompileOptions, type CompiledScript, type SieveExtension } from './types.js';
import { parseScript } from './parse.js';
import { checkScript, type Node } from './check.js';

/** Program is the CompiledScript that compileProgram returns: the checked tree and its options. */
export class Program implements CompiledScript {
  constructor(
    readonly requires: readonly SieveExtension[],
    readonly nodes: readonly Node[],
    readonly options: CompileOptions,
  ) {}
}

/** compileProgram parses and checks `source` (RFC 5228 section 8; size limit maxScriptOctets). Throws SieveCompileError. */
export function compileProgram(source: string, options: CompileOptions): Program {
  const limit = options.limits?.maxScriptOctets ?? DEFAULT_SIEVE_LIMITS.maxScriptOctets;
  if (Buffer.byteLength(source) > limit) throw new SieveCompileError(`script is larger than ${limit} octets`, 1, 1);
  const { nodes, requires } = checkScript(parseScript(source), { outgoing: options.outgoing });
  return new Program(requires, nodes, options);
}
