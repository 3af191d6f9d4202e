/**
 * Store suite part 4: the full-text index behind SEARCH BODY/TEXT/header keys (Store.searchTextCandidates).
 * The index may name too many messages but never too few; through the evaluator, SEARCH with the index
 * gives exactly the UIDs a scan of every message gives (RFC 9051 section 6.4.4 substring semantics).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { prepareMessage } from '../../src/delivery/prepare.js';
import { evaluateSearch, type SearchData, type SearchView } from '../../src/imap/search/evaluate.js';
import { normalise } from '../../src/imap/search/text.js';
import { partHeaderText } from '../../src/mime/part-headers.js';
import type { SearchKey } from '../../src/protocol/types.js';
import type { MessageMeta, SearchTextPart, Store } from '../../src/store/types.js';
import { DATE, newAccount, type Ctx } from './helpers.js';

const crlf = (...lines: string[]): Buffer => Buffer.from(lines.map((l) => l + '\r\n').join(''), 'utf8');

/** Messages with ASCII, accented (composed and decomposed), Greek, CJK and emoji text, one-part and multipart. */
const RAW: Buffer[] = [
  crlf('From: Alice <alice@example.com>', 'Subject: Quarterly report', '', 'The numbers are up. Apples and pears.'),
  crlf('From: Bob <bob@example.org>', 'Subject: =?utf-8?q?Caf=C3=A9_cr=C3=A8me?=', '', 'Meet at the CAFÉ at noon.'),
  crlf('From: Zoë <zoe@example.net>', 'Subject: decomposed', 'Content-Type: text/plain; charset=utf-8', '', 'Cafe\u0301 au lait, re\u0301sume\u0301'),
  crlf('From: Νίκος <nikos@example.gr>', 'Subject: ΟΔΟΣ ΣΟΦΟΚΛΕΟΥΣ', 'Content-Type: text/plain; charset=utf-8', '', 'Η ΟΔΟΣ είναι κλειστή. 東京タワー 😀 ok'),
  crlf(
    'From: Carol <carol@example.com>',
    'Subject: attachment',
    'Content-Type: multipart/mixed; boundary=zz',
    '',
    '--zz',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'see the attached spreadsheet',
    '--zz',
    'Content-Type: application/octet-stream; name="budget-2024.xls"',
    'Content-Disposition: attachment; filename="budget-2024.xls"',
    'Content-Transfer-Encoding: base64',
    '',
    'AAAA',
    '--zz--',
  ),
  crlf('From: dave@example.com', 'Subject: folded', ' subject line', 'X-Note: a"quote" and * star', '', 'xy'),
];

/** Needles: 1 and 2 characters (the index cannot help), words, non-ASCII in both forms, FTS5 syntax, absent text. */
const NEEDLES = [
  'a', 'xy', 'é', 'up', 'apples', 'APPLES AND', 'café', 'cafe\u0301', 'CAFÉ', 'résumé', 'οδοσ', 'ΟΔΟΣ', 'οδος', 'σοφοκλεουσ',
  '東京', '東京タワ', '😀 ok', 'budget', 'budget-2024.xls', 'octet-stream', 'charset', 'example.com', 'alice@', '"quote"',
  '* star', 'AND', 'NOT x', 'subject line', 'folded subject', 'nothing-like-this', 'ab"', 'text/plain',
];

interface Loaded {
  uids: number[];
  texts: Map<number, { headers: string; body: string; partHeaders: string }>;
}

async function load(store: Store, accountId: number, mailboxId: number): Promise<Loaded> {
  const uids = (await store.listMessages(accountId, mailboxId)).map((m) => m.uid);
  const base = await store.getSearchText(accountId, mailboxId, uids);
  const recs = await store.getMessages(accountId, mailboxId, uids);
  const texts = new Map<number, { headers: string; body: string; partHeaders: string }>();
  for (const r of recs) texts.set(r.uid, { ...base.get(r.uid)!, partHeaders: partHeaderText(r.structure) });
  return { uids, texts };
}

/** The exact answer by scanning every message's text. */
function scan(l: Loaded, part: SearchTextPart, needle: string): Set<number> {
  const n = normalise(needle);
  const hit = (s: string): boolean => normalise(s).includes(n);
  return new Set(
    l.uids.filter((u) => {
      const t = l.texts.get(u)!;
      if (part === 'headers') return hit(t.headers);
      if (part === 'body') return hit(t.body);
      return hit(t.headers) || hit(t.body) || hit(t.partHeaders);
    }),
  );
}

function view(metas: MessageMeta[]): SearchView {
  const byUid = new Map(metas.map((m) => [m.uid, m]));
  return { uids: metas.map((m) => m.uid), get: (uid) => byUid.get(uid), metaAt: (seq) => metas[seq - 1], savedResult: [], isRecent: () => false };
}

