/**
 * Reading secrets and confirmations from the operator: a password from stdin (--password-stdin) or from
 * the terminal with echo off, and a yes/no question. Prompts go to stderr, so stdout stays the output.
 */
import { createInterface } from 'node:readline/promises';
import { CliError, EXIT } from './context.js';

/** MAX_PASSWORD_OCTETS bounds what --password-stdin reads (octets): a password, not a file piped by mistake. */
const MAX_PASSWORD_OCTETS = 4096;

/**
 * readPasswordStdin reads all of stdin as the password, removing one trailing line ending (as `echo`
 * adds). Throws CliError if it is empty, too long or contains NUL/CR/LF (which no IMAP login can send).
 */
export async function readPasswordStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_PASSWORD_OCTETS) throw new CliError(`password on stdin is longer than ${MAX_PASSWORD_OCTETS} octets`, EXIT.USAGE);
    chunks.push(buf);
  }
  return checkPassword(Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, ''));
}

/**
 * promptNewPassword asks for a password twice on the terminal with echo off and returns it.
 * Throws CliError when stdin is not a terminal (use --password-stdin), on a mismatch, or on Ctrl-C.
 */
export async function promptNewPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CliError('stdin is not a terminal: pass --password-stdin and pipe the password in', EXIT.USAGE);
  }
  const first = checkPassword(await promptHidden('Password: '));
  const second = await promptHidden('Repeat password: ');
  if (first !== second) throw new CliError('the passwords do not match', EXIT.USAGE);
  return first;
}

function checkPassword(pw: string): string {
  if (pw.length === 0) throw new CliError('the password is empty', EXIT.USAGE);
  if (/[\0\r\n]/.test(pw)) throw new CliError('the password contains a NUL or line-break character, which IMAP clients cannot send', EXIT.USAGE);
  if (Buffer.byteLength(pw) > MAX_PASSWORD_OCTETS) throw new CliError(`the password is longer than ${MAX_PASSWORD_OCTETS} octets`, EXIT.USAGE);
  return pw;
}

/** promptHidden writes `question` to stderr and reads one line from the terminal in raw mode without echoing it. */
async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  stdin.setRawMode(true); // before the prompt, so that a key typed at once is not echoed
  process.stderr.write(question);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (data: string) => {
        for (const ch of data) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            resolve(value);
            return;
          }
          if (ch === '\u0003' || (ch === '\u0004' && value === '')) {
            stdin.off('data', onData);
            reject(new CliError('cancelled', 130));
            return;
          }
          if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
          else if (ch === '\u0015') value = ''; // Ctrl-U clears the line
          else if (ch >= ' ') value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

/** confirm asks a yes/no question on the terminal (stderr) and returns true only for "y" or "yes". */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
