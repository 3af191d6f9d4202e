import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SortMessage } from '../sort/messages.js';
import { orderedSubjectThreads } from './ordered-subject.js';
import { messageIds, referencesThreads } from './references.js';
import { formatThreads, type ThreadNode } from './tree.js';

/** m builds message `seq` (UID seq * 10) sent on day `day` of Nov 2026. */
function m(seq: number, day: number, subject: string | null, messageId: string | null, refs: string | null = null, inReplyTo: string | null = null): SortMessage {
  const t = Date.UTC(2026, 10, day);
  return {
    seq,
    uid: seq * 10,
    internalDate: t,
    sentDate: t,
    size: 100,
    references: refs,
    envelope: { date: null, subject, from: null, sender: null, replyTo: null, to: null, cc: null, bcc: null, inReplyTo, messageId },
  };
}

const leaf = (id: number | null, ...children: ThreadNode[]): ThreadNode => ({ id, children });

describe('formatThreads (RFC 5256 section 5 thread-list)', () => {
  const table: Array<[string, ThreadNode[], string]> = [
    ['single', [leaf(1)], '(1)'],
    ['chain', [leaf(1, leaf(2, leaf(3)))], '(1 2 3)'],
    ['branches', [leaf(3, leaf(6), leaf(4, leaf(23)), leaf(44, leaf(7, leaf(96))))], '(3 (6)(4 23)(44 7 96))'],
    ['dummy root', [leaf(null, leaf(3), leaf(5))], '((3)(5))'],
    ['several roots', [leaf(2), leaf(1, leaf(4)), leaf(null, leaf(5), leaf(6, leaf(7), leaf(8)))], '(2)(1 4)((5)(6 (7)(8)))'],
    ['only child that is a dummy', [leaf(1, leaf(null, leaf(2), leaf(3)))], '(1 (2)(3))'],
  ];
  for (const [name, roots, want] of table) it(name, () => assert.equal(formatThreads(roots), want));

  it('a chain of 100,000 messages does not exhaust the stack', () => {
    let node = leaf(100000);
    for (let i = 99999; i >= 1; i--) node = leaf(i, node);
    const text = formatThreads([node]);
    assert.ok(text.startsWith('(1 2 3 ') && text.endsWith(' 99999 100000)'));
  });
});

describe('messageIds', () => {
  it('takes <left@right> ids in order, drops folding whitespace and invalid ones', () => {
    assert.deepEqual(messageIds('<a@b> (comment) <c@d>\r\n <e\r\n @f> <nodomain> <@x> <y@>'), ['a@b', 'c@d', 'e@f']);
    assert.deepEqual(messageIds(null), []);
  });
});

describe('THREAD=ORDEREDSUBJECT', () => {
  it('groups by base subject, orders each group and the groups by sent date, then sequence number', () => {
    const msgs = [
      m(1, 5, 'Re: Lunch', null),
      m(2, 1, 'lunch', null),
      m(3, 3, 'Budget', null),
      m(4, 4, 'Fwd: LUNCH', null),
      m(5, 3, '[team] budget', null),
      m(6, 9, null, null),
      m(7, 2, '', null),
    ];
    assert.equal(formatThreads(orderedSubjectThreads(msgs, false)), '(2 (4)(1))(7 6)(3 5)');
    assert.equal(formatThreads(orderedSubjectThreads(msgs, true)), '(20 (40)(10))(70 60)(30 50)');
    assert.deepEqual(orderedSubjectThreads([], false), []);
  });
});

describe('THREAD=REFERENCES', () => {
  const thread = (msgs: SortMessage[]): string => formatThreads(referencesThreads(msgs, false));

  it('links by References, falls back to In-Reply-To, and orders siblings by date', () => {
    const msgs = [
      m(1, 1, 'Plan', '<1@x>'),
      m(2, 3, 'Re: Plan', '<2@x>', '<1@x>'),
      m(3, 2, 'Re: Plan', '<3@x>', null, '<1@x> <zz@x>'),
      m(4, 4, 'Re: Plan', '<4@x>', '<1@x> <3@x>'),
      m(5, 5, 'Other', '<5@x>'),
    ];
    assert.equal(thread(msgs), '(1 (3 4)(2))(5)');
    assert.equal(formatThreads(referencesThreads(msgs, true)), '(10 (30 40)(20))(50)');
  });

  it('a missing parent becomes a dummy holding its children; one child alone at the top is promoted', () => {
    const msgs = [
      m(1, 1, 'Re: A', '<1@x>', '<gone@x>'),
      m(2, 2, 'Re: A', '<2@x>', '<gone@x>'),
      m(3, 3, 'Re: B', '<3@x>', '<lost@x>'),
      m(4, 4, 'Re: B', '<4@x>', '<lost@x> <3@x>'),
    ];
    assert.equal(thread(msgs), '((1)(2))(3 4)');
  });

  it('a dummy inside a thread is replaced by its children', () => {
    const msgs = [m(1, 1, 'A', '<1@x>'), m(2, 2, 'Re: A', '<2@x>', '<1@x> <gone@x>'), m(3, 3, 'Re: A', '<3@x>', '<1@x> <gone@x>')];
    assert.equal(thread(msgs), '(1 (2)(3))');
  });

  it('merges top-level threads by base subject: replies go under the original, equals under a new dummy', () => {
    const msgs = [
      m(1, 2, 'Re: Topic', '<1@x>'),
      m(2, 1, 'Topic', '<2@x>'),
      m(3, 3, 'Same', '<3@x>'),
      m(4, 4, 'same', '<4@x>'),
      m(5, 5, 'Re: Alone', '<5@x>'),
      m(6, 6, '', '<6@x>'),
      m(7, 7, '', '<7@x>'),
    ];
    assert.equal(thread(msgs), '(2 1)((3)(4))(5)(6)(7)');
  });

  it('a dummy root takes in messages with the same subject', () => {
    const msgs = [m(1, 1, 'Re: Q', '<1@x>', '<gone@x>'), m(2, 2, 'Re: Q', '<2@x>', '<gone@x>'), m(3, 3, 'Q', '<3@x>')];
    assert.equal(thread(msgs), '((1)(2)(3))');
  });

  it('duplicate Message-IDs: the later message gets an id of its own; a link that would close a loop is not made', () => {
    const msgs = [
      m(1, 1, 'X', '<1@x>'),
      m(2, 2, 'Y', '<1@x>', '<1@x>'),
      m(3, 3, 'Z', '<3@x>', '<4@x>'),
      m(4, 4, 'W', '<4@x>', '<3@x>'),
      m(5, 5, 'V', '<5@x>', '<5@x>'),
    ];
    assert.equal(thread(msgs), '(1 2)(4 3)(5)');
  });

  it('messages without Message-ID stand alone', () => {
    assert.equal(thread([m(1, 2, 'P', null), m(2, 1, 'Q', null)]), '(2)(1)');
    assert.deepEqual(referencesThreads([], false), []);
  });

  it('a chain of 20,000 replies is threaded without exhausting the stack', () => {
    const msgs: SortMessage[] = [];
    for (let i = 1; i <= 20000; i++) msgs.push(m(i, 1, 'Re: long', `<${i}@x>`, i > 1 ? `<${i - 1}@x>` : null));
    const text = thread(msgs);
    assert.ok(text.startsWith('(1 2 3 ') && text.endsWith(' 20000)'));
  });
});
