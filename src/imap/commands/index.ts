/**
 * commands is the one dispatch table: command name (upper-case, without "UID ") to its CommandSpec.
 */
import type { CommandSpec } from '../command.js';
import { appendCommand } from './append.js';
import { authenticateCommand } from './authenticate.js';
import { capabilityCommand, checkCommand, idCommand, logoutCommand, noopCommand } from './simple.js';
import { closeCommand, unselectCommand } from './close.js';
import { compressCommand } from './compress.js';
import { copyCommand, moveCommand } from './copy.js';
import { createCommand } from './create.js';
import { deleteCommand } from './delete.js';
import { enableCommand } from './enable.js';
import { expungeCommand } from './expunge.js';
import { fetchCommand } from './fetch.js';
import { idleCommand } from './idle.js';
import { listCommand } from './list.js';
import { loginCommand } from './login.js';
import { lsubCommand } from './lsub.js';
import { namespaceCommand } from './namespace.js';
import { getQuotaCommand, getQuotaRootCommand, setQuotaCommand } from './quota.js';
import { renameCommand } from './rename.js';
import { replaceCommand } from './replace.js';
import { searchCommand } from './search.js';
import { sortCommand } from './sort.js';
import { threadCommand } from './thread.js';
import { examineCommand, selectCommand } from './select.js';
import { starttlsCommand } from './starttls.js';
import { statusCommand } from './status.js';
import { storeCommand } from './store.js';
import { subscribeCommand } from './subscribe.js';
import { unsubscribeCommand } from './unsubscribe.js';

const all: CommandSpec<any>[] = [
  capabilityCommand,
  noopCommand,
  logoutCommand,
  idCommand,
  checkCommand,
  starttlsCommand,
  loginCommand,
  authenticateCommand,
  enableCommand,
  namespaceCommand,
  selectCommand,
  examineCommand,
  createCommand,
  deleteCommand,
  renameCommand,
  subscribeCommand,
  unsubscribeCommand,
  listCommand,
  lsubCommand,
  statusCommand,
  appendCommand,
  closeCommand,
  unselectCommand,
  expungeCommand,
  searchCommand,
  sortCommand,
  threadCommand,
  fetchCommand,
  storeCommand,
  copyCommand,
  moveCommand,
  idleCommand,
  getQuotaCommand,
  getQuotaRootCommand,
  setQuotaCommand,
  compressCommand,
  replaceCommand,
];

/**
 * commands maps each command name to its spec. The table forgets each spec's argument type and states;
 * the dispatcher keeps them apart as the types did: it hands run only what the spec's own parse returned,
 * and runs it only in one of its states, with that state's context (command.ts contextFor).
 */
export const commands: ReadonlyMap<string, CommandSpec> = new Map(all.map((c): [string, CommandSpec] => [c.name, c]));
