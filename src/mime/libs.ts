/**
 * The charset and encoded-word libraries, loaded on first use: a message that is ASCII or UTF-8 throughout
 * and has no RFC 2047 encoded-words never loads them, which keeps `letterbox deliver` (one process per
 * message) quick. Each function returns the library's module object, as `import x from '...'` would.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let iconvLite: typeof import('iconv-lite') | null = null;
let japanese: typeof import('encoding-japanese') | null = null;
let libmimeLib: (typeof import('libmime'))['default'] | null = null;

/** iconv is iconv-lite (charset decoding). */
export function iconv(): typeof import('iconv-lite') {
  return (iconvLite ??= require('iconv-lite') as typeof import('iconv-lite'));
}

/** encodingJapanese is encoding-japanese (ISO-2022-JP and friends, which iconv-lite does not decode). */
export function encodingJapanese(): typeof import('encoding-japanese') {
  return (japanese ??= require('encoding-japanese') as typeof import('encoding-japanese'));
}

/** libmime is libmime (RFC 2047 encoded-words). */
export function libmime(): (typeof import('libmime'))['default'] {
  return (libmimeLib ??= require('libmime') as (typeof import('libmime'))['default']);
}
