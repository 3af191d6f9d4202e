/**
 * The exact capability lists the server advertises (RFC 9051 section 7.2.2), in one place for every test
 * that asserts them: before login on a port where STARTTLS is offered is PRE_LOGIN + " STARTTLS ...".
 */

/** PRE_LOGIN is the start of the list before authentication (then STARTTLS and AUTH= or LOGINDISABLED). */
export const PRE_LOGIN = 'IMAP4rev2 IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE';

/** POST_LOGIN is the whole list after authentication. */
export const POST_LOGIN =
  'IMAP4rev2 IMAP4rev1 LITERAL+ ID ENABLE IDLE NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE CREATE-SPECIAL-USE LIST-EXTENDED LIST-STATUS ' +
  'STATUS=SIZE BINARY MULTIAPPEND REPLACE UTF8=ACCEPT SAVEDATE OBJECTID PREVIEW COMPRESS=DEFLATE SASL-IR APPENDLIMIT=67108864 ' +
  'CONDSTORE QRESYNC QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE ESEARCH SEARCHRES WITHIN SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES';

/** loggedIn matches the tagged OK of a successful LOGIN/AUTHENTICATE with any tag "a<digits>". */
export const LOGGED_IN = new RegExp(`^a\\d+ OK \\[CAPABILITY ${POST_LOGIN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\] Logged in$`);
