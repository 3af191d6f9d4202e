import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnvelopeAddress } from '../../mime/types.js';
import { casemapKey, compareOctets } from './collate.js';
import type { SortMessage } from './messages.js';
import { sortByDates, sortMessages, type SortCriterion } from './sort.js';
import type { SortDates } from '../../store/sort-dates.js';

const addr = (name: string | null, mailbox: string, host: string): EnvelopeAddress => ({ name, adl: null, mailbox, host });
const group = (name: string): EnvelopeAddress[] => [
  { name: null, adl: null, mailbox: name, host: null },
  { name: null, adl: null, mailbox: null, host: null },
];

interface Spec {
  arrival: number;
  sent: number;
  size: number;
  subject: string | null;
  from?: EnvelopeAddress[];
  to?: EnvelopeAddress[];
  cc?: EnvelopeAddress[];
}

function msgs(...specs: Spec[]): SortMessage[] {
  return specs.map((s, i) => ({
    seq: i + 1,
    uid: 100 + i,
    internalDate: s.arrival,
    sentDate: s.sent,
    size: s.size,
    references: null,
    envelope: { date: null, subject: s.subject, from: s.from ?? null, sender: null, replyTo: null, to: s.to ?? null, cc: s.cc ?? null, bcc: null, inReplyTo: null, messageId: null },
  }));
}

const SET = msgs(
  { arrival: 3, sent: 30, size: 500, subject: 'Re: beta', from: [addr('Zed', 'zed', 'x.org')], to: [addr(null, 'Bob', 'x.org')], cc: [addr(null, 'carol', 'x.org')] },
  { arrival: 1, sent: 10, size: 200, subject: 'alpha', from: [addr('=?UTF-8?Q?=C3=84nne?=', 'anne', 'x.org')], to: group('undisclosed-recipients') },
  { arrival: 2, sent: 30, size: 200, subject: '[list] Beta (fwd)', from: [addr(null, 'Mike', 'y.org')], to: [addr('Al', 'al', 'x.org')] },
  { arrival: 2, sent: 5, size: 900, subject: null, to: [addr('', 'ann', 'x.org')], cc: [addr(null, 'Bea', 'x.org')] },
);

const order = (criteria: SortCriterion[]): number[] => sortMessages(SET, criteria).map((m) => m.seq);
const c = (key: SortCriterion['key'], reverse = false): SortCriterion => ({ key, reverse });

describe('sortMessages (RFC 5256 section 3, RFC 5957)', () => {
  const table: Array<[string, SortCriterion[], number[]]> = [
    ['ARRIVAL, ties by sequence number', [c('ARRIVAL')], [2, 3, 4, 1]],
    ['REVERSE ARRIVAL keeps ties in sequence order', [c('ARRIVAL', true)], [1, 3, 4, 2]],
    ['DATE', [c('DATE')], [4, 2, 1, 3]],
    ['SIZE then REVERSE DATE', [c('SIZE'), c('DATE', true)], [3, 2, 1, 4]],
    ['SUBJECT: base subjects, no subject first', [c('SUBJECT')], [4, 2, 1, 3]],
    ['SUBJECT then REVERSE ARRIVAL', [c('SUBJECT'), c('ARRIVAL', true)], [4, 2, 1, 3]],
    ['FROM: addr-mailbox, missing first', [c('FROM')], [4, 2, 3, 1]],
    ['TO: a group sorts by its name', [c('TO')], [3, 4, 1, 2]],
    ['CC', [c('CC')], [2, 3, 4, 1]],
    ['DISPLAYFROM: decoded name, else addr-spec; "\u00c4nne" sorts with the A (i;unicode-casemap)', [c('DISPLAYFROM')], [4, 2, 3, 1]],
    ['DISPLAYTO: empty name counts as absent; a group sorts by its name', [c('DISPLAYTO')], [3, 4, 1, 2]],
    ['REVERSE DISPLAYTO', [c('DISPLAYTO', true)], [2, 1, 4, 3]],
  ];
  for (const [name, criteria, want] of table) it(name, () => assert.deepEqual(order(criteria), want));
  it('no messages', () => assert.deepEqual(sortMessages([], [c('DATE')]), []));
});

