/**
 * `letterbox deliver RECIPIENT < message`: a local delivery agent for an MTA (Postfix's mailbox_command,
 * a procmail/fetchmail pipe). Same storage and the same deliver() path as LMTP and import, so it works
 * while `letterbox serve` runs, whose IDLE clients see the message. Exit status as sysexits(3), which
 * MTAs read: 75 (EX_TEMPFAIL) makes them keep the message and retry. The recipient's active Sieve script
 * runs as in LMTP (delivery/sieve.ts); a message it refuses exits 77 (EX_NOPERM), which makes the MTA bounce it.
 */
import { Command } from 'commander';
import { stripEnvelopeLine } from '../import/eml.js';
import { toCrlf } from '../mime/crlf.js';
import { MAX_MESSAGE_OCTETS } from '../limits.js';
import { StoreError, StoreOpenError } from '../store/types.js';
import { addCommonOptions, adminLogger, CliError, EXIT, resolveConfig, withStore, type CommonOptions } from './context.js';

interface DeliverOptions extends CommonOptions {
  mailbox?: string;
  from?: string;
}

const EXIT_HELP = `
Exit status (sysexits.h, as MTAs expect):
  0 delivered, 65 bad input (empty, or over ${MAX_MESSAGE_OCTETS} octets), 67 no such user,
  73 the message alone is larger than the user's quota, 74 cannot read the input,
  77 refused by the user's Sieve script (ereject, or reject without a relay for its MDN): the MTA bounces it,
  75 temporary failure (over quota, database busy, disk full): the MTA keeps the message and retries,
  78 configuration error, e.g. no data directory or no write access to it (the MTA retries too),
  70 internal error`;

/** deliverCommand builds the `deliver` command. */
export function deliverCommand(): Command {
  return addCommonOptions(
    new Command('deliver')
      .summary('deliver one message from standard input to a user (for an MTA\'s mailbox_command)')
      .description(
        'deliver the message on standard input to RECIPIENT\'s INBOX, or to the folder named by "user+folder@domain" or --mailbox when it exists ' +
          '(folders are never created). A leading mbox "From " line is removed and bare LF becomes CRLF. The user\'s active Sieve script runs ' +
          'first and decides; its keep goes to that same mailbox.',
      )
      .argument('<recipient>', 'the user\'s address, optionally user+folder@domain')
      .option('-m, --mailbox <name>', 'deliver into this mailbox when it exists (else INBOX); wins over +folder')
      .option('-f, --from <sender>', 'envelope sender: adds "Return-Path: <sender>" at the top ("" for the null sender); Sieve\'s envelope "from" (without it, the null sender)')
      .addHelpText('after', EXIT_HELP),
  ).action(async (address: string, opts: DeliverOptions) => {
    const input = await readInput(process.stdin, MAX_MESSAGE_OCTETS);
    const config = await resolveConfig(opts);
    const { resolveRecipient } = await import('../delivery/recipient.js');
    const { deliverWithSieve } = await import('../delivery/sieve.js');
    const { outgoingFor } = await import('../delivery/outgoing.js');
    const log = adminLogger(opts);
    try {
      await withStore(config, log, false, async (store) => {
        const recipient = await resolveRecipient(store, address);
        if (!recipient) throw new CliError(`no such user: ${address}`, EXIT.NOUSER);
        if (opts.mailbox !== undefined) recipient.detail = opts.mailbox;
        const ctx = {
          store,
          log,
          outgoing: outgoingFor(config.outgoing.smtp),
          ...(config.managesieve.maxScriptOctets !== null && { maxScriptOctets: config.managesieve.maxScriptOctets }),
        };
        const envelope = { from: opts.from ?? '', to: address };
        const outcome = await deliverWithSieve(ctx, recipient, envelope, input, opts.from !== undefined ? { returnPath: opts.from } : {}, { canRefuseReject: false });
        if (outcome.kind === 'refused') throw new CliError(`rejected by the Sieve script "${outcome.script}" of ${recipient.account.email}: ${outcome.reason}`, EXIT.NOPERM);
      });
    } catch (err) {
      throw asDeliveryError(err);
    }
  });
}

/**
 * readInput reads the message from `stream`: at most `maxOctets` octets are kept (past that, CliError
 * 65 without reading the rest into memory); a leading mbox "From " line is removed and bare LF becomes
 * CRLF. Throws CliError 65 for an empty message, 74 when the stream fails.
 */
export async function readInput(stream: NodeJS.ReadableStream, maxOctets: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let octets = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      octets += chunk.length;
      if (octets > maxOctets + 1024) throw new CliError(`message too large: over ${maxOctets} octets`, EXIT.DATAERR);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read the message from standard input: ${(err as Error).message}`, EXIT.IOERR);
  }
  const message = toCrlf(stripEnvelopeLine(Buffer.concat(chunks, octets)).message);
  if (message.length === 0) throw new CliError('empty message: nothing on standard input', EXIT.DATAERR);
  if (message.length > maxOctets) throw new CliError(`message too large: ${message.length} octets, the limit is ${maxOctets}`, EXIT.DATAERR);
  return message;
}

/**
 * asDeliveryError gives an error of the delivery its sysexits status: OVERQUOTA 75 (73 when the store
 * marks it permanent: the message alone is over the quota), NONEXISTENT 67, a busy or locked database,
 * disk full or I/O error 75, a missing or unwritable data directory 78; CliErrors keep theirs; anything
 * else is returned as is (main reports 70).
 */
export function asDeliveryError(err: unknown): unknown {
  if (err instanceof CliError) return err.exitCode === EXIT.NOINPUT ? new CliError(err.message, EXIT.CONFIG) : err;
  // A damaged database is repaired from a backup by the operator; meanwhile the MTA keeps the mail.
  if (err instanceof StoreOpenError) return new CliError(`not delivered: ${err.message}`, err.reason === 'damaged' ? EXIT.TEMPFAIL : EXIT.CONFIG);
  if (err instanceof StoreError) {
    if (err.kind === 'OVERQUOTA') {
      const permanent = err.permanent;
      return new CliError(`not delivered: ${err.message}`, permanent ? EXIT.CANTCREAT : EXIT.TEMPFAIL);
    }
    if (err.kind === 'NONEXISTENT') return new CliError(`not delivered: ${err.message}`, EXIT.NOUSER);
    return new CliError(`not delivered, try again later: ${err.message}`, EXIT.TEMPFAIL);
  }
  const code = String((err as { code?: unknown })?.code ?? '');
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new CliError(`not delivered, try again later: the database is busy (${code})`, EXIT.TEMPFAIL);
  }
  // Disk full or an I/O error may pass; the MTA should keep the message meanwhile.
  if (code.startsWith('SQLITE_FULL') || code.startsWith('SQLITE_IOERR') || code === 'ENOSPC' || code === 'EIO') {
    return new CliError(`not delivered, try again later: ${(err as Error).message} (${code})`, EXIT.TEMPFAIL);
  }
  // Run as a user that cannot write the data: a setup mistake, which must not bounce mail (78: MTAs retry).
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') || code === 'EACCES' || code === 'EPERM') {
    return new CliError(`not delivered: cannot write the data directory as this user: ${(err as Error).message} (${code})`, EXIT.CONFIG);
  }
  return err;
}
