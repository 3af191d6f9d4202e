/** ENABLE (RFC 5161; RFC 9051 section 6.3.1): IMAP4rev2, UTF8=ACCEPT (RFC 6855 section 3), CONDSTORE and QRESYNC (RFC 7162 section 3.2.3). */
import type { CommandSpec } from '../command.js';

/**
 * Capabilities that ENABLE can turn on (upper-case). UTF8=ACCEPT switches mailbox names to UTF-8 in both
 * directions and allows APPEND's UTF8 data item (RFC 6855 sections 3 and 4); IMAP4rev2 implies the same.
 */
const ENABLEABLE = new Set(['IMAP4REV2', 'UTF8=ACCEPT', 'CONDSTORE', 'QRESYNC']);

/** ENABLE cap...: turns on the known ones and lists them in `* ENABLED`; unknown ones are ignored (RFC 5161 section 3.1). */
export const enableCommand: CommandSpec<string[], 'authenticated'> = {
  name: 'ENABLE',
  states: ['authenticated'],
  parse(r) {
    const caps: string[] = [];
    do {
      r.space();
      caps.push(r.atom());
    } while (!r.atEnd());
    return caps;
  },
  async run({ session: s }, caps) {
    const newly: string[] = [];
    for (const c of caps) {
      const u = c.toUpperCase();
      if (ENABLEABLE.has(u) && !s.enabled.has(u)) {
        s.enabled.add(u);
        newly.push(u === 'IMAP4REV2' ? 'IMAP4rev2' : u);
      }
    }
    s.out.untagged(`ENABLED${newly.map((c) => ' ' + c).join('')}`);
  },
};
