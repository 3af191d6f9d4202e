/**
 * Session helpers for transcript tests: log in, and APPEND with a synchronizing or a
 * non-synchronizing (LITERAL+) literal.
 */
import assert from 'node:assert/strict';
import { RawClient } from './raw-client.js';

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
