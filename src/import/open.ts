/**
 * openImportSource decides what kind of source a path is (Maildir, mbox, .eml files) and opens it.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { MAX_LITERAL_OCTETS } from '../limits.js';
import { isEmlFile, openEml } from './eml.js';
import { isMaildir, openMaildir } from './maildir.js';
import { isMbox, openMbox } from './mbox.js';
import { isMboxTree, openMboxTree } from './mbox-tree.js';
import { ImportError, type ImportSource } from './types.js';

/**
 * openImportSource recognises what `target` is: a directory with cur/ or new/ is a Maildir, one holding
 * *.mbox files a tree of mbox files (mbox-tree.ts), another directory a folder of .eml files, a file that
 * begins with "From " an mbox, a file named *.eml one message.
 * Messages over `maxOctets` (default MAX_LITERAL_OCTETS) are skipped unread where the size is known up front.
 * Throws ImportError (missing path, unreadable, anything else).
 */
export async function openImportSource(target: string, maxOctets: number = MAX_LITERAL_OCTETS): Promise<ImportSource> {
  const abs = path.resolve(target);
  const st = await stat(abs).catch((err: NodeJS.ErrnoException) => {
    throw new ImportError(`cannot import ${abs}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.message}`);
  });
  try {
    if (st.isDirectory()) {
      if (await isMaildir(abs)) return await openMaildir(abs, maxOctets);
      return (await isMboxTree(abs)) ? await openMboxTree(abs, maxOctets) : await openEml(abs, maxOctets);
    }
    if (st.isFile()) {
      if (st.size > 0 && (await isMbox(abs))) return await openMbox(abs, maxOctets);
      if (isEmlFile(abs)) return await openEml(abs, maxOctets);
      throw new ImportError(`cannot import ${abs}: not an mbox file (it does not begin with a "From " line) and not a .eml file`);
    }
  } catch (err) {
    if (err instanceof ImportError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImportError(`cannot import ${abs}: ${code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
  throw new ImportError(`cannot import ${abs}: not a Maildir, mbox file, folder of .mbox files, .eml file or folder of .eml files`);
}

