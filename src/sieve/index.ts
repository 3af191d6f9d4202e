/**
 * The Sieve interpreter's entry points (contract in types.ts).
 *
 * PLACEHOLDER until the interpreter lands: compileSieve accepts any script under the size limit and
 * runSieve yields the implicit keep. Replaced by the real parser and interpreter.
 */
import { DEFAULT_SIEVE_LIMITS, SieveCompileError, type CompileOptions, type CompiledScript, type SieveEnvironment, type SieveMessage, type SieveResult } from './types.js';

export * from './types.js';

/** compileSieve parses and checks `source` (RFC 5228 section 8 grammar). Throws SieveCompileError with the 1-based line and column. */
export function compileSieve(source: string, opts: CompileOptions): CompiledScript {
  const limit = opts.limits?.maxScriptOctets ?? DEFAULT_SIEVE_LIMITS.maxScriptOctets;
  if (Buffer.byteLength(source) > limit) throw new SieveCompileError(`script is larger than ${limit} octets`, 1, 1);
  return { requires: [] };
}

/** runSieve runs `script` on `message`. Throws SieveRuntimeError; the caller then keeps the message in INBOX. */
export async function runSieve(_script: CompiledScript, _message: SieveMessage, _env: SieveEnvironment): Promise<SieveResult> {
  return { actions: [{ type: 'keep', flags: [] }], duplicates: [], log: [] };
}
