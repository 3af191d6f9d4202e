/**
 * AUTHENTICATE (RFC 9051 section 6.2.2) with the PLAIN mechanism (RFC 4616) and an optional initial
 * response (SASL-IR, RFC 4959). "*" from the client cancels (BAD).
 */
import type { CommandSpec, Session } from '../command.js';
import { bad, no } from '../errors.js';
import { checkCredentials, requirePlaintextAllowed } from '../login.js';

interface AuthArgs {
  mechanism: string;
  /** Initial response as sent (base64, or "=" for empty), or null when absent. */
  initial: string | null;
}

/** AUTHENTICATE PLAIN [initial-response]. */
export const authenticateCommand: CommandSpec<AuthArgs> = {
  name: 'AUTHENTICATE',
  states: ['not-authenticated'],
  parse(r) {
    r.space();
    const mechanism = r.atom().toUpperCase();
    let initial: string | null = null;
    if (!r.atEnd()) {
      r.space();
      initial = r.atom();
    }
    r.end();
    return { mechanism, initial };
  },
  async run(s, { mechanism, initial }) {
    if (mechanism !== 'PLAIN') throw no(`Unsupported authentication mechanism ${mechanism}`, 'CANNOT');
    requirePlaintextAllowed(s);
    const response = initial ?? (await askResponse(s));
    const decoded = decodeBase64(response === '=' ? '' : response);
    // authzid NUL authcid NUL passwd
    const parts = decoded.toString('utf8').split('\0');
    if (parts.length !== 3) throw bad('Malformed PLAIN response');
    const [authzid, authcid, password] = parts as [string, string, string];
    if (authzid !== '' && authzid.toLowerCase() !== authcid.toLowerCase()) {
      throw no('Authorization identity must be empty or equal the user name.', 'AUTHORIZATIONFAILED');
    }
    const account = await checkCredentials(s, authcid, password);
    s.login(account);
    return `[CAPABILITY ${s.capabilities().join(' ')}] Logged in`;
  },
};

async function askResponse(s: Session): Promise<string> {
  s.continuation('');
  const line = await s.readLine();
  if (line === null) throw bad('Connection closed during authentication');
  const text = line.lines[0]!.toString('latin1').trim();
  if (line.literals.length > 0) throw bad('Literals are not allowed in an authentication response');
  if (text === '*') throw bad('Authentication cancelled');
  return text;
}

function decodeBase64(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw bad('Invalid base64 in authentication response');
  return Buffer.from(text, 'base64');
}
