/**
 * The result of THREAD (RFC 5256 sections 3 and 4): a forest of messages, and its wire form, the `thread-list`s
 * of the untagged THREAD response.
 */

/** ThreadNode: a message (`id`: its sequence number or UID) or a dummy parent (`id` null), with its children in order. */
export interface ThreadNode {
  id: number | null;
  children: ThreadNode[];
}

/**
 * formatThreads writes the forest as the THREAD response data after "THREAD" (without the leading SP):
 * one `thread-list` per root. A message with one child is followed by it in the same list ("(1 2 3)");
 * with several, each child starts its own nested list ("(1 (2)(3 4))"); a dummy parent writes only its
 * children's lists ("((1)(2))"). Iterative, so very deep threads cannot exhaust the call stack.
 */
export function formatThreads(roots: readonly ThreadNode[]): string {
  const out: string[] = [];
  // Each entry is a node to open as "(..." or a ")" to close a list.
  const stack: Array<ThreadNode | ')'> = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(')', roots[i]!);
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top === ')') {
      out.push(')');
      continue;
    }
    out.push('(');
    let node = top;
    let first = true;
    // Follow the chain of only children inside this list.
    while (node.id !== null && node.children.length === 1) {
      out.push(first ? String(node.id) : ' ' + String(node.id));
      first = false;
      node = node.children[0]!;
    }
    if (node.id !== null) {
      out.push(first ? String(node.id) : ' ' + String(node.id));
      if (node.children.length > 0) out.push(' ');
    } else if (!first) {
      out.push(' ');
    }
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(')', node.children[i]!);
  }
  return out.join('');
}
