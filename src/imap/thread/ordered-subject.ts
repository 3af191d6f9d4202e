/**
 * THREAD=ORDEREDSUBJECT (RFC 5256 section 3): messages grouped by base subject, each group ordered by
 * sent date, its first message the parent of all the others; groups ordered by their first message.
 */
import { baseSubject } from '../../mime/base-subject.js';
import { casemapKey, compareOctets } from '../sort/collate.js';
import type { SortMessage } from '../sort/messages.js';
import type { ThreadNode } from './tree.js';

/** bySentDate orders messages by sent date (RFC 5256 section 2.2), then sequence number. */
export function bySentDate(a: SortMessage, b: SortMessage): number {
  return a.sentDate - b.sentDate || a.seq - b.seq;
}

/** subjectKey is the base subject in its compared form (i;ascii-casemap). */
export function subjectKey(m: SortMessage): string {
  return casemapKey(baseSubject(m.envelope?.subject ?? null).subject);
}

/**
 * orderedSubjectThreads threads `msgs` by ORDEREDSUBJECT; node ids are UIDs when `uid`, else sequence
 * numbers. Messages without a subject form one thread of their own, like any other base subject.
 */
export function orderedSubjectThreads(msgs: readonly SortMessage[], uid: boolean): ThreadNode[] {
  const keyed = msgs.map((m) => ({ m, key: subjectKey(m) }));
  keyed.sort((a, b) => compareOctets(a.key, b.key) || bySentDate(a.m, b.m));
  const groups: SortMessage[][] = [];
  for (let i = 0; i < keyed.length; i++) {
    if (i === 0 || keyed[i]!.key !== keyed[i - 1]!.key) groups.push([]);
    groups[groups.length - 1]!.push(keyed[i]!.m);
  }
  groups.sort((a, b) => bySentDate(a[0]!, b[0]!));
  const id = (m: SortMessage): number => (uid ? m.uid : m.seq);
  return groups.map(([first, ...rest]) => ({ id: id(first!), children: rest.map((m) => ({ id: id(m), children: [] })) }));
}
