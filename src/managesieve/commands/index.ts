/** The ManageSieve dispatch table: every command of RFC 5804 section 2 by its upper-case name. */
import type { CommandSpec, SessionState } from '../command.js';
import { checkscriptCommand, deletescriptCommand, getscriptCommand, havespaceCommand, listscriptsCommand, putscriptCommand, renamescriptCommand, setactiveCommand } from './scripts.js';
import { authenticateCommand, capabilityCommand, logoutCommand, noopCommand, starttlsCommand, unauthenticateCommand } from './session.js';

const all = [
  capabilityCommand,
  starttlsCommand,
  authenticateCommand,
  unauthenticateCommand,
  logoutCommand,
  noopCommand,
  havespaceCommand,
  putscriptCommand,
  checkscriptCommand,
  listscriptsCommand,
  setactiveCommand,
  getscriptCommand,
  deletescriptCommand,
  renamescriptCommand,
] as unknown as ReadonlyArray<CommandSpec<unknown, SessionState>>;

/** commands maps each command name to its spec. */
export const commands: ReadonlyMap<string, CommandSpec<unknown, SessionState>> = new Map(all.map((c) => [c.name, c]));
