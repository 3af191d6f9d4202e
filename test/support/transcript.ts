/**
 * Transcript helpers over the line clients (line-client.ts): IMAP login and APPEND with a synchronizing or
 * a non-synchronizing (LITERAL+) literal, exact-line assertions on an IMAP exchange, POP3 sessions over
 * STLS or implicit TLS, and un-byte-stuffing of POP3 multi-line data.
 */
import assert from 'node:assert/strict';
import { Pop3Client, RawClient } from './line-client.js';

/** login connects (over TLS when `tlsCa` is given) and logs in; asserts the tagged OK. */
export async function login(port: number, user: string, opts: { tlsCa?: string; password?: string } = {}): Promise<RawClient> {
  const c = await RawClient.connect(port, opts.tlsCa ? { tlsCa: opts.tlsCa } : {});
  const lines = await c.command('L', `LOGIN ${user} "${opts.password ?? 'pw'}"`);
  assert.match(lines.at(-1)!, /^L OK /);
  return c;
}

/**
 * append sends `tag APPEND mailbox<extra> {n}`, waits for the continuation, sends the message, and
 * returns the tagged reply line. `extra` holds flags and date with a leading space, e.g. ` (\\Seen)`.
 */
export async function append(c: RawClient, tag: string, mailbox: string, body: string | Buffer, extra = ''): Promise<string> {
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  c.send(`${tag} APPEND ${mailbox}${extra} {${data.length}}`);
  assert.equal(await c.readLine(), '+ Ready for literal data');
  c.write(Buffer.concat([data, Buffer.from('\r\n')]));
  return (await c.readUntilTagged(tag)).at(-1)!;
}

/** appendNonSync is append with a LITERAL+ literal sent in one write (no continuation). */
export async function appendNonSync(c: RawClient, tag: string, mailbox: string, body: string, extra = ''): Promise<string> {
  c.write(`${tag} APPEND ${mailbox}${extra} {${Buffer.byteLength(body)}+}\r\n${body}\r\n`);
  return (await c.readUntilTagged(tag)).at(-1)!;
}

/** exchange sends `tag command` and asserts the complete list of response lines exactly. */
export async function exchange(c: RawClient, tag: string, command: string, expected: string[]): Promise<void> {
  const lines = await c.command(tag, command);
  assert.deepEqual(lines, expected, `response to: ${tag} ${command}`);
}

/** exchangeLike is exchange with RegExp entries allowed where a value is not fixed (e.g. UIDVALIDITY). */
export async function exchangeLike(c: RawClient, tag: string, command: string, expected: Array<string | RegExp>): Promise<string[]> {
  const lines = await c.command(tag, command);
  assert.equal(lines.length, expected.length, `line count for ${tag} ${command}: ${JSON.stringify(lines, null, 1)}`);
  expected.forEach((e, i) => {
    if (typeof e === 'string') assert.equal(lines[i], e, `line ${i} for ${tag} ${command}`);
    else assert.match(lines[i]!, e, `line ${i} for ${tag} ${command}`);
  });
  return lines;
}

/** CRLF-join lines into a message. */
export function msg(...lines: string[]): string {
  return lines.join('\r\n') + '\r\n';
}

/** unstuff turns the data of a multi-line response (as multilineBytes returns it) back into the message: the terminating line removed and a leading "." taken off each line (RFC 1939 section 3). */
export function unstuff(data: Buffer): Buffer {
  const body = data.length === 3 ? Buffer.alloc(0) : data.subarray(0, data.length - 3);
  const out: Buffer[] = [];
  let start = 0;
  while (start < body.length) {
    const nl = body.indexOf(0x0a, start);
    const end = nl < 0 ? body.length : nl + 1;
    out.push(body[start] === 0x2e ? body.subarray(start + 1, end) : body.subarray(start, end));
    start = end;
  }
  return Buffer.concat(out);
}

/** Pop3Mode: how a test reaches POP3: STLS on the cleartext port, or the implicit-TLS port. */
export type Pop3Mode = 'STLS' | 'TLS';

/** POP3_MODES: every test that talks POP3 runs over both. */
export const POP3_MODES: readonly Pop3Mode[] = ['STLS', 'TLS'];

/** openPop3 connects over `mode` (STLS: the cleartext port, then STLS) and returns the client, greeted and encrypted. */
export async function openPop3(srv: { pop3Port: number; pop3sPort: number; cert: string }, mode: Pop3Mode): Promise<Pop3Client> {
  if (mode === 'TLS') return Pop3Client.connect(srv.pop3sPort, { tlsCa: srv.cert });
  const c = await Pop3Client.connect(srv.pop3Port);
  const reply = await c.stls(srv.cert);
  if (reply !== '+OK Begin TLS negotiation now.') throw new Error(`STLS: ${reply}`);
  return c;
}

/** loginPop3 opens a session over `mode` and logs in with USER/PASS. */
export async function loginPop3(srv: { pop3Port: number; pop3sPort: number; cert: string }, mode: Pop3Mode, user: string, password = 'pw'): Promise<Pop3Client> {
  const c = await openPop3(srv, mode);
  for (const line of [`USER ${user}`, `PASS ${password}`]) {
    const reply = await c.command(line);
    if (!reply.startsWith('+OK')) throw new Error(`${line.split(' ')[0]}: ${reply}`);
  }
  return c;
}