describe('i;unicode-casemap (RFC 5051)', () => {
  it('maps every letter to its titlecase form and decomposes', () => {
    assert.equal(casemapKey('abc_Z'), 'ABC_Z');
    assert.equal(casemapKey('é'), casemapKey('É'));
    assert.equal(casemapKey('é'), 'E\u0301');
    assert.equal(casemapKey('ǆ'), 'ǅ'.normalize('NFKD'));
    assert.equal(casemapKey('ß'), 'ß', 'the simple mapping keeps ß (no "SS")');
    assert.equal(casemapKey('ﬁx'), 'fiX', 'the ligature has no one-character titlecase: it is only decomposed');
    assert.equal(casemapKey('Ωμέγα'), casemapKey('ΩΜΈΓΑ'));
  });
  it('orders as UTF-8 octets: "é" beside "E", "_" after letters, astral after U+FFFD', () => {
    const words = ['\u{1F600}', 'é', '\uFFFD', 'Z', '_', 'A', 'ü'].map(casemapKey);
    assert.deepEqual(words.sort(compareOctets), ['A', 'E\u0301', 'U\u0308', 'Z', '_', '\uFFFD', '\u{1F600}']);
    assert.equal(compareOctets('ab', 'abc') < 0, true);
    assert.equal(compareOctets('x', 'x'), 0);
  });
});

describe('sortByDates (RFC 5256 section 3: ARRIVAL, DATE, SIZE)', () => {
  // Positions 0..5 in ascending UID (= sequence) order; ties on purpose.
  const d: SortDates = {
    uids: [10, 11, 12, 13, 14, 15],
    arrival: [5, 3, 5, 1, 3, 9],
    date: [50, 30, 50, 10, 30, 90],
    size: [100, 100, 300, 200, 100, 50],
  };
  const all = new Uint8Array(6).fill(1);

  it('orders by one key, equal values in position order, also under REVERSE', () => {
    assert.deepEqual(sortByDates(d, all, [c('ARRIVAL')]), [3, 1, 4, 0, 2, 5]);
    assert.deepEqual(sortByDates(d, all, [c('ARRIVAL', true)]), [5, 0, 2, 1, 4, 3]);
    assert.deepEqual(sortByDates(d, all, [c('SIZE', true)]), [2, 3, 0, 1, 4, 5]);
  });

  it('orders only the members, from the same memoised order', () => {
    const some = Uint8Array.from([1, 0, 1, 1, 0, 1]);
    assert.deepEqual(sortByDates(d, some, [c('DATE')]), [3, 0, 2, 5]);
    assert.deepEqual(sortByDates(d, some, [c('DATE', true)]), [5, 0, 2, 3]);
    assert.deepEqual(sortByDates(d, new Uint8Array(6), [c('DATE')]), []);
  });

  it('orders by several keys, each REVERSE its own', () => {
    assert.deepEqual(sortByDates(d, all, [c('SIZE'), c('ARRIVAL', true)]), [5, 0, 1, 4, 3, 2]);
    assert.deepEqual(sortByDates(d, all, [c('SIZE', true), c('DATE')]), [2, 3, 1, 4, 0, 5]);
  });

  it('gives what sortMessages gives for the same messages', () => {
    const same = d.uids.map((uid, i) => ({ seq: i + 1, uid, internalDate: d.arrival[i]!, sentDate: d.date[i]!, size: d.size[i]!, envelope: null, references: null }));
    for (const criteria of [[c('DATE')], [c('DATE', true)], [c('ARRIVAL'), c('SIZE', true)], [c('SIZE', true), c('DATE', true)]]) {
      assert.deepEqual(sortByDates(d, all, criteria), sortMessages(same, criteria).map((m) => m.seq - 1));
    }
  });

  it('refuses a key that needs the envelope', () => {
    assert.throws(() => sortByDates(d, all, [c('SUBJECT')]), /not a date or size/);
  });
});
