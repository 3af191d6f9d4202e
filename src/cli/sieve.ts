/**
 * `letterbox sieve list|put|get|activate|deactivate|delete`: a user's Sieve scripts seen and changed by
 * the operator, with the rules ManageSieve applies (RFC 5804: names, one active script, the per-user limits
 * of managesieve.max_scripts and max_script_size; a script is compiled before it is stored). A running
 * server reads the active script at each delivery, so a change counts from the next message.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { Config } from '../config/types.js';
import { scriptNameProblem } from '../store/sieve-names.js';
import { StoreError, type SieveScriptLimits } from '../store/types.js';
import { addCommonOptions, adminLogger, checkedEmail, CliError, EXIT, requireAccount, resolveConfig, withStore, type CommonOptions } from './context.js';

/** sieveCommand builds the `sieve` command group. */
export function sieveCommand(): Command {
  const sieve = new Command('sieve').description("see and manage a user's Sieve filtering scripts (RFC 5228), as ManageSieve clients do");

  addCommonOptions(
    sieve
      .command('list')
      .description('list the scripts, one per line: name, whether it is the active one ("yes"/"no"), size in octets')
      .argument('<email>', 'the user'),
  ).action(async (address: string, opts: CommonOptions) => {
    const email = checkedEmail(address);
    const config = await resolveConfig(opts);
    const rows = await withStore(config, adminLogger(opts), false, async (store) => {
      const account = await requireAccount(store, email);
      return (await store.listSieveScripts(account.id)).map((s) => [s.name, s.active ? 'yes' : 'no', String(s.octets)]);
    });
    process.stdout.write([['NAME', 'ACTIVE', 'SIZE'], ...rows].map((r) => r.join('\t')).join('\n') + '\n');
  });

  addCommonOptions(
    sieve
      .command('put')
      .description('compile a script and store it under NAME (replacing a script of that name, which stays active if it was); prints the compile error "line L, column C: reason" and stores nothing when it does not compile')
      .argument('<email>', 'the user')
      .argument('<name>', 'the script name')
      .argument('[file]', 'the script (UTF-8); default: standard input')
      .option('--activate', 'also make it the active script'),
  ).action(async (address: string, name: string, file: string | undefined, opts: CommonOptions & { activate?: boolean }) => {
    const email = checkedEmail(address);
    requireName(name);
    const config = await resolveConfig(opts);
    const source = await readScript(file);
    const what = file ?? 'standard input';
    const { compileSieve, SieveCompileError } = await import('../sieve/index.js');
    const limits = await scriptLimits(config);
    if (Buffer.byteLength(source) > limits.maxOctets) {
      throw new CliError(`${what}: the script is ${Buffer.byteLength(source)} octets, more than the limit of ${limits.maxOctets} (managesieve.max_script_size)`, EXIT.ERROR);
    }
    try {
      compileSieve(source, { outgoing: config.outgoing.smtp !== null, limits: { maxScriptOctets: limits.maxOctets } });
    } catch (err) {
      if (err instanceof SieveCompileError) throw new CliError(`${what}: line ${err.line}, column ${err.column}: ${err.message}`, EXIT.DATAERR);
      throw err;
    }
    await withStore(config, adminLogger(opts), false, async (store) => {
      const account = await requireAccount(store, email);
      try {
        await store.putSieveScript(account.id, name, source, limits);
        if (opts.activate) await store.setActiveSieveScript(account.id, name);
      } catch (err) {
        throw refused(err, `cannot store script ${name}`);
      }
    });
    process.stdout.write(`stored script ${name} (${Buffer.byteLength(source)} octets)${opts.activate ? ', active' : ''}\n`);
  });

  addCommonOptions(
    sieve
      .command('get')
      .description("print a script's source exactly as stored")
      .argument('<email>', 'the user')
      .argument('<name>', 'the script name'),
  ).action(async (address: string, name: string, opts: CommonOptions) => {
    const email = checkedEmail(address);
    const config = await resolveConfig(opts);
    const source = await withStore(config, adminLogger(opts), false, async (store) => store.getSieveScript((await requireAccount(store, email)).id, name));
    if (source === null) throw new CliError(`no such script: ${name} (see "letterbox sieve list ${email}")`, EXIT.NOINPUT);
    process.stdout.write(source);
  });

  addCommonOptions(
    sieve
      .command('activate')
      .description('make NAME the active script, the one run at delivery (the previously active one is deactivated)')
      .argument('<email>', 'the user')
      .argument('<name>', 'the script name'),
  ).action(async (address: string, name: string, opts: CommonOptions) => {
    await change(address, opts, `cannot activate script ${name}`, (store, id) => store.setActiveSieveScript(id, name));
    process.stdout.write(`activated script ${name}\n`);
  });

  addCommonOptions(
    sieve
      .command('deactivate')
      .description('deactivate the active script: delivery runs no script')
      .argument('<email>', 'the user'),
  ).action(async (address: string, opts: CommonOptions) => {
    await change(address, opts, 'cannot deactivate', (store, id) => store.setActiveSieveScript(id, null));
    process.stdout.write('no script is active\n');
  });

  addCommonOptions(
    sieve
      .command('delete')
      .description('delete a script (not the active one: deactivate it first, or activate another)')
      .argument('<email>', 'the user')
      .argument('<name>', 'the script name'),
  ).action(async (address: string, name: string, opts: CommonOptions) => {
    await change(address, opts, `cannot delete script ${name}`, (store, id) => store.deleteSieveScript(id, name));
    process.stdout.write(`deleted script ${name}\n`);
  });

  return sieve;
}

