/**
 * Object ids of RFC 8474 (OBJECTID): MAILBOXID and EMAILID, built from the store's per-account ids.
 * A mailbox keeps its store id across RENAME and a deleted mailbox's id is never handed out again, as
 * MAILBOXID requires (RFC 8474 section 4); copies (COPY, MOVE) share the stored body, so they share the
 * EMAILID (section 5.1). THREADID is NIL: the server does not group messages into threads (section 5.2).
 */

/** mailboxObjectId returns the MAILBOXID of a mailbox: "F" and its store id, e.g. "F3" (RFC 8474 `objectid`). */
export function mailboxObjectId(mailboxId: number): string {
  return `F${mailboxId}`;
}

/** emailObjectId returns the EMAILID of a message: "M" and its stored body's id, e.g. "M12". */
export function emailObjectId(bodyId: number): string {
  return `M${bodyId}`;
}
