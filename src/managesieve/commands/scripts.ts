/**
 * The script commands of RFC 5804, all in the authenticated state: HAVESPACE (section 2.5), PUTSCRIPT
 * (2.6), LISTSCRIPTS (2.7), SETACTIVE (2.8), GETSCRIPT (2.9), DELETESCRIPT (2.10), RENAMESCRIPT (2.11) and
 * CHECKSCRIPT (2.12). Scripts are compiled by src/sieve before they are stored, so a stored script always
 * compiled; the store keeps the names, the limits and the one active script (Store.putSieveScript ...).
 */
import { compileSieve, SieveCompileError } from '../../sieve/index.js';
import { scriptNameProblem } from '../../store/sieve-names.js';
import type { CommandSpec, ManageSieveSession } from '../command.js';
import { bad, refuse } from '../errors.js';
import type { Token } from '../reader.js';
import { encodeString } from '../wire.js';
import { noArguments, strings } from './args.js';

/** requireName refuses a script name RFC 5804 section 1.6 does not allow. */
function requireName(name: string): void {
  const problem = scriptNameProblem(name);
  if (problem) throw refuse(`Invalid script name: ${problem}.`);
}

/**
 * check refuses a script over the size limit (NO (QUOTA/MAXSIZE)) and compiles it with what the server can
 * do (redirect and vacation only with an outgoing relay); a script that does not compile is answered NO with
 * `line L: reason` (RFC 5804 section 2.6).
 */
function check(session: ManageSieveSession, source: string): void {
  const octets = Buffer.byteLength(source);
  const max = session.scriptLimits.maxOctets;
  if (octets > max) throw refuse(`Script is larger than ${max} octets.`, 'QUOTA/MAXSIZE');
  try {
    compileSieve(source, { outgoing: session.outgoing, limits: { maxScriptOctets: max } });
  } catch (err) {
    if (err instanceof SieveCompileError) throw refuse(`line ${err.line}: ${err.message}`);
    throw err;
  }
}

/** HAVESPACE name size: OK when a script of `size` octets could be stored as `name`, else NO (QUOTA/MAXSIZE) or (QUOTA/MAXSCRIPTS). */
export const havespaceCommand: CommandSpec<{ name: string; size: number }, 'authenticated'> = {
  name: 'HAVESPACE',
  states: ['authenticated'],
  parse(args: readonly Token[]) {
    if (args.length !== 2) throw bad(`HAVESPACE takes 2 arguments, ${args.length} given.`);
    const [name, size] = args as [Token, Token];
    if (name.kind !== 'string') throw bad('HAVESPACE: the script name must be a string.');
    if (size.kind !== 'number') throw bad('HAVESPACE: the size must be a number.');
    return { name: name.value, size: size.value };
  },
  async run({ session, account }, { name, size }) {
    requireName(name);
    const { maxOctets, maxScripts } = session.scriptLimits;
    if (size > maxOctets) throw refuse(`Script is larger than ${maxOctets} octets.`, 'QUOTA/MAXSIZE');
    const scripts = await session.store.listSieveScripts(account.id);
    if (!scripts.some((s) => s.name === name) && scripts.length >= maxScripts) throw refuse(`Too many scripts: at most ${maxScripts}.`, 'QUOTA/MAXSCRIPTS');
    return 'Putscript would succeed.';
  },
};

/** PUTSCRIPT name script: compiles, then stores (replacing a script of that name, which stays active if it was). */
export const putscriptCommand: CommandSpec<{ name: string; source: string }, 'authenticated'> = {
  name: 'PUTSCRIPT',
  states: ['authenticated'],
  parse(args) {
    const [name, source] = strings(args, 'PUTSCRIPT', 2);
    return { name: name!, source: source! };
  },
  async run({ session, account }, { name, source }) {
    requireName(name);
    check(session, source);
    await session.store.putSieveScript(account.id, name, source, session.scriptLimits);
    session.log.info({ script: name, octets: Buffer.byteLength(source) }, 'script stored');
    return 'Putscript completed.';
  },
};

/** CHECKSCRIPT script: compiles without storing. */
export const checkscriptCommand: CommandSpec<string, 'authenticated'> = {
  name: 'CHECKSCRIPT',
  states: ['authenticated'],
  parse: (args) => strings(args, 'CHECKSCRIPT', 1)[0]!,
  async run({ session }, source) {
    check(session, source);
    return 'Script is valid.';
  },
};

/** LISTSCRIPTS: one line per script, its name and ACTIVE after the active one, then OK. */
export const listscriptsCommand: CommandSpec<void, 'authenticated'> = {
  name: 'LISTSCRIPTS',
  states: ['authenticated'],
  parse: (args) => noArguments(args, 'LISTSCRIPTS'),
  async run({ session, account }) {
    const scripts = await session.store.listSieveScripts(account.id);
    session.write(scripts.map((s) => `${encodeString(s.name)}${s.active ? ' ACTIVE' : ''}\r\n`).join(''));
    return 'Listscripts completed.';
  },
};

/** SETACTIVE name: makes `name` the active script; "" deactivates every script. */
export const setactiveCommand: CommandSpec<string, 'authenticated'> = {
  name: 'SETACTIVE',
  states: ['authenticated'],
  parse: (args) => strings(args, 'SETACTIVE', 1)[0]!,
  async run({ session, account }, name) {
    await session.store.setActiveSieveScript(account.id, name === '' ? null : name);
    session.log.info({ script: name === '' ? null : name }, 'active script set');
    return name === '' ? 'Script deactivated.' : 'Setactive completed.';
  },
};

/** GETSCRIPT name: the source as a literal, then OK; NO (NONEXISTENT) without such a script. */
export const getscriptCommand: CommandSpec<string, 'authenticated'> = {
  name: 'GETSCRIPT',
  states: ['authenticated'],
  parse: (args) => strings(args, 'GETSCRIPT', 1)[0]!,
  async run({ session, account }, name) {
    const source = await session.store.getSieveScript(account.id, name);
    if (source === null) throw refuse('There is no script by that name.', 'NONEXISTENT');
    session.write(`{${Buffer.byteLength(source)}}\r\n${source}\r\n`);
    return 'Getscript completed.';
  },
};

/** DELETESCRIPT name: NO (ACTIVE) for the active script, NO (NONEXISTENT) without such a script. */
export const deletescriptCommand: CommandSpec<string, 'authenticated'> = {
  name: 'DELETESCRIPT',
  states: ['authenticated'],
  parse: (args) => strings(args, 'DELETESCRIPT', 1)[0]!,
  async run({ session, account }, name) {
    await session.store.deleteSieveScript(account.id, name);
    session.log.info({ script: name }, 'script deleted');
    return 'Deletescript completed.';
  },
};

/** RENAMESCRIPT old new: NO (NONEXISTENT) or (ALREADYEXISTS); an active script stays active. */
export const renamescriptCommand: CommandSpec<{ from: string; to: string }, 'authenticated'> = {
  name: 'RENAMESCRIPT',
  states: ['authenticated'],
  parse(args) {
    const [from, to] = strings(args, 'RENAMESCRIPT', 2);
    return { from: from!, to: to! };
  },
  async run({ session, account }, { from, to }) {
    requireName(to);
    await session.store.renameSieveScript(account.id, from, to);
    session.log.info({ script: from, to }, 'script renamed');
    return 'Renamescript completed.';
  },
};
