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

/** subj-refwd with its leading blobs (subj-leader's first form): *subj-blob ("re" / "fw" ["d"]) *WSP [subj-blob] ":". */
const LEADER = /^(?:\[[^[\]]*\] *)*(?:re|fwd?) *(?:\[[^[\]]*\] *)?:/i;
/** subj-blob: "[" *BLOBCHAR "]" *WSP. */
const BLOB = /^\[[^[\]]*\] */;
/** subj-trailer: "(fwd)" / WSP. */
const FWD_TRAILER = /\(fwd\)$/i;

/** removeTrailers is step (2): drops trailing "(fwd)" and spaces; tells whether a "(fwd)" went. */
function removeTrailers(s: string): { s: string; fwd: boolean } {
  let fwd = false;
  for (;;) {
    if (s.endsWith(' ')) s = s.slice(0, -1);
    else if (FWD_TRAILER.test(s)) {
      s = s.slice(0, -5);
      fwd = true;
    } else return { s, fwd };
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
    s = t.s;
    if (t.fwd) replyOrForward = true;
    for (;;) {
      if (s.startsWith(' ')) {
        s = s.slice(1);
        continue;
      }
      const leader = LEADER.exec(s);
      if (leader !== null) {
        s = s.slice(leader[0].length);
        replyOrForward = true;
        continue;
      }
      const blob = BLOB.exec(s);
      if (blob !== null && /[^ ]/.test(s.slice(blob[0].length))) {
        s = s.slice(blob[0].length);
        continue;
      }
      break;
    }
    if (s.length >= 6 && s.slice(0, 5).toLowerCase() === '[fwd:' && s.endsWith(']')) {
      s = s.slice(5, -1);
      replyOrForward = true;
      continue;
    }
    return { subject: s, replyOrForward };
  }
}
