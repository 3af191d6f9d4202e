import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SearchKey, SequenceSet } from '../../protocol/types.js';
import type { MessageMeta } from '../../store/types.js';
import fc from 'fast-check';
import { evaluateSearch, type SearchData, type SearchRecord, type SearchText, type SearchView } from './evaluate.js';
import { includesNormalised, normalise } from './text.js';
import { utcDay } from './sent-date.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);

interface Fixture {
  meta: MessageMeta;
  record: SearchRecord;
  text: SearchText;
}

const fixtures: Fixture[] = [
  {
    meta: { uid: 2, modseq: 5, flags: ['\\Seen'] },
    record: { internalDate: Date.UTC(2024, 0, 1, 23, 59, 59), saveDate: Date.UTC(2024, 5, 1), emailId: 'M1', size: 1000, sentDay: '2023-12-31' },
    text: { headers: 'From: Alice Smith <alice@example.com>\nSubject: Quarterly Report\nX-Tag: \n', body: 'Numbers are UP this quarter.' },
  },
  {
    meta: { uid: 4, modseq: 9, flags: ['\\Flagged', '$Work'] },
    record: { internalDate: Date.UTC(2024, 0, 2, 0, 0, 0), saveDate: Date.UTC(2024, 5, 2), emailId: 'M2', size: 5000, sentDay: null },
    text: { headers: 'From: Bob <bob@example.org>\nTo: alice@example.com\nSubject: Grüße aus Köln\n', body: 'Straße und Ärger' },
  },
  {
    meta: { uid: 7, modseq: 20, flags: [] },
    record: { internalDate: NOW - 3600_000, saveDate: Date.UTC(2024, 5, 2, 23), emailId: 'M3', size: 20, sentDay: '2024-06-15' },
    text: { headers: 'From: carol@example.net\nSubject: hi\nCc: Bob <bob@example.org>\n', body: 'short' },
  },
  {
    meta: { uid: 8, modseq: 21, flags: ['\\Deleted', '\\Seen'] },
    record: { internalDate: Date.UTC(2024, 0, 3), saveDate: Date.UTC(2024, 5, 3), emailId: 'M1', size: 300, sentDay: '2024-01-03' },
    // NFD "é" in the stored text: searching with NFC "é" must still match.
    text: { headers: 'Subject: Cafe\u0301 menu\n', body: 'soup', partHeaders: 'Content-Type: application/pdf; name=Menu.PDF' },
  },
];

function setup(saved: number[] = []): { view: SearchView; data: SearchData; calls: string[] } {
  const calls: string[] = [];
  const byUid = new Map(fixtures.map((f) => [f.meta.uid, f]));
  const view: SearchView = { uids: fixtures.map((f) => f.meta.uid), get: (u) => byUid.get(u)?.meta, metaAt: (seq) => fixtures[seq - 1]?.meta, savedResult: saved, isRecent: (u) => u === 2 || u === 7 };
  const data: SearchData = {
    async records(uids) {
      calls.push(`records ${uids.join(',')}`);
      return new Map(uids.filter((u) => byUid.has(u)).map((u) => [u, byUid.get(u)!.record]));
    },
    async texts(uids) {
      calls.push(`texts ${uids.join(',')}`);
      return new Map(uids.filter((u) => byUid.has(u)).map((u) => [u, byUid.get(u)!.text]));
    },
  };
  return { view, data, calls };
}

const set = (...ranges: Array<[number | null, number | null]>): SequenceSet => ({ kind: 'set', ranges: ranges.map(([start, end]) => ({ start, end })) });
const flag = (f: string, on = true): SearchKey => ({ type: 'flag', flag: f, set: on });
const header = (name: string, value: string): SearchKey => ({ type: 'header', name, value });

