/**
 * THREAD and UID THREAD (RFC 5256 section 3) with the ORDEREDSUBJECT and REFERENCES algorithms: the
 * messages matching the search criteria as `* THREAD (...)...` (sequence numbers, or UIDs for UID THREAD).
 * The algorithms live in thread/.
 */
import type { CommandSpec } from '../command.js';
import { ParseError, type SearchKey } from '../../protocol/types.js';
import { loadSortMessages, matchingUids } from '../sort/messages.js';
import { orderedSubjectThreads } from '../thread/ordered-subject.js';
import { referencesThreads } from '../thread/references.js';
import { formatThreads } from '../thread/tree.js';

/** THREAD_ALGORITHMS: the thread algorithms this server knows (advertised as THREAD=<name>). */
export const THREAD_ALGORITHMS = ['ORDEREDSUBJECT', 'REFERENCES'] as const;

/** ThreadArgs: the algorithm (upper-case), the charset as sent, and the search criteria. */
export interface ThreadArgs {
  algorithm: (typeof THREAD_ALGORITHMS)[number];
  charset: string;
  key: SearchKey;
}

/**
 * threadCommand is THREAD algorithm charset search-criteria. An algorithm not advertised is BAD, as in
 * Dovecot; an unknown charset is NO [BADCHARSET (UTF-8 US-ASCII)] (RFC 5256 section 3). No match gives
 * `* THREAD` with no thread-list (section 4).
 */
export const threadCommand: CommandSpec<ThreadArgs, 'selected'> = {
  name: 'THREAD',
  states: ['selected'],
  uidForm: true,
  allowExpunge: (uid) => uid,
  parse(r) {
    r.space();
    const algorithm = r.atom().toUpperCase();
    if (!(THREAD_ALGORITHMS as readonly string[]).includes(algorithm)) throw new ParseError(`Unknown thread algorithm ${algorithm.slice(0, 40)}`);
    r.space();
    const charset = r.astring();
    r.space();
    return { algorithm: algorithm as ThreadArgs['algorithm'], charset, key: r.searchCriteria() };
  },
  async run(ctx, args) {
    const { session: s } = ctx;
    const uids = await matchingUids(ctx, args.charset, args.key);
    const references = args.algorithm === 'REFERENCES';
    const msgs = await loadSortMessages(ctx, uids, { envelope: true, references });
    const threads = references ? referencesThreads(msgs, ctx.uid) : orderedSubjectThreads(msgs, ctx.uid);
    s.out.untagged(threads.length === 0 ? 'THREAD' : `THREAD ${formatThreads(threads)}`);
  },
};
