/**
 * Export as a folder of mbox files (mboxrd, LF line ends, as mutt, Thunderbird and Dovecot read them):
 * "INBOX.mbox", "Sent.mbox", and below a mailbox its children ("Archive/2019.mbox"), each message after a
 * "From " line with its internal date, its flags in Status, X-Status and X-Keywords first in its header
 * (formats/mbox.ts, which `letterbox import` takes away again), then a blank line.
 */
import { mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { envelopeSender, flagBlock, fromLine, MBOX_SUFFIX, mboxBody } from '../formats/mbox.js';
import { firstField, parseHeaderFields } from '../mime/header.js';
import { DIR_MODE, ExportError, FILE_MODE, type ExportFormat } from './types.js';

/** mboxFormat writes into `root`, which exists and is empty. */
export function mboxFormat(root: string): ExportFormat {
  return {
    async open(levels) {
      const dir = path.join(root, ...levels.slice(0, -1));
      const file = path.join(dir, `${levels.at(-1)!}${MBOX_SUFFIX}`);
      try {
        await mkdir(dir, { recursive: true, mode: DIR_MODE });
        if ((await stat(file).catch(() => null))?.isDirectory()) throw Object.assign(new Error('a directory'), { code: 'EISDIR' });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') {
          throw new ExportError(`mailbox ${levels.join('/')} cannot be written as ${path.relative(root, file)}: another mailbox's file or folder has that name; use --format maildir`);
        }
        throw err;
      }
      const handle = await open(file, 'wx', FILE_MODE);
      return {
        warnings: [],
        writer: {
          async write(m) {
            const head = parseHeaderFields(m.raw, 0, Math.min(m.raw.length, 256 * 1024));
            const envelope = `${fromLine(envelopeSender(firstField(head, 'return-path')), m.internalDate)}\n${flagBlock(m.flags)}`;
            await handle.write(Buffer.concat([Buffer.from(envelope, 'utf8'), mboxBody(m.raw), Buffer.from('\n')]));
          },
          async close() {
            await handle.close();
          },
        },
      };
    },
  };
}
