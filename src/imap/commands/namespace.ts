/**
 * NAMESPACE (RFC 9051 section 6.3.10, RFC 2342).
 */
import type { CommandSpec } from '../command.js';
import { DELIMITER } from '../../store/mailbox-names.js';

/**
 * namespaceCommand: `NAMESPACE` answers `* NAMESPACE (("" "/")) NIL NIL`: one personal namespace with
 * the empty prefix and "/" as delimiter, no other users' or shared namespaces.
 */
export const namespaceCommand: CommandSpec<null, 'authenticated' | 'selected'> = {
  name: 'NAMESPACE',
  states: ['authenticated', 'selected'],
  parse(r) {
    r.end();
    return null;
  },
  async run({ session: s }) {
    s.out.untagged(`NAMESPACE (("" "${DELIMITER}")) NIL NIL`);
  },
};
