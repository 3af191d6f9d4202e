/**
 * The messages of the Dovecot comparison: all of ../shared/corpus/tricky and every 20th message of
 * ../shared/corpus/real, each with fixed flags and a fixed internal date, loaded into a mailbox with
 * pipelined APPENDs (LITERAL+), in the same order on both servers so sequence numbers agree.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toCrlf } from '../../src/mime/crlf.js';
import { quote, type WireClient } from './wire.js';

/** CORPUS_DIR is ../shared/corpus beside the worktree, or LETTERBOX_CORPUS when set. */
export const CORPUS_DIR =
  process.env.LETTERBOX_CORPUS ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

/** REAL_STEP: every REAL_STEP-th file of real/ is taken (a deterministic sample of about 200). */
export const REAL_STEP = 20;

/** CorpusMessage: one message as loaded, named by its file ("tricky/00012.eml"). */
export interface CorpusMessage {
  name: string;
  /** The file with bare LFs made CRLF (IMAP wants CRLF on the wire; the corpus is mostly LF). */
  bytes: Buffer;
  /** Flags given to APPEND, as a parenthesised list. */
  flags: string;
  /** Internal date given to APPEND (RFC 9051 date-time), always +0000. */
  internalDate: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** imapDate formats a Date as an RFC 9051 date (d-Mon-yyyy) in UTC. */
export function imapDate(d: Date): string {
  return `${d.getUTCDate()}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`;
}

/** The i-th message's internal date: 2001-01-01 plus i times 41 hours, so dates spread over about two years. */
export function internalDateOf(i: number): Date {
  return new Date(Date.UTC(2001, 0, 1, 7, 13, 5) + i * 41 * 3600_000);
}

function flagsOf(i: number): string {
  const f: string[] = [];
  if (i % 3 === 0) f.push('\\Seen');
  if (i % 7 === 1) f.push('\\Flagged');
  if (i % 11 === 2) f.push('\\Answered');
  if (i % 13 === 3) f.push('$Work');
  return `(${f.join(' ')})`;
}

/** loadCorpus reads the message files of the comparison; throws when the corpus is missing. */
export function loadCorpus(): CorpusMessage[] {
  if (!existsSync(path.join(CORPUS_DIR, 'tricky'))) throw new Error(`corpus not found at ${CORPUS_DIR}`);
  const names = [
    ...readdirSync(path.join(CORPUS_DIR, 'tricky')).filter((f) => f.endsWith('.eml')).sort().map((f) => `tricky/${f}`),
    ...readdirSync(path.join(CORPUS_DIR, 'real'))
      .filter((f) => f.endsWith('.eml'))
      .sort()
      .filter((_, k) => k % REAL_STEP === 0)
      .map((f) => `real/${f}`),
  ];
  return names.map((name, i) => {
    const d = internalDateOf(i);
    const time = d.toISOString().slice(11, 19);
    const day = imapDate(d).padStart(11, ' ');
    return {
      name,
      bytes: toCrlf(readFileSync(path.join(CORPUS_DIR, name))),
      flags: flagsOf(i),
      internalDate: `"${day} ${time} +0000"`,
    };
  });
}

/** Loaded: where each message went (name -> UID, from APPENDUID) and which were refused (name -> reply). */
export interface Loaded {
  uids: Map<string, number>;
  names: Map<number, string>;
  refused: Map<string, string>;
}

/**
 * appendAll APPENDs every message to `mailbox` with pipelined LITERAL+ commands, in batches, and records
 * each message's UID from the APPENDUID response code (RFC 4315) and each refusal with its reply.
 */
export async function appendAll(c: WireClient, mailbox: string, msgs: CorpusMessage[]): Promise<Loaded> {
  const refused = new Map<string, string>();
  const uids = new Map<string, number>();
  const names = new Map<number, string>();
  const BATCH = 25;
  for (let k = 0; k < msgs.length; k += BATCH) {
    const batch = msgs.slice(k, k + BATCH);
    const replies = await Promise.all(batch.map((m) => c.pipelined(`APPEND ${quote(mailbox)} ${m.flags} ${m.internalDate} `, m.bytes)));
    replies.forEach((r, j) => {
      const name = batch[j]!.name;
      const uid = /^APPENDUID \d+ (\d+)$/i.exec(r.code);
      if (r.status !== 'OK' || !uid) refused.set(name, `${r.status} [${r.code}] ${r.text}`);
      else {
        uids.set(name, Number(uid[1]));
        names.set(Number(uid[1]), name);
      }
    });
  }
  return { uids, names, refused };
}
