/**
 * The base subject of RFC 5256 section 2.1, which SORT SUBJECT and both THREAD algorithms compare: the
 * Subject with RFC 2047 words decoded, whitespace collapsed, and the reply/forward artifacts ("Re:",
 * "Fwd:", "[list-tag]", "(fwd)", "[Fwd: ...]") removed.
 */
import { decodeHeaderValue } from './decode.js';

/** BaseSubject: the extracted text and whether a reply or forward artifact was removed to get it (RFC 5256 section 2.1, used by THREAD=REFERENCES step 5). */
export interface BaseSubject {
  subject: string;
  replyOrForward: boolean;
}

/** A run of subj-blob ("[" *BLOBCHAR "]" *WSP); nothing follows the star, so the match never backtracks. */
const BLOB_RUN = /^(?:\[[^[\]]*\] *)*/;
/** One subj-blob. */
const BLOB = /^\[[^[\]]*\] */;
/** subj-refwd: ("re" / ("fw" ["d"])) *WSP [subj-blob] ":". */
const REFWD = /^(?:re|fwd?) *(?:\[[^[\]]*\] *)?:/i;

/** removeTrailers is step (2): drops trailing "(fwd)" and spaces; tells whether a "(fwd)" went. */
function removeTrailers(s: string): { s: string; fwd: boolean } {
  let fwd = false;
  for (;;) {
    if (s.endsWith(' ')) s = s.slice(0, -1);
    else if (s.length >= 5 && s.slice(-5).toLowerCase() === '(fwd)') {
      s = s.slice(0, -5);
      fwd = true;
    } else return { s, fwd };
  }
}

/**
 * removeLeaders is steps (3) to (5): drops leading spaces and subj-leaders ("[blob] Re:"), and leading
 * blobs while something follows them. A run of blobs is scanned once, not once per blob, so a subject of
 * many thousands of "[x]" costs linear time.
 */
function removeLeaders(s: string): { s: string; refwd: boolean } {
  let refwd = false;
  for (;;) {
    const space = /^ +/.exec(s);
    if (space !== null) s = s.slice(space[0].length);
    const run = BLOB_RUN.exec(s)![0];
    const after = s.slice(run.length);
    const leader = REFWD.exec(after);
    if (leader !== null) {
      s = after.slice(leader[0].length);
      refwd = true;
      continue;
    }
    if (run === '') return { s, refwd };
    // No "Re:" after the blobs: step (4) takes them one by one, keeping the last when nothing else is left.
    if (/[^ ]/.test(after)) {
      s = after;
      continue;
    }
    let last = 0;
    for (let rest = run; ; ) {
      const blob = BLOB.exec(rest)![0];
      if (blob.length === rest.length) break;
      last += blob.length;
      rest = rest.slice(blob.length);
    }
    return { s: s.slice(last), refwd };
  }
}

/**
 * baseSubject extracts the base subject from a raw Subject header value (null: no Subject, which gives "").
 * Steps of RFC 5256 section 2.1: (1) decode RFC 2047 words, tabs and line breaks to spaces, runs of spaces
 * to one; (2) remove "(fwd)" and space trailers; (3) remove a leading space or "Re:"/"Fw:"/"Fwd:" (with the
 * blobs before it and one blob before the colon); (4) remove a leading "[blob]" unless nothing would be
 * left; (5) repeat (3)-(4); (6) unwrap "[fwd: ...]" and repeat from (2). Case is kept: comparisons map it
 * (collate.ts).
 */
export function baseSubject(raw: string | null): BaseSubject {
  let s = decodeHeaderValue(raw ?? '').replace(/[\t\r\n]/g, ' ').replace(/ {2,}/g, ' ');
  let replyOrForward = false;
  for (;;) {
    const t = removeTrailers(s);
    const l = removeLeaders(t.s);
    s = l.s;
    if (t.fwd || l.refwd) replyOrForward = true;
    if (s.length >= 6 && s.slice(0, 5).toLowerCase() === '[fwd:' && s.endsWith(']')) {
      s = s.slice(5, -1);
      replyOrForward = true;
      continue;
    }
    return { subject: s, replyOrForward };
  }
}
