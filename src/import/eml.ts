/**
 * Import of .eml files: a folder of them (not descending into subfolders), or a single file.
 * A .eml file that begins with an mbox envelope line ("From addr date", as saved by some tools and as
 * found in the SpamAssassin corpus) has that line removed, so that BODY[] is the RFC 5322 message: the
 * line is not part of the message, and no header parser accepts it. stripEnvelopeLine is the one place
 * this is decided.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { headerFields, headerValue, parseFromLineDate, parseMailDate } from './headers.js';
import { describeFsError, readListedFiles, type ImportEvent, type ImportSource } from './types.js';

/**
 * stripEnvelopeLine returns `raw` without a leading mbox "From " line (up to and including its LF), and
 * that line (without its line ending), or null when there is none. "From:" (a header field) is not one.
 */
export function stripEnvelopeLine(raw: Buffer): { message: Buffer; envelope: string | null } {
  if (raw.length < 5 || raw.toString('latin1', 0, 5) !== 'From ') return { message: raw, envelope: null };
  const nl = raw.indexOf(0x0a);
  if (nl < 0) return { message: Buffer.alloc(0), envelope: raw.toString('latin1').trimEnd() };
  return { message: raw.subarray(nl + 1), envelope: raw.toString('latin1', 0, nl).trimEnd() };
}

/** isEmlFile reports whether a file name ends in .eml (case-insensitive). */
export function isEmlFile(name: string): boolean {
  return name.toLowerCase().endsWith('.eml');
}

/**
 * openEml opens `target`, a folder of .eml files (in natural name order, so 2.eml before 10.eml) or one
 * .eml file. Files over `maxOctets` are skipped unread. Other files and subfolders are reported as skipped (hidden files are ignored).
 * Internal date: the Date header, else the envelope line's date, else the file's mtime. No flags are set.
 */
export async function openEml(target: string, maxOctets: number): Promise<ImportSource> {
  const skips: ImportEvent[] = [];
  const files: Array<{ file: string; size: number; mtimeMs: number }> = [];
  const st = await stat(target);
  if (st.isFile()) {
    files.push({ file: target, size: st.size, mtimeMs: st.mtimeMs });
  } else {
    const names = (await readdir(target)).filter((n) => !n.startsWith('.'));
    names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    for (const name of names) {
      const file = path.join(target, name);
      try {
        const fst = await stat(file);
        if (fst.isDirectory()) skips.push({ kind: 'skip', source: file, reason: 'a folder (only .eml files directly in the folder are imported)', sourceOctets: 0 });
        else if (!isEmlFile(name)) skips.push({ kind: 'skip', source: file, reason: 'not a .eml file', sourceOctets: 0 });
        else if (fst.isFile()) files.push({ file, size: fst.size, mtimeMs: fst.mtimeMs });
      } catch (err) {
        skips.push({ kind: 'skip', source: file, reason: describeFsError(err), sourceOctets: 0 });
      }
    }
  }
  return {
    kind: 'eml',
    path: target,
    totalOctets: files.reduce((n, f) => n + f.size, 0),
    async *events() {
      yield* skips;
      for await (const r of readListedFiles(files, maxOctets)) {
        if (r.kind === 'skip') {
          yield r;
          continue;
        }
        const f = r.listed;
        const { message, envelope } = stripEnvelopeLine(r.data);
        const dateHeader = headerValue(headerFields(message), 'date');
        const internalDate =
          (dateHeader ? parseMailDate(dateHeader) : null) ?? (envelope ? parseFromLineDate(envelope) : null) ?? Math.floor(f.mtimeMs);
        yield { kind: 'message', folder: [], raw: message, flags: [], internalDate, source: f.file, sourceOctets: f.size };
      }
    },
  };
}
