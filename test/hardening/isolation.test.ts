/**
 * One user cannot reach another user's mail by any route: mailbox names that look like paths
 * (`..`, `/`), wildcards, other namespaces (`~bob/`, `#shared/`, `Other Users/`), NUL, overlong and
 * invalid modified UTF-7 names, COPY/MOVE/APPEND targets, and stale sequence numbers after EXPUNGE.
 * bob has mailboxes with the same names as alice's; every attempt by alice gets an exact NO or BAD
 * (or works on alice's own mailbox), and bob's mail is byte-for-byte untouched afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deliver } from '../../src/delivery/deliver.js';
import { MAX_MAILBOX_NAME_OCTETS } from '../../src/limits.js';
import type { Account } from '../../src/store/types.js';
import type { RawClient } from '../support/line-client.js';
import { login, exchange, msg } from '../support/transcript.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** Names that must never lead alice to bob's mailboxes. */
const FOREIGN = [
  '../bob@example.com/Secret',
  '../bob@example.com/INBOX',
  'INBOX/../Secret-of-bob',
  '~bob/Secret',
  '~bob@example.com/INBOX',
  '#shared/Secret',
  '#user/bob/Secret',
  'Other Users/bob/Secret',
  'Shared Folders/bob/Secret',
  'bob@example.com/INBOX',
  'bob@example.com',
];

/** snapshot lists every mailbox of `account` with its message UIDs, flags and bodies, to compare before and after. */
async function snapshot(srv: TestServer, account: Account): Promise<string> {
  const out: string[] = [];
  for (const mb of await srv.store.listMailboxes(account.id)) {
    const metas = await srv.store.listMessages(account.id, mb.id);
    const records = await srv.store.getMessages(account.id, mb.id, metas.map((m) => m.uid));
    out.push(`${mb.name} uidvalidity=${mb.uidValidity} uidnext=${mb.uidNext}`);
    for (const r of records) out.push(`  ${r.uid} ${JSON.stringify(r.flags)} ${(await srv.store.readBody(account.id, r.bodyId)).toString('base64')}`);
  }
  return out.join('\n');
}

