/**
 * RETR and TOP (RFC 1939 sections 5 and 7): a message, or its header and first lines, as a byte-stuffed
 * multi-line response. The bytes are exactly those of IMAP BODY[] (NUL sent as 0x80, mime/bytes.ts
 * withoutNul) and are sent in pieces of POP3_OUTPUT_CHUNK_OCTETS, waiting for the socket to drain between
 * them, so a client that reads slowly or not at all holds one message and one piece, never more. RETR sets
 * \Seen, as Dovecot does, so IMAP clients see the message as read.
 */
import { withoutNul } from '../../mime/bytes.js';
import { POP3_OUTPUT_CHUNK_OCTETS } from '../../limits.js';
import { StoreError } from '../../store/types.js';
import type { CommandSpec, Pop3Session, Transaction } from '../command.js';
import type { MaildropMessage } from '../maildrop.js';
import { refuse } from '../errors.js';
import { ByteStuffer, topOf } from '../multiline.js';
import { lineCount, messageNumber, words } from './args.js';
import type { Pop3Writer } from '../writer.js';

/** RETR msg: `+OK size octets`, the message, ".". */
export const retrCommand: CommandSpec<{ n: number }> = {
  name: 'RETR',
  parse(args) {
    const [n] = words(args, 'RETR', 1, 1);
    return { n: messageNumber(n!) };
  },
  async transaction(s, { n }, t) {
    const m = t.maildrop.get(n);
    const raw = await messageBytes(s, t, m);
    s.out.ok(`${raw.length} octets`);
    await sendMessage(s.out, raw);
    try {
      await s.store.storeFlags(t.account.id, t.maildrop.mailboxId, [m.uid], 'add', ['\\Seen']);
    } catch (err) {
      // The message went out; a flag that could not be set is not worth failing the session over.
      s.log.warn({ err, uid: m.uid }, 'could not set \\Seen after RETR');
    }
  },
};

/** TOP msg n: `+OK`, the header, the blank line and the first n body lines, ".". Flags are left alone. */
export const topCommand: CommandSpec<{ n: number; lines: number }> = {
  name: 'TOP',
  parse(args) {
    const [n, lines] = words(args, 'TOP', 2, 2);
    return { n: messageNumber(n!), lines: lineCount(lines!) };
  },
  async transaction(s, { n, lines }, t) {
    const m = t.maildrop.get(n);
    const raw = await messageBytes(s, t, m);
    s.out.ok('Top of message follows');
    await sendMessage(s.out, topOf(raw, lines));
  },
};

/**
 * messageBytes reads message `m` as IMAP BODY[] sends it. Throws Pop3Error when another session has
 * expunged it since this session began (its body may still be stored for a copy, so the message row is
 * checked, not only the body).
 */
async function messageBytes(s: Pop3Session, t: Transaction, m: MaildropMessage): Promise<Buffer> {
  const gone = refuse(`Message ${m.n} was deleted by another session.`);
  const [record] = await s.store.getMessages(t.account.id, t.maildrop.mailboxId, [m.uid], { structure: false, envelope: false, meta: false });
  if (!record) throw gone;
  try {
    return withoutNul(await s.store.readBody(t.account.id, record.bodyId));
  } catch (err) {
    if (err instanceof StoreError && err.kind === 'NONEXISTENT') throw gone;
    throw err;
  }
}

/** sendMessage writes `data` byte-stuffed, in pieces with a wait for the socket between them, then the terminating line. */
async function sendMessage(out: Pop3Writer, data: Buffer): Promise<void> {
  const stuffer = new ByteStuffer();
  for (let at = 0; at < data.length; at += POP3_OUTPUT_CHUNK_OCTETS) {
    out.write(stuffer.stuff(data.subarray(at, at + POP3_OUTPUT_CHUNK_OCTETS)));
    await out.drain();
    if (out.isClosed) return;
  }
  out.write(stuffer.end());
}
