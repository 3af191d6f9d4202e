/**
 * THREAD=REFERENCES (RFC 5256 section 3, after Jamie Zawinski's algorithm): parent/child links from
 * Message-ID, References and In-Reply-To, dummy parents for messages referenced but not present, pruning,
 * merging of top-level threads with the same base subject, and sent-date order among siblings.
 * Every walk over the tree is iterative, so a chain of 100,000 replies cannot exhaust the call stack.
 */
import { baseSubject } from '../../mime/base-subject.js';
import { casemapKey } from '../sort/collate.js';
import type { SortMessage } from '../sort/messages.js';
import { bySentDate } from './ordered-subject.js';
import type { ThreadNode } from './tree.js';

interface Container {
  msg: SortMessage | null;
  parent: Container | null;
  children: Container[];
}

/** A msg-id between angle brackets, inside which whitespace (folding, comments' leftovers) is dropped. */
const MSG_ID = /<([^<>]*)>/g;

/** messageIds returns the valid msg-ids (RFC 5322 section 3.6.4: "<left@right>") of a field value, without brackets, in order. */
export function messageIds(value: string | null): string[] {
  if (value === null) return [];
  const out: string[] = [];
  for (const m of value.matchAll(MSG_ID)) {
    const id = m[1]!.replace(/\s+/g, '');
    const at = id.indexOf('@');
    if (at > 0 && at < id.length - 1) out.push(id);
  }
  return out;
}

/**
 * isAncestor tells whether `a` is `b` or one of its ancestors, that is whether making `a` a child of `b`
 * would close a loop. Without children `a` can only be `b` itself, which keeps the common case (replies
 * arriving after what they answer) free of the walk up the tree.
 */
function isAncestor(a: Container, b: Container): boolean {
  if (a.children.length === 0) return a === b;
  for (let c: Container | null = b; c !== null; c = c.parent) if (c === a) return true;
  return false;
}

function link(parent: Container, child: Container): void {
  child.parent = parent;
  parent.children.push(child);
}

function unlink(child: Container): void {
  const p = child.parent;
  if (p === null) return;
  p.children.splice(p.children.indexOf(child), 1);
  child.parent = null;
}

/** The message a container is dated and named by: its own, or for a dummy its first child's (RFC 5256 step 6). */
function representative(c: Container): SortMessage {
  return c.msg ?? c.children[0]!.msg!;
}

function compareContainers(a: Container, b: Container): number {
  return bySentDate(representative(a), representative(b));
}

/** Step 1: the containers of all messages and all referenced ids, linked; returns them in creation order. */
function linkMessages(msgs: readonly SortMessage[]): Container[] {
  const byId = new Map<string, Container>();
  const all: Container[] = [];
  const get = (id: string): Container => {
    let c = byId.get(id);
    if (c === undefined) {
      c = { msg: null, parent: null, children: [] };
      byId.set(id, c);
      all.push(c);
    }
    return c;
  };
  for (const m of msgs) {
    const id = messageIds(m.envelope?.messageId ?? null)[0];
    let c: Container;
    if (id === undefined || byId.get(id)?.msg != null) {
      // No Message-ID, or a duplicate of an earlier message's: the message gets a unique id of its own.
      c = { msg: null, parent: null, children: [] };
      all.push(c);
    } else {
      c = get(id);
    }
    c.msg = m;
    let refs = messageIds(m.references);
    if (refs.length === 0) refs = messageIds(m.envelope?.inReplyTo ?? null).slice(0, 1);
    let prev: Container | null = null;
    for (const ref of refs) {
      const r = get(ref);
      // 1.A: link consecutive references unless already linked or a loop would follow.
      if (prev !== null && r.parent === null && !isAncestor(r, prev)) link(prev, r);
      prev = r;
    }
    // 1.B: the last reference is the parent; it overrides a parent guessed from another message's References.
    unlink(c);
    if (prev !== null && !isAncestor(c, prev)) link(prev, c);
  }
  return all;
}

/** postOrder lists the containers under `roots`, children before their parent. */
function postOrder(roots: Iterable<Container>): Container[] {
  const out: Container[] = [];
  const stack: Array<[Container, boolean]> = [];
  for (const r of roots) stack.push([r, false]);
  while (stack.length > 0) {
    const [c, expanded] = stack.pop()!;
    if (expanded) {
      out.push(c);
      continue;
    }
    stack.push([c, true]);
    for (const ch of c.children) stack.push([ch, false]);
  }
  return out;
}

