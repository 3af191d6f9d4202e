/**
 * The Sieve interpreter's entry points (RFC 5228 and the extensions in SIEVE_EXTENSIONS; contract in
 * types.ts): compileSieve for ManageSieve's PUTSCRIPT/CHECKSCRIPT and for delivery, runSieve for delivery.
 *
 * Imports (src/sieve): src/mime/ (header and MIME parsing, RFC 2047 and charset decoding), src/limits.ts,
 * libmime, iconv-lite and nodemailer's addressparser only; never store/, delivery/, the protocol servers
 * or cli/ (eslint.config.js holds it). The interpreter is pure: it asks SieveEnvironment about the world
 * and returns actions; the delivery carries them out.
 *
 * Files: parse.ts (lexer and parser), grammar.ts (commands and tests as data), check.ts (the checker),
 * program.ts (compile), interpret.ts (commands, actions, include), tests.ts (tests), match.ts
 * (comparators and match types), message.ts (the message as tests see it), variables.ts, dates.ts,
 * reply.ts (vacation reply and reject MDN), context.ts (run state shared by commands and tests).
 */
import { SieveRuntimeError, type CompileOptions, type CompiledScript, type SieveEnvironment, type SieveLimits, type SieveMessage, type SieveResult } from './types.js';
import { compileProgram, Program } from './program.js';
import { interpret } from './interpret.js';

export * from './types.js';

/**
 * compileSieve parses and checks `source` (RFC 5228 section 8 grammar, section 3.2 require, each
 * extension's syntax). Scripts larger than limits.maxScriptOctets are refused; with `outgoing: false`,
 * redirect and vacation are refused with a message saying a relay must be configured. Throws
 * SieveCompileError with the 1-based line and column of the offending token.
 */
export function compileSieve(source: string, opts: CompileOptions): CompiledScript {
  return compileProgram(source, opts);
}

/**
 * runSieve runs `script` (from compileSieve) on `message` and returns its actions, implicit keep included
 * (RFC 5228 section 2.10.2). `opts.limits` override the limits given at compile time. Throws
 * SieveRuntimeError (CPU, action or redirect limits, a missing or looping include, incompatible actions);
 * the caller then keeps the message in INBOX.
 */
export async function runSieve(
  script: CompiledScript,
  message: SieveMessage,
  env: SieveEnvironment,
  opts?: { limits?: Partial<SieveLimits> },
): Promise<SieveResult> {
  if (!(script instanceof Program)) throw new SieveRuntimeError('runSieve needs a script from compileSieve');
  return interpret(script, message, env, opts?.limits);
}
