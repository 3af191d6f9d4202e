/**
 * The benchmark mail: ../shared/corpus/real (genuine messages, LF line endings), converted to CRLF as IMAP
 * and LMTP carry them, repeated as often as a benchmark needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** CORPUS_DIR is the corpus of real mail (env BENCH_CORPUS to override). */
export const CORPUS_DIR = process.env.BENCH_CORPUS ?? path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'real');

let cache: Buffer[] | null = null;

/** toCrlf turns bare LF line endings into CRLF (CRLF stays). */
export function toCrlf(b: Buffer): Buffer {
  return Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** corpus returns every message of CORPUS_DIR as CRLF bytes, in file-name order. */
export function corpus(): Buffer[] {
  if (!cache) {
    const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.eml')).sort();
    cache = files.map((f) => toCrlf(readFileSync(path.join(CORPUS_DIR, f))));
  }
  return cache;
}

/** messages returns `n` messages: the corpus repeated (message i is corpus[i % size]). */
export function messages(n: number): Buffer[] {
  const c = corpus();
  return Array.from({ length: n }, (_, i) => c[i % c.length]!);
}