type Store = Parameters<Parameters<typeof withStore>[3]>[0];

/** change runs one store change on the user's account; a refusal becomes a CliError (exit 66 for a script that does not exist, else 1). */
async function change(address: string, opts: CommonOptions, what: string, fn: (store: Store, accountId: number) => Promise<void>): Promise<void> {
  const email = checkedEmail(address);
  const config = await resolveConfig(opts);
  await withStore(config, adminLogger(opts), false, async (store) => {
    const account = await requireAccount(store, email);
    try {
      await fn(store, account.id);
    } catch (err) {
      throw refused(err, what);
    }
  });
}

/** refused turns a StoreError into the CLI's one-line error; anything else is returned as it is. */
function refused(err: unknown, what: string): unknown {
  if (!(err instanceof StoreError)) return err;
  if (err.kind === 'INUSE') return new CliError(`${what}: it is the active script; run "letterbox sieve deactivate" or activate another first`, EXIT.ERROR);
  return new CliError(`${what}: ${err.message}`, err.kind === 'NONEXISTENT' ? EXIT.NOINPUT : EXIT.ERROR);
}

/** requireName refuses a script name ManageSieve would refuse (RFC 5804 section 1.6), as a usage error. */
function requireName(name: string): void {
  // Checked here, not only by the store, so the error comes before anything is read or opened.
  const problem = scriptNameProblem(name);
  if (problem) throw new CliError(`invalid script name ${JSON.stringify(name)}: ${problem}`, EXIT.USAGE);
}

/** scriptLimits is the per-user limits from config.managesieve (max_script_size null: the interpreter's limit). */
async function scriptLimits(config: Config): Promise<SieveScriptLimits> {
  const { DEFAULT_SIEVE_LIMITS } = await import('../sieve/index.js');
  return { maxScripts: config.managesieve.maxScripts, maxOctets: config.managesieve.maxScriptOctets ?? DEFAULT_SIEVE_LIMITS.maxScriptOctets };
}

/** readScript reads FILE, or standard input without one, as strict UTF-8. Throws CliError (66 for a missing file, 65 for bytes that are not UTF-8). */
async function readScript(file: string | undefined): Promise<string> {
  let data: Buffer;
  try {
    data = file === undefined ? await readStdin() : await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`, EXIT.NOINPUT);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new CliError(`${file ?? 'standard input'}: the script is not UTF-8 text (RFC 5228 section 2.1)`, EXIT.DATAERR);
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
