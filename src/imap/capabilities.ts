/**
 * capabilitiesFor lists what the server advertises in the current state (RFC 9051 section 7.2.2).
 * Only what works is listed: each extension here has tests. Before login the list is short and says
 * how to authenticate; after login it names the extensions.
 */
import { MAX_LITERAL_OCTETS } from '../limits.js';
import { SASL_MECHANISMS } from '../auth/sasl.js';

/** CapabilitySource: what the capability list depends on. */
export interface CapabilitySource {
  state: string;
  canStartTls: boolean;
  plaintextAuthAllowed: boolean;
}

/** Extensions advertised after login (IMAP4rev2 includes most; IMAP4rev1 clients need them named). */
const AUTHENTICATED = [
  'LITERAL+',
  'ID',
  'ENABLE',
  'IDLE',
  'NAMESPACE',
  'UNSELECT',
  'UIDPLUS',
  'MOVE',
  'CHILDREN',
  'SPECIAL-USE',
  'CREATE-SPECIAL-USE',
  'LIST-EXTENDED',
  'LIST-STATUS',
  'STATUS=SIZE',
  'BINARY',
  'MULTIAPPEND',
  'REPLACE',
  'UTF8=ACCEPT',
  'SAVEDATE',
  'OBJECTID',
  'PREVIEW',
  'COMPRESS=DEFLATE',
  'SASL-IR',
  `APPENDLIMIT=${MAX_LITERAL_OCTETS}`,
  'CONDSTORE',
  'QRESYNC',
  'QUOTA',
  'QUOTA=RES-STORAGE',
  'QUOTA=RES-MESSAGE',
  'ESEARCH',
  'SEARCHRES',
  'WITHIN',
  'SORT',
  'SORT=DISPLAY',
  'THREAD=ORDEREDSUBJECT',
  'THREAD=REFERENCES',
];

/** capabilitiesFor returns the capability atoms for a session, IMAP4rev2 and IMAP4rev1 first. */
export function capabilitiesFor(s: CapabilitySource): string[] {
  const caps = ['IMAP4rev2', 'IMAP4rev1'];
  if (s.state === 'not-authenticated') {
    caps.push('LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE');
    if (s.canStartTls) caps.push('STARTTLS');
    if (s.plaintextAuthAllowed) caps.push(...SASL_MECHANISMS.map((m) => `AUTH=${m}`));
    else caps.push('LOGINDISABLED');
    return caps;
  }
  return [...caps, ...AUTHENTICATED];
}
