/**
 * LIST and LSUB patterns (RFC 9051 section 6.3.9, RFC 3501 section 6.3.9): the reference joined with
 * the mailbox pattern into a canonical pattern, and a matcher for it. "*" matches zero or more of any
 * character, "%" zero or more of any character but the hierarchy delimiter "/". INBOX is matched
 * case-insensitively (RFC 9051 section 5.1). Pure functions, no I/O.
 */
import { DELIMITER, isInboxRooted } from '../store/mailbox-names.js';

/**
 * joinListReference makes the canonical LIST pattern from a reference and a mailbox pattern
 * (RFC 9051 section 6.3.9). A pattern that starts with the delimiter overrides the reference
 * (the RFC's "~smith/Mail/" + "/usr/doc/foo" example); otherwise the two are concatenated, so
 * "archive/" + "%" is "archive/%". A reference not ending with "/" is, as the RFC allows and as
 * Dovecot and UW-IMAP do, simply concatenated too ("foo" + "bar" is "foobar").
 */
export function joinListReference(reference: string, pattern: string): string {
  if (pattern.startsWith(DELIMITER)) return pattern;
  return reference + pattern;
}

/**
 * compileListPattern returns a matcher for the canonical pattern of `reference` and `pattern`
 * (both UTF-8, already decoded from modified UTF-7). The matcher takes a normalized mailbox name
 * ("INBOX" spelled so) and tells whether the pattern matches all of it.
 * Name characters that stand for INBOX (the first five of "INBOX" or "INBOX/...") are compared
 * ASCII case-insensitively, so "inbox", "Inbox/%" and "i*" match INBOX; the rest is case-sensitive.
 * Runs in O(pattern length x name length) whatever the wildcards (no backtracking blow-up).
 */
export function compileListPattern(reference: string, pattern: string): (name: string) => boolean {
  const p = collapseWildcards(joinListReference(reference, pattern));
  if (!/[*%]/.test(p)) {
    // No wildcard: an exact name (INBOX in any case).
    const inboxCase = asciiUpper(p.slice(0, 5)) + p.slice(5);
    return (name) => name === p || (isInboxRooted(name) && name === inboxCase);
  }
  return (name) => matchPattern(p, name);
}

/** "**", "*%", "%*" collapse to "*", "%%" to "%": same language, fewer states. */
function collapseWildcards(p: string): string {
  let out = '';
  for (const ch of p) {
    const last = out[out.length - 1];
    if ((ch === '*' || ch === '%') && (last === '*' || last === '%')) {
      if (ch === '*') out = out.slice(0, -1) + '*';
      continue;
    }
    out += ch;
  }
  return out;
}

function asciiUpper(s: string): string {
  return s.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
}

/**
 * matchPattern simulates the pattern as an automaton over the name: state i means "p[0..i) matched".
 * A wildcard state may consume a character and stay, or be skipped (matching nothing).
 */
function matchPattern(p: string, name: string): boolean {
  const m = p.length;
  const inboxChars = isInboxRooted(name) ? 5 : 0;
  let cur = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  cur[0] = 1;
  skipWildcards(p, cur);
  for (let j = 0; j < name.length; j++) {
    next.fill(0);
    const c = name.charCodeAt(j);
    let alive = false;
    for (let i = 0; i < m; i++) {
      if (cur[i] === 0) continue;
      const pc = p.charCodeAt(i);
      if (pc === 0x2a /* * */ || (pc === 0x25 /* % */ && c !== 0x2f /* / */)) {
        next[i] = 1;
        alive = true;
      } else if (pc === c || (j < inboxChars && pc >= 0x61 && pc <= 0x7a && pc - 32 === c)) {
        next[i + 1] = 1;
        alive = true;
      }
    }
    if (!alive) return false;
    skipWildcards(p, next);
    [cur, next] = [next, cur];
  }
  return cur[m] === 1;
}

/** A wildcard can match nothing: wherever a wildcard state is active, the state after it is too. */
function skipWildcards(p: string, states: Uint8Array): void {
  for (let i = 0; i < p.length; i++) {
    if (states[i] === 1 && (p[i] === '*' || p[i] === '%')) states[i + 1] = 1;
  }
}

/** patternEndsWithPercent tells whether the canonical pattern ends with "%" (LSUB's \Noselect rule, RFC 3501 section 6.3.9). */
export function patternEndsWithPercent(reference: string, pattern: string): boolean {
  return joinListReference(reference, pattern).endsWith('%');
}