/**
 * Step 4: drops dummies without children and splices the children of the others into their place; at
 * the top level a dummy stays when it has more than one child. Returns the new root list.
 */
function prune(roots: Container[]): Container[] {
  for (const c of postOrder(roots)) {
    if (!c.children.some((ch) => ch.msg === null)) continue;
    const kept: Container[] = [];
    for (const ch of c.children) {
      if (ch.msg !== null) kept.push(ch);
      else for (const g of ch.children) kept.push(g);
    }
    for (const k of kept) k.parent = c;
    c.children = kept;
  }
  const out: Container[] = [];
  for (const r of roots) {
    if (r.msg !== null || r.children.length > 1) out.push(r);
    else if (r.children.length === 1) {
      r.children[0]!.parent = null;
      out.push(r.children[0]!);
    }
  }
  return out;
}

/** Steps 5 and 6: sorts every set of siblings by sent date, children first so that dummies are dated by their first child. */
function sortSiblings(roots: Container[]): void {
  for (const c of postOrder(roots)) if (c.children.length > 1) c.children.sort(compareContainers);
  roots.sort(compareContainers);
}

/** Step 5: merges top-level threads whose base subjects are equal (RFC 5256 step 5.B). */
function mergeBySubject(roots: Container[]): Container[] {
  const info = new Map<Container, { key: string; re: boolean }>();
  const subjectOf = (c: Container): { key: string; re: boolean } => {
    let v = info.get(c);
    if (v === undefined) {
      const b = baseSubject(representative(c).envelope?.subject ?? null);
      v = { key: casemapKey(b.subject), re: b.replyOrForward };
      info.set(c, v);
    }
    return v;
  };
  const table = new Map<string, Container>();
  for (const c of roots) {
    const { key, re } = subjectOf(c);
    if (key === '') continue;
    const old = table.get(key);
    // A dummy is the best root for a subject; among messages, one that is not a reply or forward.
    if (old === undefined || (c.msg === null && old.msg !== null) || (old.msg !== null && c.msg !== null && subjectOf(old).re && !re)) {
      table.set(key, c);
    }
  }
  const rootSet = new Set(roots);
  for (const c of roots) {
    const { key, re } = subjectOf(c);
    if (key === '') continue;
    const t = table.get(key)!;
    if (t === c || !rootSet.has(c)) continue;
    if (t.msg === null && c.msg === null) {
      for (const ch of c.children) link(t, ch);
      c.children = [];
      rootSet.delete(c);
    } else if (t.msg === null) {
      link(t, c);
      rootSet.delete(c);
    } else if (c.msg === null) {
      link(c, t);
      rootSet.delete(t);
      table.set(key, c);
    } else if (re && !subjectOf(t).re) {
      link(t, c);
      rootSet.delete(c);
    } else {
      const d: Container = { msg: null, parent: null, children: [] };
      link(d, t);
      link(d, c);
      info.set(d, { key, re: false });
      rootSet.delete(t);
      rootSet.delete(c);
      rootSet.add(d);
      table.set(key, d);
    }
  }
  return [...rootSet];
}

/** toNodes turns containers into ThreadNodes with UIDs or sequence numbers as ids. */
function toNodes(roots: Container[], uid: boolean): ThreadNode[] {
  const node = (c: Container): ThreadNode => ({ id: c.msg === null ? null : uid ? c.msg.uid : c.msg.seq, children: [] });
  const out = roots.map(node);
  const stack: Array<[Container, ThreadNode]> = roots.map((r, i) => [r, out[i]!]);
  while (stack.length > 0) {
    const [c, n] = stack.pop()!;
    for (const ch of c.children) {
      const cn = node(ch);
      n.children.push(cn);
      stack.push([ch, cn]);
    }
  }
  return out;
}

/**
 * referencesThreads threads `msgs` (with `references` loaded) by THREAD=REFERENCES; node ids are UIDs when
 * `uid`, else sequence numbers. Sent dates fall back to the internal date (RFC 5256 section 2.2); equal
 * dates keep sequence number order.
 */
export function referencesThreads(msgs: readonly SortMessage[], uid: boolean): ThreadNode[] {
  const all = linkMessages(msgs);
  let roots = prune(all.filter((c) => c.parent === null));
  sortSiblings(roots);
  roots = mergeBySubject(roots);
  sortSiblings(roots);
  return toNodes(roots, uid);
}