describe('evaluateSearch', () => {
  const table: Array<[string, SearchKey, number[]]> = [
    ['ALL', { type: 'all' }, [2, 4, 7, 8]],
    ['SEEN', flag('\\Seen'), [2, 8]],
    ['UNSEEN', flag('\\Seen', false), [4, 7]],
    ['KEYWORD is case-insensitive', flag('$work'), [4]],
    ['RECENT', { type: 'recent', set: true }, [2, 7]],
    ['NEW is RECENT UNSEEN', { type: 'new' }, [7]],
    ['OLD', { type: 'recent', set: false }, [4, 8]],
    ['seq 2:3', { type: 'seq', set: set([2, 3]) }, [4, 7]],
    ['seq beyond the count matches nothing', { type: 'seq', set: set([9, 9]) }, []],
    ['seq 3:* (and 9:* is 4:9)', { type: 'or', left: { type: 'seq', set: set([3, null]) }, right: { type: 'seq', set: set([9, null]) } }, [7, 8]],
    ['UID 3:7', { type: 'uid', set: set([3, 7]) }, [4, 7]],
    ['UID 100:* includes the highest UID', { type: 'uid', set: set([100, null]) }, [8]],
    ['UID $', { type: 'uid', set: { kind: 'saved' } }, [4, 8]],
    ['seq $ is by UID too', { type: 'seq', set: { kind: 'saved' } }, [4, 8]],
    ['NOT SEEN', { type: 'not', key: flag('\\Seen') }, [4, 7]],
    ['OR FLAGGED DELETED', { type: 'or', left: flag('\\Flagged'), right: flag('\\Deleted') }, [4, 8]],
    ['empty AND is ALL', { type: 'and', keys: [] }, [2, 4, 7, 8]],
    ['MODSEQ 9', { type: 'modseq', modseq: 9 }, [4, 7, 8]],
    ['BEFORE 2-Jan-2024 (time ignored)', { type: 'date', field: 'internal', op: 'before', date: '2024-01-02' }, [2]],
    ['ON 2-Jan-2024', { type: 'date', field: 'internal', op: 'on', date: '2024-01-02' }, [4]],
    ['SINCE 2-Jan-2024', { type: 'date', field: 'internal', op: 'since', date: '2024-01-02' }, [4, 7, 8]],
    ['SENTBEFORE 1-Jan-2024 (no Date header never matches)', { type: 'date', field: 'sent', op: 'before', date: '2024-01-01' }, [2]],
    ['SENTSINCE 1-Jan-2024', { type: 'date', field: 'sent', op: 'since', date: '2024-01-01' }, [7, 8]],
    ['SAVEDON 2-Jun-2024 (UTC day)', { type: 'date', field: 'saved', op: 'on', date: '2024-06-02' }, [4, 7]],
    ['SAVEDBEFORE 2-Jun-2024', { type: 'date', field: 'saved', op: 'before', date: '2024-06-02' }, [2]],
    ['SAVEDSINCE 3-Jun-2024', { type: 'date', field: 'saved', op: 'since', date: '2024-06-03' }, [8]],
    ['SAVEDATESUPPORTED', { type: 'savedatesupported' }, [2, 4, 7, 8]],
    ['EMAILID matches copies of one body', { type: 'emailid', id: 'M1' }, [2, 8]],
    ['EMAILID unknown', { type: 'emailid', id: 'M9' }, []],
    ['THREADID matches nothing (no threads)', { type: 'threadid', id: 'T1' }, []],
    ['LARGER 300', { type: 'size', op: 'larger', octets: 300 }, [2, 4]],
    ['SMALLER 300', { type: 'size', op: 'smaller', octets: 300 }, [7]],
    ['YOUNGER 1 day', { type: 'within', op: 'younger', seconds: 86400 }, [7]],
    ['OLDER 1 day', { type: 'within', op: 'older', seconds: 86400 }, [2, 4, 8]],
    ['YOUNGER 3600 includes a message exactly 3600 s old (RFC 5032 section 3)', { type: 'within', op: 'younger', seconds: 3600 }, [7]],
    ['OLDER 3600 excludes it', { type: 'within', op: 'older', seconds: 3600 }, [2, 4, 8]],
    ['OLDER 3599 includes it', { type: 'within', op: 'older', seconds: 3599 }, [2, 4, 7, 8]],
    ['YOUNGER 3599 excludes it', { type: 'within', op: 'younger', seconds: 3599 }, []],
    ['FROM is a case-insensitive substring', header('FROM', 'ALICE'), [2]],
    ['TO', header('to', 'alice@'), [4]],
    ['HEADER with empty value matches presence', header('X-Tag', ''), [2]],
    ['CC with empty value', header('CC', ''), [7]],
    ['SUBJECT with non-ASCII, case-insensitive', header('SUBJECT', 'GRÜSSE'), []],
    ['SUBJECT upper-case non-ASCII', header('SUBJECT', 'GRÜẞE AUS KÖLN'), [4]],
    ['SUBJECT NFC vs NFD', header('SUBJECT', 'café'), [8]],
    ['BODY', { type: 'body', value: 'up THIS' }, [2]],
    ['BODY non-ASCII upper-case', { type: 'body', value: 'ÄRGER' }, [4]],
    ['TEXT searches headers and body', { type: 'text', value: 'bob@example.org' }, [4, 7]],
    ['TEXT in body', { type: 'text', value: 'soup' }, [8]],
    ['TEXT in the MIME header fields of a part', { type: 'text', value: 'menu.pdf' }, [8]],
    ['BODY is not searched in part headers', { type: 'body', value: 'menu.pdf' }, []],
    ['HEADER is not searched in part headers', header('Content-Type', 'pdf'), []],
  ];
  for (const [name, key, want] of table) {
    it(name, async () => {
      const { view, data } = setup([8, 4, 99]);
      assert.deepEqual(await evaluateSearch(key, view, data, { now: NOW }), want);
    });
  }

  it('loads nothing for keys the view answers', async () => {
    const { view, data, calls } = setup();
    await evaluateSearch({ type: 'and', keys: [flag('\\Seen'), { type: 'uid', set: set([1, 5]) }] }, view, data);
    assert.deepEqual(calls, []);
  });

  it('loads records and texts only for messages still undecided, in batches', async () => {
    const { view, data, calls } = setup();
    const key: SearchKey = { type: 'and', keys: [flag('\\Seen', false), { type: 'size', op: 'larger', octets: 100 }, { type: 'body', value: 'straße' }] };
    assert.deepEqual(await evaluateSearch(key, view, data, { batch: 1 }), [4]);
    assert.deepEqual(calls, ['records 4', 'records 7', 'texts 4']);
  });

  it('NOT of a text key on a message the store lost matches nothing', async () => {
    const { view, data } = setup();
    const lossy: SearchData = { records: data.records, texts: async (uids, withBody) => {
      const m = await data.texts(uids, withBody);
      m.delete(7);
      return m;
    } };
    assert.deepEqual(await evaluateSearch({ type: 'not', key: { type: 'body', value: 'zzz' } }, view, lossy), [2, 4, 8]);
  });
});

