/**
 * Password hashing: argon2id (RFC 9106) through @node-rs/argon2, stored as a PHC string
 * (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`) in Account.passwordHash.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let argon2: typeof import('@node-rs/argon2') | null = null;

/** lib loads the argon2 native module on the first hash or check: a server holds it only once someone logs in (about 9 MiB). */
function lib(): typeof import('@node-rs/argon2') {
  return (argon2 ??= require('@node-rs/argon2') as typeof import('@node-rs/argon2'));
}

/**
 * HASH_OPTIONS are the argon2id parameters for new hashes: 19 MiB of memory, 2 passes, 1 lane: OWASP's
 * first recommended argon2id setting, a few to tens of milliseconds per hash. Verification reads the
 * parameters from the stored hash, so raising these later keeps old hashes working.
 * `algorithm: 2` is Algorithm.Argon2id (a const enum, which tsx cannot inline).
 */
const HASH_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

/**
 * DUMMY_HASH is an argon2id hash (same parameters as HASH_OPTIONS) of a random string nobody knows;
 * verifyOrDummy checks against it when the user does not exist, so a failed login costs the same time
 * for an unknown user as for a known one (no user enumeration by timing).
 */
export const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$DLnPfnSb9/U8Ey/Xa0h44Q$iU2O1CTvz3Iitun23JOwoH9winBJ/r3ZInkELhmxARs';

/**
 * hashPassword returns the argon2id PHC string for `password` (UTF-8), with a fresh random 16-byte salt.
 * Throws only if the hashing library fails (out of memory).
 */
export async function hashPassword(password: string): Promise<string> {
  return lib().hash(password, HASH_OPTIONS);
}

/**
 * verifyPassword reports whether `password` matches the PHC string `passwordHash`. Never throws:
 * a malformed or unsupported hash gives false.
 */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await lib().verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * verifyOrDummy is verifyPassword for a login: with `passwordHash` null (no such user) it verifies against
 * DUMMY_HASH, spending the same time, and returns false.
 */
export async function verifyOrDummy(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    await verifyPassword(DUMMY_HASH, password);
    return false;
  }
  return verifyPassword(passwordHash, password);
}
