/**
 * A folder of mbox files, as `letterbox export --format mbox` writes it (Thunderbird's and Apple Mail's
 * exports are alike): each "Name.mbox" file is the mailbox Name, and a subfolder "Name/" holds the
 * mailboxes below it ("Archive/2019.mbox" is Archive/2019). An empty .mbox file is an empty mailbox.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MBOX_SUFFIX } from '../formats/mbox.js';
import { isMbox, openMbox } from './mbox.js';
import { describeFsError, type ImportEvent, type ImportSource } from './types.js';

/** isMboxTree reports whether `dir` holds a file named *.mbox directly in it. */
export async function isMboxTree(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.some((e) => e.isFile() && e.name.endsWith(MBOX_SUFFIX) && e.name !== MBOX_SUFFIX);
}

interface TreeFile {
  file: string;
  folder: string[];
  size: number;
}

/**
 * openMboxTree lists the mbox files below `root` (other files reported as skipped, hidden ones ignored)
 * and reads each as openMbox does, announcing its mailbox first (a folder event), so empty ones are made
 * too. Messages over `maxOctets` are skipped.
 */
export async function openMboxTree(root: string, maxOctets: number): Promise<ImportSource> {
  const files: TreeFile[] = [];
  const skips: ImportEvent[] = [];
  const walk = async (dir: string, prefix: string[]): Promise<void> => {
    // Hidden files (.DS_Store) are left alone; a hidden .mbox file or folder is a mailbox whose name starts with ".".
    const entries = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => !e.name.startsWith('.') || e.isDirectory() || e.name.endsWith(MBOX_SUFFIX))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      try {
        if (e.isDirectory()) await walk(full, [...prefix, e.name]);
        else if (!e.name.endsWith(MBOX_SUFFIX) || e.name === MBOX_SUFFIX) skips.push({ kind: 'skip', source: full, reason: `not a ${MBOX_SUFFIX} file`, sourceOctets: 0 });
        else {
          const st = await stat(full);
          if (st.size > 0 && !(await isMbox(full))) skips.push({ kind: 'skip', source: full, reason: 'not an mbox file (it does not begin with a "From " line)', sourceOctets: st.size });
          else files.push({ file: full, folder: [...prefix, e.name.slice(0, -MBOX_SUFFIX.length)], size: st.size });
        }
      } catch (err) {
        skips.push({ kind: 'skip', source: full, reason: describeFsError(err), sourceOctets: 0 });
      }
    }
  };
  await walk(root, []);
  return {
    kind: 'mbox',
    path: root,
    totalOctets: files.reduce((n, f) => n + f.size, 0) + skips.reduce((n, s) => n + (s.kind === 'skip' ? s.sourceOctets : 0), 0),
    async *events() {
      yield* skips;
      for (const f of files) {
        yield { kind: 'folder', folder: f.folder, source: f.file };
        if (f.size > 0) yield* (await openMbox(f.file, maxOctets, f.folder)).events();
      }
    },
  };
}
