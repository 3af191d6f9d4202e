/**
 * Fuzzing over a real socket: mutated commands are sent to a logged-in session with a selected mailbox;
 * each must get exactly one tagged reply (never NO [SERVERBUG], never a dropped connection), and a NOOP
 * right after must still be answered OK: every malformed command gets BAD and the session goes on.
 * Budget: LETTERBOX_FUZZ_SECONDS (default 8).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deliver } from '../../src/delivery/deliver.js';
import type { RawClient } from '../support/line-client.js';
import { login } from '../support/transcript.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { COMMAND_SEEDS, Mutator } from './targets.js';

const SECONDS = Number(process.env.LETTERBOX_FUZZ_SECONDS ?? 8);
const SEED = Number(process.env.LETTERBOX_FUZZ_SEED ?? Date.now() % 1_000_000);

/** Commands that change the session in ways the loop does not follow (leave, wait for more input, switch transport). */
const SKIP = /^\s*\S*\s+(UID\s+)?(LOGOUT|IDLE|AUTHENTICATE|STARTTLS|COMPRESS|APPEND|DONE|SELECT|EXAMINE|CLOSE|UNSELECT|DELETE|RENAME)\b/i;

/** A literal announced at the end of a line ({n}, {n+}, ~{n} of literal8), which would make the server wait for its octets. */
const TRAILING_LITERAL = /~?\{\d*\+?\}\s*$/;

/** usable keeps one line without literals (the socket test sends literals nowhere) and a tag the reply can be matched by. */
function usable(line: string): string | null {
  let l = line.replace(/[\r\n]/g, ' ');
  // Repeatedly: taking "{}" off "~{3}{}" leaves "~{3}" at the end.
  while (TRAILING_LITERAL.test(l)) l = l.replace(TRAILING_LITERAL, '');
  if (SKIP.test(l) || !/^[A-Za-z0-9.]+ /.test(l)) return null;
  return l;
}

describe('fuzz: malformed commands over a real session', { timeout: 120_000 }, () => {
  let srv: TestServer;
  let c: RawClient;
  before(async () => {
    srv = await startTestServer();
    const acct = await srv.addUser('fuzz@example.com', 'pw');
    const msg = (n: number) => ({ raw: Buffer.from(`Subject: m${n}\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\npart ${n}\r\n--x--\r\n`), flags: [], internalDate: Date.now() });
    await deliver(srv.store, acct, 'INBOX', [msg(1), msg(2), msg(3)]);
    c = await login(srv.imapPort, 'fuzz@example.com');
    await c.command('s', 'SELECT INBOX');
  });
  after(async () => {
    c.close();
    await srv.close();
  });

  it(`every mutated command gets one tagged reply and the session goes on (${SECONDS} s, seed ${SEED})`, async () => {
    const m = new Mutator(SEED);
    const seeds = COMMAND_SEEDS.filter((s) => !s.includes('\r\n')).map((s) => Buffer.from(s, 'latin1'));
    const deadline = Date.now() + SECONDS * 1000;
    const counts = { BAD: 0, NO: 0, OK: 0 };
    let n = 0;
    while (Date.now() < deadline) {
      const line = usable(m.mutate(m.pick(seeds), seeds).toString('latin1'));
      if (line === null) continue;
      const tag = `z${++n}`;
      // Replace the mutant's tag with ours, so the reply can be matched even if the tag was mangled.
      const cmd = line.replace(/^\S+/, tag);
      c.write(Buffer.from(`${cmd}\r\n`, 'latin1'));
      const lines = await c.readUntilTagged(tag, 10_000).catch((err: Error) => assert.fail(`no reply to ${JSON.stringify(cmd)}: ${err.message}`));
      const reply = lines.at(-1)!;
      const status = / (OK|NO|BAD) /.exec(reply.slice(tag.length - 1))?.[1] as keyof typeof counts | undefined;
      assert.ok(status, `reply ${JSON.stringify(reply)} to ${JSON.stringify(cmd)}`);
      assert.ok(!reply.includes('[SERVERBUG]'), `server error for ${JSON.stringify(cmd)}: ${reply}`);
      assert.ok(!lines.some((l) => l.startsWith('* BYE')), `BYE for ${JSON.stringify(cmd)}`);
      counts[status]++;
      const noop = await c.command(`n${n}`, 'NOOP', 10_000);
      assert.equal(noop.at(-1), `n${n} OK NOOP completed`, `after ${JSON.stringify(cmd)}`);
    }
    assert.ok(counts.BAD > 0 && n > 20, `only ${n} commands: ${JSON.stringify(counts)}`);
  });
});
