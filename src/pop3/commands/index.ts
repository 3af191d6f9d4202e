/** The POP3 dispatch table: every command, by upper-case name. APOP is not offered: passwords are kept only as argon2 hashes, which APOP cannot check. */
import type { CommandSpec } from '../command.js';
import { authCommand } from './auth.js';
import { capaCommand } from './capa.js';
import { listCommand, statCommand, uidlCommand } from './listing.js';
import { deleCommand, noopCommand, rsetCommand } from './marks.js';
import { quitCommand } from './quit.js';
import { retrCommand, topCommand } from './retrieve.js';
import { stlsCommand } from './stls.js';
import { passCommand, userCommand } from './user-pass.js';

// Each spec's argument type is its own; the table erases it (parse and run of one spec always go together).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const all: Array<CommandSpec<any>> = [
  capaCommand,
  stlsCommand,
  userCommand,
  passCommand,
  authCommand,
  statCommand,
  listCommand,
  uidlCommand,
  retrCommand,
  topCommand,
  deleCommand,
  rsetCommand,
  noopCommand,
  quitCommand,
];

/** commands maps each command name to its spec. */
export const commands: ReadonlyMap<string, CommandSpec> = new Map(all.map((c) => [c.name, c as CommandSpec]));
