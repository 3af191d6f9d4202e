/**
 * The commands valid in any state: CAPABILITY, NOOP, LOGOUT (RFC 9051 section 6.1), ID (RFC 2971),
 * and CHECK (IMAP4rev1, RFC 3501 section 6.4.1; a NOOP here because every write is already durable).
 */
import type { CommandSpec } from '../command.js';
import { imapString } from '../../protocol/encoder.js';
import { ParseError } from '../../protocol/types.js';

const ANY = ['not-authenticated', 'authenticated', 'selected'] as const;

/** CAPABILITY (RFC 9051 section 6.1.1). */
export const capabilityCommand: CommandSpec<void> = {
  name: 'CAPABILITY',
  states: ANY,
  parse: (r) => r.end(),
  async run({ session: s }) {
    s.out.untagged(`CAPABILITY ${s.capabilities().join(' ')}`);
  },
};

/** NOOP (RFC 9051 section 6.1.2): the dispatcher's sync after it reports pending changes. */
export const noopCommand: CommandSpec<void> = {
  name: 'NOOP',
  states: ANY,
  parse: (r) => r.end(),
  async run() {},
};

/** CHECK (RFC 3501 section 6.4.1): nothing to flush, every acknowledged write is on disk. */
export const checkCommand: CommandSpec<void, 'selected'> = {
  name: 'CHECK',
  states: ['selected'],
  parse: (r) => r.end(),
  async run() {},
};

/** LOGOUT (RFC 9051 section 6.1.3): `* BYE` before the tagged OK, then close. */
export const logoutCommand: CommandSpec<void> = {
  name: 'LOGOUT',
  states: ANY,
  parse: (r) => r.end(),
  async run({ session: s }) {
    s.out.untagged('BYE Logging out');
    s.afterTagged(() => s.close());
    s.deselect();
  },
};

/** Server identification returned by ID (RFC 2971 section 3.3). */
const SERVER_ID: Array<[string, string]> = [
  ['name', 'Letterbox'],
  ['vendor', 'Letterbox'],
  ['version', '0.1.0'],
];

/** ID (RFC 2971): accepts NIL or a list of at most 30 field/value pairs, answers with the server's. */
export const idCommand: CommandSpec<Array<[string, string | null]> | null> = {
  name: 'ID',
  states: ANY,
  parse(r) {
    r.space();
    let params: Array<[string, string | null]> | null = null;
    if (r.tryChar('(')) {
      params = [];
      while (!r.tryChar(')')) {
        if (params.length > 0) r.space();
        const k = r.string().toString('utf8');
        r.space();
        const v = r.nstring();
        params.push([k, v === null ? null : v.toString('utf8')]);
        if (params.length > 30) throw new ParseError('ID: too many fields (RFC 2971 allows 30)');
      }
    } else {
      const a = r.atom();
      if (a.toUpperCase() !== 'NIL') throw new ParseError('ID expects a list or NIL');
    }
    r.end();
    return params;
  },
  async run({ session: s }, params) {
    if (params) s.log.debug({ clientId: Object.fromEntries(params) }, 'client ID');
    s.out.untagged(`ID (${SERVER_ID.map(([k, v]) => `${imapString(k)} ${imapString(v)}`).join(' ')})`);
  },
};
