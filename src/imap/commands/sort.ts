/**
 * SORT and UID SORT (RFC 5256 section 3, with DISPLAYFROM and DISPLAYTO of RFC 5957): the messages
 * matching the search criteria, ordered by the sort criteria, as `* SORT n...` (sequence numbers, or UIDs
 * for UID SORT). The ordering lives in sort/sort.ts.
 */
import type { CommandSpec } from '../command.js';
import { ParseError, type ArgReader, type SearchKey } from '../../protocol/types.js';
import { loadSortMessages, matchingUids } from '../sort/messages.js';
import { needsEnvelope, SORT_KEYS, sortByDates, sortMessages, type SortCriterion, type SortKey } from '../sort/sort.js';

/** SortArgs: the sort criteria, the charset as sent, and the search criteria. */
export interface SortArgs {
  criteria: SortCriterion[];
  charset: string;
  key: SearchKey;
}

/** parseCriterion reads sort-criterion = ["REVERSE" SP] sort-key (RFC 5256 section 5). */
function parseCriterion(r: ArgReader): SortCriterion {
  let name = r.atom().toUpperCase();
  let reverse = false;
  if (name === 'REVERSE') {
    reverse = true;
    r.space();
    name = r.atom().toUpperCase();
  }
  if (!SORT_KEYS.has(name)) throw new ParseError(`Unknown sort key ${name.slice(0, 40)}`);
  return { key: name as SortKey, reverse };
}

/**
 * sortCommand is SORT (criteria) charset search-criteria. An empty criteria list or an unknown key is BAD;
 * an unknown charset is NO [BADCHARSET (UTF-8 US-ASCII)]. Like SEARCH, the non-UID form holds back EXPUNGE.
 */
export const sortCommand: CommandSpec<SortArgs, 'selected'> = {
  name: 'SORT',
  states: ['selected'],
  uidForm: true,
  allowExpunge: (uid) => uid,
  parse(r) {
    r.space();
    const criteria = r.list(() => parseCriterion(r));
    if (criteria.length === 0) throw new ParseError('Empty sort criteria');
    r.space();
    const charset = r.astring();
    r.space();
    return { criteria, charset, key: r.searchCriteria() };
  },
  async run(ctx, args) {
    const { session: s, view, account } = ctx;
    const uids = await matchingUids(ctx, args.charset, args.key);
    if (!needsEnvelope(args.criteria)) {
      // By ARRIVAL, DATE and SIZE only: columns of numbers, no record per message. The matched UIDs (ascending)
      // are marked by position in the columns; UIDs the store no longer has are left out.
      const d = await s.store.getSortDates(account.id, view.mailbox.id);
      const member = new Uint8Array(d.uids.length);
      for (let i = 0, p = 0; i < uids.length; i++) {
        while (p < d.uids.length && d.uids[p]! < uids[i]!) p++;
        if (d.uids[p] === uids[i]) member[p] = 1;
      }
      const ids = ctx.uid ? d.uids : view.seqsOf(d.uids);
      let text = 'SORT';
      for (const p of sortByDates(d, member, args.criteria)) text += ` ${ids[p]!}`;
      s.out.untagged(text);
      return;
    }
    // A key that reads the envelope (SUBJECT, FROM, ...): a record per message.
    const sorted = sortMessages(await loadSortMessages(ctx, uids, { envelope: true, references: false }), args.criteria);
    s.out.untagged(['SORT', ...sorted.map((m) => (ctx.uid ? m.uid : m.seq))].join(' '));
  },
};