/** searchTests covers the full-text index. */
export function searchTests(ctx: Ctx): void {
  it('names every message that contains the string (superset), and nothing for short needles', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    await ctx.store.appendMessages(accountId, inbox, RAW.map((r) => prepareMessage(r, [], DATE)));
    const l = await load(ctx.store, accountId, inbox);
    for (const needle of NEEDLES) {
      for (const part of ['headers', 'body', 'text'] as const) {
        const exact = scan(l, part, needle);
        const got = await ctx.store.searchTextCandidates(accountId, inbox, part, needle);
        if ([...normalise(needle)].length < 3) {
          assert.equal(got, null, `${part} ${needle}: the index cannot narrow under 3 characters`);
          continue;
        }
        assert.ok(got, `${part} ${needle}: the index narrows from 3 characters`);
        for (const u of exact) assert.ok(got.has(u), `${part} ${JSON.stringify(needle)}: UID ${u} missing from the candidates`);
        for (const u of got) assert.ok(l.uids.includes(u), `${part} ${needle}: UID ${u} is not in the mailbox`);
      }
    }
    // The narrowing is real once the index is written (SQLite writes it in the background): a word in one
    // message names that message only.
    await ctx.store.finishBackground();
    assert.deepEqual([...((await ctx.store.searchTextCandidates(accountId, inbox, 'body', 'spreadsheet')) ?? [])], [5]);
    assert.deepEqual([...((await ctx.store.searchTextCandidates(accountId, inbox, 'text', 'budget-2024')) ?? [])], [5]);
  });

  it('SEARCH through the index gives exactly what a scan gives', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    // Enough messages that the evaluator asks the index (it does above one batch of open messages).
    const batch: Buffer[] = [];
    for (let i = 0; i < 8; i++) batch.push(...RAW);
    await ctx.store.appendMessages(accountId, inbox, batch.map((r) => prepareMessage(r, [], DATE)));
    const metas = await ctx.store.listMessages(accountId, inbox);
    const plain: SearchData = {
      records: async () => new Map(),
      texts: async (uids) => {
        const t = await ctx.store.getSearchText(accountId, inbox, uids);
        const out = new Map<number, { headers: string; body: string; partHeaders: string }>();
        for (const r of await ctx.store.getMessages(accountId, inbox, uids)) out.set(r.uid, { ...t.get(r.uid)!, partHeaders: partHeaderText(r.structure) });
        return out;
      },
    };
    let asked = 0;
    const indexed: SearchData = {
      ...plain,
      candidates: async (part, needle) => {
        asked++;
        return ctx.store.searchTextCandidates(accountId, inbox, part, needle);
      },
    };
    const keys: SearchKey[] = [];
    for (const value of NEEDLES) {
      keys.push({ type: 'body', value }, { type: 'text', value }, { type: 'header', name: 'Subject', value }, { type: 'header', name: 'From', value });
    }
    keys.push(
      { type: 'and', keys: [{ type: 'body', value: 'apples' }, { type: 'text', value: 'report' }] },
      { type: 'or', left: { type: 'body', value: 'noon' }, right: { type: 'text', value: 'budget' } },
      { type: 'or', left: { type: 'body', value: 'noon' }, right: { type: 'flag', flag: '\\Seen', set: false } },
      { type: 'not', key: { type: 'body', value: 'apples' } },
    );
    for (const key of keys) {
      const want = await evaluateSearch(key, view(metas), plain, { batch: 10 });
      const got = await evaluateSearch(key, view(metas), indexed, { batch: 10 });
      assert.deepEqual(got, want, JSON.stringify(key));
    }
    assert.ok(asked > 0, 'the evaluator used the index');
  });

  it('forgets expunged messages and deleted accounts', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    await ctx.store.appendMessages(accountId, inbox, [prepareMessage(RAW[0]!, ['\\Deleted'], DATE), prepareMessage(RAW[0]!, [], DATE)]);
    assert.deepEqual([...((await ctx.store.searchTextCandidates(accountId, inbox, 'body', 'pears')) ?? [])].sort(), [1, 2]);
    await ctx.store.expunge(accountId, inbox);
    assert.deepEqual([...((await ctx.store.searchTextCandidates(accountId, inbox, 'body', 'pears')) ?? [])], [2]);
    const other = await newAccount(ctx.store, 'other@example.com');
    await ctx.store.appendMessages(other.accountId, other.inbox, [prepareMessage(RAW[0]!, [], DATE)]);
    await ctx.store.deleteAccount(accountId);
    assert.deepEqual([...((await ctx.store.searchTextCandidates(other.accountId, other.inbox, 'body', 'pears')) ?? [])], [1]);
  });
}