describe('isolation between accounts', () => {
  let srv: TestServer;
  let bob: Account;
  let before_: string;
  let c: RawClient;
  before(async () => {
    srv = await startTestServer();
    const alice = await srv.addUser('alice@example.com', 'pw');
    bob = await srv.addUser('bob@example.com', 'pw');
    for (const [who, name] of [[alice, 'Secret'], [bob, 'Secret'], [bob, 'Secret-of-bob']] as const) {
      await srv.store.createMailbox(who.id, name);
    }
    const mail = (who: string, n: number) => ({ raw: Buffer.from(msg(`Subject: ${who} private ${n}`, `Message-ID: <${who}${n}@example.org>`, '', `${who}'s secret ${n}`)), flags: [], internalDate: Date.now() });
    await deliver(srv.store, bob, 'INBOX', [mail('bob', 1), mail('bob', 2)]);
    await deliver(srv.store, bob, 'Secret', [mail('bob', 3)]);
    await deliver(srv.store, alice, 'INBOX', [mail('alice', 1), mail('alice', 2), mail('alice', 3)]);
    await deliver(srv.store, alice, 'Secret', [mail('alice', 4)]);
    before_ = await snapshot(srv, bob);
    c = await login(srv.imapPort, 'alice@example.com');
  });
  after(async () => {
    c.close();
    await srv.close();
  });

  it('SELECT, EXAMINE, STATUS, DELETE, RENAME and SUBSCRIBE of names outside alice\'s mailboxes fail with NONEXISTENT', async () => {
    let n = 0;
    for (const name of FOREIGN) {
      const q = JSON.stringify(name);
      await exchange(c, `s${++n}`, `SELECT ${q}`, [`s${n} NO [NONEXISTENT] Mailbox doesn't exist: ${name}`]);
      await exchange(c, `e${n}`, `EXAMINE ${q}`, [`e${n} NO [NONEXISTENT] Mailbox doesn't exist: ${name}`]);
      await exchange(c, `t${n}`, `STATUS ${q} (MESSAGES UIDNEXT)`, [`t${n} NO [NONEXISTENT] Mailbox doesn't exist`]);
      await exchange(c, `d${n}`, `DELETE ${q}`, [`d${n} NO [NONEXISTENT] Mailbox doesn't exist`]);
      await exchange(c, `r${n}`, `RENAME ${q} Mine`, [`r${n} NO [NONEXISTENT] Mailbox doesn't exist`]);
      await exchange(c, `u${n}`, `SUBSCRIBE ${q}`, [`u${n} NO [NONEXISTENT] Mailbox doesn't exist`]);
    }
  });

  it('APPEND, COPY and MOVE to names outside alice\'s mailboxes fail with TRYCREATE', async () => {
    await c.command('sel', 'SELECT INBOX');
    let n = 0;
    for (const name of FOREIGN) {
      const q = JSON.stringify(name);
      await exchange(c, `a${++n}`, `APPEND ${q} {5+}\r\nhello`, [`a${n} NO [TRYCREATE] Mailbox doesn't exist: ${name}`]);
      await exchange(c, `c${n}`, `COPY 1:* ${q}`, [`c${n} NO [TRYCREATE] Mailbox doesn't exist: ${name}`]);
      await exchange(c, `m${n}`, `MOVE 1 ${q}`, [`m${n} NO [TRYCREATE] Mailbox doesn't exist: ${name}`]);
    }
    await exchange(c, 'n', 'NOOP', ['n OK NOOP completed']);
  });

  it('invalid names get BAD or NO: wildcards, NUL, control characters, overlong, invalid modified UTF-7', async () => {
    await exchange(c, 'w1', 'SELECT "Sec%"', ["w1 NO [NONEXISTENT] Mailbox doesn't exist: Sec%"]);
    await exchange(c, 'w2', 'SELECT "*"', ["w2 NO [NONEXISTENT] Mailbox doesn't exist: *"]);
    await exchange(c, 'w3', 'CREATE "Sec%"', ['w3 NO [CANNOT] Invalid mailbox name: it contains the wildcard "%"']);
    await exchange(c, 'w4', 'CREATE "../Secret"', ['w4 NO [CANNOT] Invalid mailbox name: it has a ".." level']);
    await exchange(c, 'w5', 'CREATE "/Secret"', ['w5 NO [CANNOT] Invalid mailbox name: it starts with "/"']);
    await exchange(c, 'z1', 'SELECT {7+}\r\nSec\0ret', ['z1 NO [CANNOT] Mailbox name is not valid modified UTF-7: character outside printable US-ASCII']);
    await exchange(c, 'z2', 'CREATE {7+}\r\nSec\x01ret', ['z2 NO [CANNOT] Mailbox name is not valid modified UTF-7: character outside printable US-ASCII']);
    await exchange(c, 'o1', `CREATE ${'x'.repeat(MAX_MAILBOX_NAME_OCTETS + 1)}`, [`o1 NO [CANNOT] Invalid mailbox name: it is longer than ${MAX_MAILBOX_NAME_OCTETS} octets`]);
    await exchange(c, 'o2', `SELECT ${'x'.repeat(MAX_MAILBOX_NAME_OCTETS + 1)}`, [`o2 NO [NONEXISTENT] Mailbox doesn't exist: ${'x'.repeat(MAX_MAILBOX_NAME_OCTETS + 1)}`]);
    await exchange(c, 'u1', 'SELECT "&Jjo"', ['u1 NO [CANNOT] Mailbox name is not valid modified UTF-7: unterminated "&" sequence']);
    await exchange(c, 'u2', 'CREATE "&AGE-"', ['u2 NO [CANNOT] Mailbox name is not valid modified UTF-7: encoded printable US-ASCII']);
    await exchange(c, 'u3', 'CREATE "~bob/&AC4ALg-/Secret"', ['u3 NO [CANNOT] Mailbox name is not valid modified UTF-7: encoded printable US-ASCII']);
  });

  it('LIST and LSUB with any reference or pattern show only alice\'s mailboxes', async () => {
    const own = ['INBOX', 'Archive', 'Drafts', 'Junk', 'Secret', 'Sent', 'Trash'];
    for (const [ref, pattern] of [['', '*'], ['~bob', '*'], ['', '~bob/*'], ['#shared', '*'], ['', '../*'], ['../', '*'], ['', '%/%'], ['Other Users/', '*'], ['', 'bob*']]) {
      const lines = await c.command('l', `LIST ${JSON.stringify(ref)} ${JSON.stringify(pattern)}`);
      assert.equal(lines.at(-1), 'l OK LIST completed');
      for (const l of lines.slice(0, -1)) {
        const name = / "\/" (.*)$/.exec(l)?.[1];
        assert.ok(name !== undefined && own.includes(name.replace(/"/g, '')), `LIST ${ref} ${pattern} showed ${l}`);
      }
    }
  });

  it('stale sequence numbers after EXPUNGE reach nothing, and UIDs never reach another mailbox', async () => {
    const other = await login(srv.imapPort, 'alice@example.com');
    await c.command('sel', 'SELECT INBOX');
    await other.command('sel', 'SELECT INBOX');
    await exchange(other, 'x1', 'STORE 3 +FLAGS.SILENT (\\Deleted)', ['x1 OK STORE completed']);
    await exchange(other, 'x2', 'EXPUNGE', ['* 3 EXPUNGE', 'x2 OK EXPUNGE completed']);
    // c has not been told yet: message 3 is still in its view until it may report the EXPUNGE.
    await exchange(c, 'f1', 'FETCH 3 (UID)', ['* 3 FETCH (UID 3)', 'f1 OK FETCH completed']);
    await exchange(c, 'n1', 'NOOP', ['* 3 EXPUNGE', 'n1 OK NOOP completed']);
    await exchange(c, 'f2', 'FETCH 3 BODY[]', ['f2 BAD Invalid message sequence number: 3 (the mailbox has 2)']);
    await exchange(c, 'f3', 'SEARCH 3', ['* SEARCH', 'f3 OK SEARCH completed']);
    await exchange(c, 'f4', 'COPY 3 Secret', ['f4 BAD Invalid message sequence number: 3 (the mailbox has 2)']);
    // bob's UIDs 1..2 exist in his INBOX, but UID commands only ever see alice's selected mailbox.
    await exchange(c, 'f5', 'UID FETCH 3:100 BODY[]', ['f5 OK UID FETCH completed']);
    await exchange(c, 'f6', 'UID SEARCH UID 3:100', ['* SEARCH', 'f6 OK UID SEARCH completed']);
    await exchange(c, 'f7', 'UID STORE 3:100 +FLAGS (\\Seen)', ['f7 OK UID STORE completed']);
    await exchange(c, 'f8', 'UID EXPUNGE 3:100', ['f8 OK UID EXPUNGE completed']);
    other.close();
  });

  it('alice\'s own mailbox named like bob\'s holds only alice\'s mail', async () => {
    const lines = await c.command('s', 'EXAMINE Secret');
    assert.ok(lines.includes('* 1 EXISTS'));
    const body = await c.command('f', 'FETCH 1 BODY.PEEK[TEXT]');
    assert.deepEqual(body, ["* 1 FETCH (BODY[TEXT] {18}\r\nalice's secret 4\r\n)", 'f OK FETCH completed']);
    const search = await c.command('q', 'SEARCH TEXT "bob"');
    assert.deepEqual(search, ['* SEARCH', 'q OK SEARCH completed']);
  });

  it('bob\'s mail is untouched after all of it', async () => {
    assert.equal(await snapshot(srv, bob), before_);
  });
});