describe('utcDay', () => {
  it('formats in UTC', () => {
    assert.equal(utcDay(Date.UTC(2024, 0, 1, 23, 59, 59)), '2024-01-01');
    assert.equal(utcDay(Date.UTC(999, 11, 31) + DAY / 2), '0999-12-31');
  });
});

describe('includesNormalised: the same answer as normalising the text (NFC, lower case)', () => {
  const exact = (text: string, needle: string): boolean => normalise(text).includes(normalise(needle));
  const fast = (text: string, needle: string): boolean => includesNormalised(text, normalise(needle), () => normalise(text));

  it('ASCII text and needles, either case, with pattern characters', () => {
    assert.equal(fast('The MUSCLE car', 'muscle'), true);
    assert.equal(fast('a.b(c)*', 'A.B(C)*'), true);
    assert.equal(fast('axb', 'a.b'), false);
    assert.equal(fast('anything', ''), true);
  });

  it('non-ASCII text: a combining mark after the match, KELVIN SIGN, dotted capital I', () => {
    assert.equal(fast('cafe\u0301 au lait', 'cafe'), exact('cafe\u0301 au lait', 'cafe'));
    assert.equal(fast('cafe\u0301 au lait', 'cafe'), false, 'NFC makes "café"');
    assert.equal(fast('Kelvin \u212Aelvin', 'kelvin kelvin'), true, 'KELVIN SIGN lower-cases to k');
    assert.equal(fast('\u0130stanbul', 'i\u0307stanbul'), true);
    assert.equal(fast('Straße muscle', 'muscle'), true);
    assert.equal(fast('Straße', 'STRASSE'), false);
    assert.equal(fast('a\u037Eb', 'a;b'), true, 'GREEK QUESTION MARK is ";" after NFC');
    assert.equal(fast('a\u1FEFb', 'a`b'), true, 'GREEK VARIA is "`" after NFC');
    assert.equal(fast('Stra\u00DFe no match', 'muscle'), false);
  });

  it('agrees with normalising everything on random text', () => {
    const alphabet = ['a', 'A', 'c', 'e', 'E', 'k', 'K', 'i', 'I', ' ', '.', '\u0301', '\u0327', '\u0338', '=', '\u212A', '\u0130', 'é', 'É', 'ß', 'ς', 'Σ', '\u037E', ';', '\u1FEF', '`'];
    const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, text, (t, n) => fast(t, n) === exact(t, n)),
      { numRuns: 20_000 },
    );
    // Needles cut out of the text, in either case, so that most of them match somewhere.
    const cut = fc.tuple(text, fc.nat(), fc.nat(), fc.boolean()).map(([t, a, b, upper]) => {
      const from = a % (t.length + 1);
      const piece = t.slice(from, from + (b % 6));
      return [t, upper ? piece.toUpperCase() : piece] as const;
    });
    fc.assert(
      fc.property(cut, ([t, n]) => fast(t, n) === exact(t, n)),
      { numRuns: 20_000 },
    );
  });
});

describe('header field values for header keys (RFC 9051 section 6.4.4 HEADER, FROM, TO, ...)', () => {
  const meta: MessageMeta = { uid: 1, modseq: 1, flags: [] };
  const view = (): SearchView => ({ uids: [1], get: (uid) => (uid === 1 ? meta : undefined), metaAt: (seq) => (seq === 1 ? meta : undefined), savedResult: [], isRecent: () => false });
  const headers = ['Received: from mx.example.com', '  by relay', 'FROM : Joe <joe@perches.com>', 'To: a@example.com,', '\tb@example.com', 'Subject: x', 'x-odd', 'To: c@example.com', ''].join('\n');
  const data: SearchData = { records: async () => new Map(), texts: async () => new Map([[1, { headers, body: null }]]) };
  const search = (name: string, value: string) => evaluateSearch({ type: 'header', name, value }, view(), data);

  it('finds a field whatever the case and spacing of its name, with its continuation lines', async () => {
    assert.deepEqual(await search('From', 'JOE@perches'), [1]);
    assert.deepEqual(await search('to', 'b@example.com'), [1], 'continued on the next line');
    assert.deepEqual(await search('to', 'c@example'), [1], 'the second To field');
    assert.deepEqual(await search('received', 'relay'), [1]);
    assert.deepEqual(await search('subject', 'x-odd'), [1], 'a line without a colon continues the field before it');
    assert.deepEqual(await search('to', 'x-odd'), []);
    assert.deepEqual(await search('cc', ''), [], 'an absent field does not match even the empty string');
  });
});
