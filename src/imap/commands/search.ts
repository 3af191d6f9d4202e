/**
 * SEARCH and UID SEARCH (RFC 9051 sections 6.4.4 and 6.4.9), with RETURN options (RFC 4731 ESEARCH),
 * SAVE and "$" (RFC 5182 SEARCHRES) and the MODSEQ key (RFC 7162 section 3.1.5). Evaluation lives in
 * search/evaluate.ts, the reply format in search/respond.ts.
 */
import { enableCondstore } from '../condstore.js';
import type { CommandSpec, SelectedContext } from '../command.js';
import { ParseError } from '../../protocol/types.js';
import type { SearchProgram } from '../../protocol/types.js';
import { ImapError, no } from '../errors.js';
import { evaluateSearch, hasModseqKey, hasTextKey, type SearchData, type SearchRecord, type SearchText } from '../search/evaluate.js';
import { emailObjectId } from '../objectid.js';
import { partHeaderText } from '../../mime/part-headers.js';
import { sentDay } from '../search/sent-date.js';
import { effectiveOptions, formatSearchReply, RETURN_OPTIONS, returnedSubset } from '../search/respond.js';

/** Charsets SEARCH accepts (RFC 9051 section 6.4.4: US-ASCII and UTF-8 are required; the text is searched as UTF-8). */
const CHARSETS = new Set(['UTF-8', 'US-ASCII']);

/**
 * searchData (also used by SORT and THREAD) loads what evaluation needs beyond the session's view: records (internal date, size, the Date
 * header's day) and decoded text, with the MIME header fields of the body parts when `partHeaders` (for TEXT).
 */
export function searchData({ session: s, account, view }: SelectedContext, partHeaders: boolean): SearchData {
  return {
    async records(uids) {
      // The envelope for the Date header; the body structure is not read.
      const recs = await s.store.getMessages(account.id, view.mailbox.id, uids, { structure: false, envelope: true, meta: false });
      const record = (m: (typeof recs)[number]): SearchRecord => ({
        internalDate: m.internalDate,
        saveDate: m.saveDate,
        emailId: emailObjectId(m.bodyId),
        size: m.size,
        sentDay: sentDay(m.envelope.date),
      });
      return new Map<number, SearchRecord>(recs.map((m) => [m.uid, record(m)]));
    },
    async texts(uids, withBody) {
      const texts: Map<number, SearchText> = await s.store.getSearchText(account.id, view.mailbox.id, uids, withBody);
      if (partHeaders) {
        for (const m of await s.store.getMessages(account.id, view.mailbox.id, uids, { structure: true, envelope: false, meta: false })) {
          const t = texts.get(m.uid);
          if (t) t.partHeaders = partHeaderText(m.structure);
        }
      }
      return texts;
    },
    candidates(part, needle) {
      return s.store.searchTextCandidates(account.id, view.mailbox.id, part, needle);
    },
  };
}

/**
 * searchCommand is SEARCH [RETURN (...)] [CHARSET x] criteria: answers `* SEARCH ...` for IMAP4rev1 sessions without RETURN,
 * else `* ESEARCH ...`. An unknown charset is NO [BADCHARSET (UTF-8 US-ASCII)]. With SAVE the result is kept
 * as "$" (as UIDs), and emptied when the command fails (RFC 5182 section 2.1).
 */
export const searchCommand: CommandSpec<SearchProgram, 'selected'> = {
  name: 'SEARCH',
  states: ['selected'],
  uidForm: true,
  allowExpunge: (uid) => uid,
  parse(r) {
    r.space();
    const program = r.searchProgram();
    r.end();
    for (const o of program.returnOptions ?? []) {
      if (!RETURN_OPTIONS.has(o.toUpperCase())) throw new ParseError(`Unknown SEARCH return option ${o}`);
    }
    return program;
  },
  async run(ctx, program) {
    const { session: s, view } = ctx;
    const options = effectiveOptions(program.returnOptions, s.rev2);
    const save = options?.has('SAVE') ?? false;
    if (program.charset !== null && !CHARSETS.has(program.charset.toUpperCase())) {
      if (save) view.savedResult = [];
      throw no(`Unsupported charset ${program.charset}`, 'BADCHARSET (UTF-8 US-ASCII)');
    }
    const data = searchData(ctx, hasTextKey(program.key));
    let uids: number[];
    try {
      uids = await evaluateSearch(program.key, view, data);
    } catch (err) {
      // NO empties "$"; BAD leaves it alone (RFC 5182 section 2.1).
      if (save && !(err instanceof ImapError && err.status === 'BAD')) view.savedResult = [];
      throw err;
    }
    const returned = returnedSubset(uids, options);
    if (save) view.savedResult = returned;
    let modseq: number | null = null;
    if (hasModseqKey(program.key)) {
      enableCondstore(s, view); // RFC 7162 section 3.1: SEARCH MODSEQ is a CONDSTORE enabling command.
      for (const uid of returned) modseq = Math.max(modseq ?? 0, view.get(uid)?.modseq ?? 0);
    }
    const ids = ctx.uid ? uids : uids.map((u) => view.seqOf(u));
    const text = formatSearchReply({ tag: ctx.tag, uid: ctx.uid, ids, options, modseq });
    if (text !== null) s.out.untagged(text);
  },
};
