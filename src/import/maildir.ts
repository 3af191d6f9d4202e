/**
 * Maildir import (https://cr.yp.to/proto/maildir.html) with Maildir++ subfolders (".Sub.Folder" beside
 * cur/new/tmp) and Dovecot's keyword letters (a-z, named in dovecot-keywords); the format's details, which
 * export writes the same way, are formats/maildir.ts.
 */
import { statSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { folderLevel, infoFlags, parseKeywords } from '../formats/maildir.js';
import { describeFsError, readListedFiles, type ImportEvent, type ImportSource } from './types.js';

interface MaildirFile {
  file: string;
  folder: string[];
  size: number;
  internalDate: number;
  flags: string[];
}

/** isMaildir reports whether `dir` looks like a Maildir: it has a cur/ or new/ subdirectory. */
export async function isMaildir(dir: string): Promise<boolean> {
  for (const sub of ['cur', 'new']) {
    const s = await stat(path.join(dir, sub)).catch(() => null);
    if (s?.isDirectory()) return true;
  }
  return false;
}

/**
 * openMaildir lists the messages of the Maildir at `root` (cur/ and new/; tmp/ holds unfinished
 * deliveries and is left alone) and of its Maildir++ subfolders: ".Sub.Folder" becomes folder
 * ["Sub", "Folder"]. Each folder's messages are in internal-date order (ties by file name).
 * Internal date: the earlier of the file's mtime and the delivery time at the start of its name (Dovecot
 * sets the mtime to the internal date of an APPENDed message; a copy made without preserving mtimes
 * leaves the name's time as the better one), to the nearest millisecond. Each folder is announced
 * first (a folder event), so empty ones become mailboxes too. Files over `maxOctets` are skipped unread.
 */
export async function openMaildir(root: string, maxOctets: number): Promise<ImportSource> {
  const skips: ImportEvent[] = [];
  const files: MaildirFile[] = [];
  const folders: Array<{ dir: string; folder: string[] }> = [{ dir: root, folder: [] }];
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.name.startsWith('.') || entry.name === '.' || entry.name === '..') continue;
    const dir = path.join(root, entry.name);
    if (!(entry.isDirectory() || entry.isSymbolicLink()) || !(await isMaildir(dir))) continue;
    const levels = entry.name.slice(1).split('.');
    if (levels.some((l) => l === '')) {
      skips.push({ kind: 'skip', source: dir, reason: 'not a valid Maildir++ folder name (empty level)', sourceOctets: 0 });
      continue;
    }
    folders.push({ dir, folder: levels.map(folderLevel) });
  }
  for (const { dir, folder } of folders) {
    const keywords = await readKeywords(dir);
    const here: MaildirFile[] = [];
    for (const sub of ['cur', 'new']) {
      const subdir = path.join(dir, sub);
      let names: string[];
      try {
        names = await readdir(subdir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') skips.push({ kind: 'skip', source: subdir, reason: describeFsError(err), sourceOctets: 0 });
        continue;
      }
      for (const name of names) {
        if (name.startsWith('.')) continue;
        const file = path.join(subdir, name);
        try {
          // Synchronous: the listing has nothing else to do meanwhile, and an awaited stat per file costs
          // a round trip through the thread pool each (5000 files: about 100 ms).
          const st = statSync(file);
          if (!st.isFile()) continue;
          const named = nameTime(name);
          const internalDate = named !== null ? Math.min(named, st.mtimeMs) : st.mtimeMs;
          here.push({ file, folder, size: st.size, internalDate: Math.round(internalDate), flags: infoFlags(name, keywords) });
        } catch (err) {
          skips.push({ kind: 'skip', source: file, reason: describeFsError(err), sourceOctets: 0 });
        }
      }
    }
    here.sort((a, b) => a.internalDate - b.internalDate || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    files.push(...here);
  }
  return {
    kind: 'maildir',
    path: root,
    totalOctets: files.reduce((n, f) => n + f.size, 0),
    async *events() {
      for (const { dir, folder } of folders) yield { kind: 'folder', folder, source: dir };
      yield* skips;
      for await (const r of readListedFiles(files, maxOctets)) {
        if (r.kind === 'skip') {
          yield r;
          continue;
        }
        const f = r.listed;
        yield { kind: 'message', folder: f.folder, raw: r.data, flags: f.flags, internalDate: f.internalDate, source: f.file, sourceOctets: f.size };
      }
    },
  };
}

/** nameTime returns the delivery time (ms) that starts a Maildir file name ("1700000000.M1P2.host:2,S"), or null. */
function nameTime(name: string): number | null {
  const m = /^(\d{9,11})\./.exec(name);
  return m ? Number(m[1]) * 1000 : null;
}

/** readKeywords reads the folder's dovecot-keywords file (formats/maildir.ts parseKeywords); none is no keywords. */
async function readKeywords(dir: string): Promise<Array<string | undefined>> {
  return parseKeywords(await readFile(path.join(dir, 'dovecot-keywords'), 'utf8').catch(() => ''));
}
