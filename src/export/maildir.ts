/**
 * Export as a Maildir (https://cr.yp.to/proto/maildir.html) that `letterbox import`, Dovecot and mutt
 * read: INBOX at the top (cur/, new/, tmp/), every other mailbox a Maildir++ folder (".Lists.Rust"),
 * each message a file in cur/ named "<time>.U<uid>.letterbox:2,<flags>" with its internal date as its
 * modification time, and each folder's keywords named in its dovecot-keywords file (formats/maildir.ts).
 */
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { folderName, formatInfo, formatKeywords, isKeyword, MAX_KEYWORDS } from '../formats/maildir.js';
import { INBOX } from '../store/mailbox-names.js';
import { DIR_MODE, FILE_MODE, type ExportFormat, type MailboxWriter } from './types.js';

/** maildirFormat writes into `root`, which exists and is empty. */
export function maildirFormat(root: string): ExportFormat {
  return {
    async open(levels, allFlags) {
      const dir = levels.length === 1 && levels[0] === INBOX ? root : path.join(root, folderName(levels));
      // The top is a Maildir whatever is exported, so that importers recognise the export.
      for (const d of new Set([root, dir])) for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(d, sub), { recursive: true, mode: DIR_MODE });
      const keywords = [...allFlags].filter(isKeyword).sort();
      const warnings: string[] = [];
      if (keywords.length > MAX_KEYWORDS) {
        const dropped = keywords.slice(MAX_KEYWORDS);
        warnings.push(`${levels.join('/')}: ${dropped.length} keywords not exported (a Maildir folder names ${MAX_KEYWORDS} at most; --format mbox keeps them all): ${dropped.join(' ')}`);
      }
      if (keywords.length > 0) await writeFile(path.join(dir, 'dovecot-keywords'), formatKeywords(keywords), { mode: FILE_MODE });
      const cur = path.join(dir, 'cur');
      const writer: MailboxWriter = {
        async write(m) {
          // The name's time is not before the internal date, so the importer (which takes the earlier of
          // the name's time and the file's) reads the exact date from the file.
          const file = path.join(cur, `${Math.ceil(m.internalDate / 1000)}.U${m.uid}.letterbox${formatInfo(m.flags, keywords)}`);
          await writeFile(file, m.raw, { mode: FILE_MODE });
          const when = m.internalDate / 1000;
          await utimes(file, when, when);
        },
        async close() {},
      };
      return { writer, warnings };
    },
  };
}
