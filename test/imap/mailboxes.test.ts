/**
 * Transcript tests over TCP (the STARTTLS port, plaintext on loopback) and implicit TLS for the mailbox
 * commands: CREATE, DELETE, RENAME (RFC 9051 sections 6.3.4-6.3.6), SUBSCRIBE, UNSUBSCRIBE (6.3.7-6.3.8),
 * LIST with LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE (RFC 6154) and CHILDREN
 * (RFC 3348), LSUB (RFC 3501 section 6.3.9), STATUS (6.3.11, RFC 8438 SIZE, RFC 7162 HIGHESTMODSEQ,
 * RFC 7889 APPENDLIMIT) and NAMESPACE (6.3.10): every reply line exactly, the error paths, the INBOX
 * special cases, mailbox names in modified UTF-7 and UTF-8, and isolation between accounts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawClient } from '../support/line-client.js';
import { append, login, exchange, msg } from '../support/transcript.js';
import { BACKENDS, serverPerSuite, startTestServer, type TestServer } from '../support/server.js';

const MSG1 = msg('From: Bob <bob@example.org>', 'To: alice@example.com', 'Subject: one', '', 'Hello one');
const MSG2 = msg('From: Carol <carol@example.net>', 'To: alice@example.com', 'Subject: two', '', 'Hello two, a little longer');
const MSG3 = msg('From: Dave <dave@example.com>', 'Subject: three', '', 'Three');
const size = (...bodies: string[]): number => bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);

/** The mailboxes every new account has (INBOX first, then name order), as LIST shows them. */
const DEFAULT_LIST = [
  '* LIST (\\HasNoChildren) "/" INBOX',
  '* LIST (\\HasNoChildren \\Archive) "/" Archive',
  '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
  '* LIST (\\HasNoChildren \\Junk) "/" Junk',
  '* LIST (\\HasNoChildren \\Sent) "/" Sent',
  '* LIST (\\HasNoChildren \\Trash) "/" Trash',
];
/** The same mailboxes as LSUB shows them: all are subscribed. */
const DEFAULT_LSUB = [
  '* LSUB () "/" INBOX',
  '* LSUB (\\Archive) "/" Archive',
  '* LSUB (\\Drafts) "/" Drafts',
  '* LSUB (\\Junk) "/" Junk',
  '* LSUB (\\Sent) "/" Sent',
  '* LSUB (\\Trash) "/" Trash',
];

/** Sends `tag <head>{n}` + literal bytes + `tail` as a synchronizing literal and returns every reply line. */
async function withLiteral(c: RawClient, tag: string, head: string, literal: Buffer, tail = ''): Promise<string[]> {
  c.send(`${tag} ${head}{${literal.length}}`);
  assert.equal(await c.readLine(), '+ Ready for literal data');
  c.write(Buffer.concat([literal, Buffer.from(`${tail}\r\n`)]));
  return c.readUntilTagged(tag);
}

for (const backend of BACKENDS) {
  describe(`mailbox commands over TCP [${backend}]`, () => {
    const env = serverPerSuite(backend, 'm');
    const box = async (name: string, email = env.user) => {
      const acct = (await env.srv.store.getAccount(email))!;
      const m = await env.srv.store.getMailbox(acct.id, name);
      assert.ok(m, `mailbox ${name} of ${email}`);
      return m;
    };

    it('NAMESPACE, LIST "" "" and the default mailboxes under "%" and "*"', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'n1', 'NAMESPACE', ['* NAMESPACE (("" "/")) NIL NIL', 'n1 OK NAMESPACE completed']);
      // RFC 9051 section 6.3.9: an empty pattern asks for the delimiter; the root may be "" for a non-rooted reference.
      await exchange(c, 'l1', 'LIST "" ""', ['* LIST (\\Noselect) "/" ""', 'l1 OK LIST completed']);
      await exchange(c, 'l2', 'LIST "Archive/" ""', ['* LIST (\\Noselect) "/" ""', 'l2 OK LIST completed']);
      await exchange(c, 'l3', 'LIST "" %', [...DEFAULT_LIST, 'l3 OK LIST completed']);
      await exchange(c, 'l4', 'LIST "" "*"', [...DEFAULT_LIST, 'l4 OK LIST completed']);
      await exchange(c, 'l5', 'list "" nothing-here', ['l5 OK LIST completed']);
      await exchange(c, 'l6', 'LSUB "" *', [...DEFAULT_LSUB, 'l6 OK LSUB completed']);
      c.close();
    });

    it('CREATE makes missing parents, drops a trailing delimiter, and refuses INBOX and existing names with ALREADYEXISTS', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'c1', 'CREATE Work/Projects/2026', ['c1 OK [MAILBOXID (F9)] CREATE completed']);
      await exchange(c, 'c2', 'CREATE "Later/"', ['c2 OK [MAILBOXID (F10)] CREATE completed']);
      await exchange(c, 'l1', 'LIST "" "*"', [
        DEFAULT_LIST[0]!,
        ...DEFAULT_LIST.slice(1, 4),
        '* LIST (\\HasNoChildren) "/" Later',
        ...DEFAULT_LIST.slice(4),
        '* LIST (\\HasChildren) "/" Work',
        '* LIST (\\HasChildren) "/" Work/Projects',
        '* LIST (\\HasNoChildren) "/" Work/Projects/2026',
        'l1 OK LIST completed',
      ]);
      await exchange(c, 'c3', 'CREATE Work', ['c3 NO [ALREADYEXISTS] Mailbox already exists']);
      await exchange(c, 'c4', 'CREATE Work/Projects/', ['c4 NO [ALREADYEXISTS] Mailbox already exists']);
      await exchange(c, 'c5', 'CREATE Sent', ['c5 NO [ALREADYEXISTS] Mailbox already exists']);
      for (const [i, name] of ['INBOX', 'inbox', 'InBoX', '"INBOX/"'].entries()) {
        await exchange(c, `i${i}`, `CREATE ${name}`, [`i${i} NO [ALREADYEXISTS] INBOX always exists`]);
      }
      // Mailbox names other than INBOX are case-sensitive.
      await exchange(c, 'c6', 'CREATE work', ['c6 OK [MAILBOXID (F11)] CREATE completed']);
      // CREATE is valid in the selected state too.
      await c.command('s', 'SELECT Work');
      await exchange(c, 'c7', 'CREATE Work/Notes', ['c7 OK [MAILBOXID (F12)] CREATE completed']);
      await exchange(c, 'l2', 'LIST "" "Work/%"', [
        '* LIST (\\HasNoChildren) "/" Work/Notes',
        '* LIST (\\HasChildren) "/" Work/Projects',
        'l2 OK LIST completed',
      ]);
      c.close();
    });

    it('CREATE with the RFC 6154 USE parameter sets a special use; bad attributes get USEATTR', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'c1', 'CREATE "Sent Items" (USE (\\Sent))', ['c1 OK [MAILBOXID (F7)] CREATE completed']);
      await exchange(c, 'c2', 'CREATE Bin (use (\\trash))', ['c2 OK [MAILBOXID (F8)] CREATE completed']);
      await exchange(c, 'c3', 'CREATE Plain (USE ())', ['c3 OK [MAILBOXID (F9)] CREATE completed']);
      await exchange(c, 'c4', 'CREATE X1 (USE (\\Flagged))', ['c4 NO [USEATTR] Special-use attribute not supported: \\Flagged']);
      await exchange(c, 'c5', 'CREATE X2 (USE (\\All))', ['c5 NO [USEATTR] Special-use attribute not supported: \\All']);
      await exchange(c, 'c6', 'CREATE X3 (USE (\\Bogus))', ['c6 NO [USEATTR] Special-use attribute not supported: \\Bogus']);
      await exchange(c, 'c7', 'CREATE X4 (USE (\\Sent \\Trash))', ['c7 NO [USEATTR] Only one special-use attribute per mailbox']);
      await exchange(c, 'c8', 'CREATE X5 (FOO (1))', ['c8 BAD Unknown CREATE parameter FOO']);
      await exchange(c, 'l1', 'LIST "" (X* Bin Plain "Sent Items")', [
        '* LIST (\\HasNoChildren \\Trash) "/" Bin',
        '* LIST (\\HasNoChildren) "/" Plain',
        '* LIST (\\HasNoChildren \\Sent) "/" "Sent Items"',
        'l1 OK LIST completed',
      ]);
      await exchange(c, 'l2', 'LIST (SPECIAL-USE) "" "*"', [
        '* LIST (\\HasNoChildren \\Archive) "/" Archive',
        '* LIST (\\HasNoChildren \\Trash) "/" Bin',
        ...DEFAULT_LIST.slice(2, 5),
        '* LIST (\\HasNoChildren \\Sent) "/" "Sent Items"',
        DEFAULT_LIST[5]!,
        'l2 OK LIST completed',
      ]);
      c.close();
    });

    it('invalid names are refused: "..", wildcards, NUL, control characters, overlong, too deep, bad modified UTF-7', async () => {
      const c = await login(env.srv.imapPort, env.user);
      const refusals: Array<[string, string]> = [
        ['"a/../b"', 'NO [CANNOT] Invalid mailbox name: it has a ".." level'],
        ['..', 'NO [CANNOT] Invalid mailbox name: it has a ".." level'],
        ['"a/./b"', 'NO [CANNOT] Invalid mailbox name: it has a "." level'],
        ['"a%"', 'NO [CANNOT] Invalid mailbox name: it contains the wildcard "%"'],
        ['"x*y"', 'NO [CANNOT] Invalid mailbox name: it contains the wildcard "*"'],
        ['"/abs"', 'NO [CANNOT] Invalid mailbox name: it starts with "/"'],
        ['"a//b"', 'NO [CANNOT] Invalid mailbox name: it has an empty hierarchy level'],
        ['""', 'NO [CANNOT] Invalid mailbox name: the name is empty'],
        // Not astrings at all: "%" and "*" are list-wildcards, not ATOM-CHARs (RFC 9051 section 9).
        ['a%', 'BAD Unexpected characters after arguments'],
        ['*', 'BAD Expected astring'],
        // RFC 3501 section 5.1.3: "&" must start a valid modified BASE64 run ending in "-". Such a name is a
        // well-formed astring that names no mailbox a client could have: NO [CANNOT], as Dovecot answers NO.
        ['"&Jjo"', 'NO [CANNOT] Mailbox name is not valid modified UTF-7: unterminated "&" sequence'],
        ['"&AGE-"', 'NO [CANNOT] Mailbox name is not valid modified UTF-7: encoded printable US-ASCII'],
        ['"&2D0-"', 'NO [CANNOT] Mailbox name is not valid modified UTF-7: unpaired surrogate'],
        ['"&2D3-"', 'NO [CANNOT] Mailbox name is not valid modified UTF-7: partial UTF-16 unit in modified BASE64'],
        ['"&A!-"', 'NO [CANNOT] Mailbox name is not valid modified UTF-7: character outside modified BASE64'],
        // Without UTF-8 enabled, 8-bit and control characters are not modified UTF-7.
        ['"\u00c4pfel"', 'NO [CANNOT] Mailbox name is not valid modified UTF-7: character outside printable US-ASCII'],
        ['"a\tb"', 'NO [CANNOT] Mailbox name is not valid modified UTF-7: character outside printable US-ASCII'],
      ];
      for (const [i, [name, reply]] of refusals.entries()) await exchange(c, `c${i}`, `CREATE ${name}`, [`c${i} ${reply}`]);
      await exchange(c, 'ok', 'NOOP', ['ok OK NOOP completed']); // resets the bad-command count
      assert.deepEqual(await withLiteral(c, 'z1', 'CREATE ', Buffer.from('a\0b')), [
        'z1 NO [CANNOT] Mailbox name is not valid modified UTF-7: character outside printable US-ASCII',
      ]);
      c.write('z2 CREATE {3+}\r\nx\0y\r\n');
      assert.deepEqual(await c.readUntilTagged('z2'), ['z2 NO [CANNOT] Mailbox name is not valid modified UTF-7: character outside printable US-ASCII']);
      // MAX_MAILBOX_NAME_OCTETS is 1024 and MAX_MAILBOX_DEPTH 32.
      await exchange(c, 'o1', `CREATE ${'x'.repeat(1025)}`, ['o1 NO [CANNOT] Invalid mailbox name: it is longer than 1024 octets']);
      await exchange(c, 'o2', `CREATE ${'x'.repeat(1024)}`, ['o2 OK [MAILBOXID (F7)] CREATE completed']);
      await exchange(c, 'o3', `CREATE ${Array(33).fill('d').join('/')}`, ['o3 NO [CANNOT] Invalid mailbox name: it has more than 32 levels']);
      await exchange(c, 'o4', `CREATE ${Array(32).fill('d').join('/')}`, ['o4 OK [MAILBOXID (F39)] CREATE completed']);
      // The same rules hold for the new name of RENAME.
      await exchange(c, 'r1', 'RENAME Junk "Spam/../Junk"', ['r1 NO [CANNOT] Invalid mailbox name: it has a ".." level']);
      await exchange(c, 'r2', 'RENAME Junk "Sp*m"', ['r2 NO [CANNOT] Invalid mailbox name: it contains the wildcard "*"']);
      await exchange(c, 'r3', `RENAME Junk ${'j'.repeat(1025)}`, ['r3 NO [CANNOT] Invalid mailbox name: it is longer than 1024 octets']);
      await exchange(c, 'r4', 'RENAME Junk "Sp&am"', ['r4 NO [CANNOT] Mailbox name is not valid modified UTF-7: unterminated "&" sequence']);
      // Nothing was created by the refused commands.
      await exchange(c, 'l1', 'LIST "" "%"', [
        ...DEFAULT_LIST,
        '* LIST (\\HasChildren) "/" d',
        `* LIST (\\HasNoChildren) "/" ${'x'.repeat(1024)}`,
        'l1 OK LIST completed',
      ]);
      c.close();
    });

    it('DELETE: NONEXISTENT, INBOX refused, children stay as \\Noselect, HASCHILDREN for a bare level', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'd1', 'DELETE Nope', ["d1 NO [NONEXISTENT] Mailbox doesn't exist"]);
      for (const [i, name] of ['INBOX', 'inbox', 'iNbOx'].entries()) {
        await exchange(c, `i${i}`, `DELETE ${name}`, [`i${i} NO [CANNOT] INBOX cannot be deleted`]);
      }
      await c.command('c1', 'CREATE Work/Projects');
      // RFC 9051 section 6.3.5: DELETE MUST NOT remove inferior names; "Work" stays as a \Noselect name.
      await exchange(c, 'd2', 'DELETE Work', ['d2 OK DELETE completed']);
      await exchange(c, 'l1', 'LIST "" Work*', [
        '* LIST (\\Noselect \\HasChildren) "/" Work',
        '* LIST (\\HasNoChildren) "/" Work/Projects',
        'l1 OK LIST completed',
      ]);
      await exchange(c, 'd3', 'DELETE Work', ['d3 NO [HASCHILDREN] Not a mailbox, only a level of the hierarchy: delete its children first']);
      await exchange(c, 's1', 'STATUS Work (MESSAGES)', ["s1 NO [NONEXISTENT] Mailbox doesn't exist"]);
      await exchange(c, 's2', 'SELECT Work', ["s2 NO [NONEXISTENT] Mailbox doesn't exist: Work"]);
      await exchange(c, 'd4', 'DELETE Work/Projects', ['d4 OK DELETE completed']);
      await exchange(c, 'l2', 'LIST "" Work*', ['l2 OK LIST completed']);
      await exchange(c, 'd5', 'DELETE Work', ["d5 NO [NONEXISTENT] Mailbox doesn't exist"]);
      // Inferior names are not removed, and a name is deleted only once.
      await c.command('c2', 'CREATE a/b/c');
      await exchange(c, 'd6', 'DELETE a/b', ['d6 OK DELETE completed']);
      await exchange(c, 'd7', 'DELETE a/b', ['d7 NO [HASCHILDREN] Not a mailbox, only a level of the hierarchy: delete its children first']);
      await exchange(c, 'l3', 'LIST "" a*', [
        '* LIST (\\HasChildren) "/" a',
        '* LIST (\\Noselect \\HasChildren) "/" a/b',
        '* LIST (\\HasNoChildren) "/" a/b/c',
        'l3 OK LIST completed',
      ]);
      // CREATE makes a level a mailbox again.
      await exchange(c, 'c3', 'CREATE a/b', ['c3 OK [MAILBOXID (F12)] CREATE completed']);
      await exchange(c, 'l4', 'LIST "" a/b', ['* LIST (\\HasChildren) "/" a/b', 'l4 OK LIST completed']);
      c.close();
    });

    it('DELETE then CREATE of the same name gives a new UIDVALIDITY and an empty mailbox; APPEND in between gets TRYCREATE', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await c.command('c1', 'CREATE Work');
      await c.command('u1', 'SUBSCRIBE Work');
      const old = await box('Work');
      assert.equal(await append(c, 'a1', 'Work', MSG1), `a1 OK [APPENDUID ${old.uidValidity} 1] APPEND completed`);
      await exchange(c, 's1', 'STATUS Work (MESSAGES UIDNEXT UIDVALIDITY)', [
        `* STATUS Work (MESSAGES 1 UIDNEXT 2 UIDVALIDITY ${old.uidValidity})`,
        's1 OK STATUS completed',
      ]);
      await exchange(c, 'd1', 'DELETE Work', ['d1 OK DELETE completed']);
      assert.equal(await append(c, 'a2', 'Work', MSG2), "a2 NO [TRYCREATE] Mailbox doesn't exist: Work");
      await c.command('s', 'SELECT INBOX');
      await append(c, 'a3', 'INBOX', MSG3);
      await exchange(c, 'k1', 'COPY 1 Work', ["k1 NO [TRYCREATE] Mailbox doesn't exist: Work"]);
      await c.command('u', 'UNSELECT');
      // RFC 9051 section 6.3.7: the subscription outlives the mailbox.
      await exchange(c, 'ls', 'LSUB "" Work', ['* LSUB () "/" Work', 'ls OK LSUB completed']);
      await exchange(c, 'c2', 'CREATE Work', ['c2 OK [MAILBOXID (F8)] CREATE completed']);
      const renewed = await box('Work');
      assert.notEqual(renewed.uidValidity, old.uidValidity);
      await exchange(c, 's2', 'STATUS Work (MESSAGES UIDNEXT UIDVALIDITY)', [
        `* STATUS Work (MESSAGES 0 UIDNEXT 1 UIDVALIDITY ${renewed.uidValidity})`,
        's2 OK STATUS completed',
      ]);
      c.close();
    });

    it('DELETE of the selected mailbox ends the selection; another session that has it selected is told BYE', async () => {
      const a = await login(env.srv.imapPort, env.user);
      const b = await login(env.srv.imapPort, env.user);
      await a.command('c1', 'CREATE Work');
      await append(a, 'a1', 'Work', MSG1);
      await b.command('s', 'SELECT Work');
      await a.command('s', 'SELECT Work');
      await exchange(a, 'd1', 'DELETE Work', ['d1 OK DELETE completed']);
      await exchange(a, 'f1', 'FETCH 1 FLAGS', ['f1 BAD FETCH is not valid in the authenticated state']);
      // RFC 9051 leaves this open; like Dovecot, the other session is disconnected (BYE, no tagged reply).
      b.send('n1 NOOP');
      assert.equal(await b.readLine(), '* BYE The selected mailbox was deleted or renamed by another session.');
      assert.equal(await b.closedByServer(), true);
      a.close();
    });

    it('RENAME moves children and subscriptions, keeps every UIDVALIDITY, creates parents of the new name', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await c.command('c1', 'CREATE Work/Projects/2026');
      await c.command('u1', 'SUBSCRIBE Work/Projects');
      await append(c, 'a1', 'Work/Projects', MSG1, ' (\\Seen)');
      await append(c, 'a2', 'Work/Projects', MSG2);
      const v = { work: (await box('Work')).uidValidity, proj: (await box('Work/Projects')).uidValidity, y: (await box('Work/Projects/2026')).uidValidity };
      await exchange(c, 's1', 'STATUS Work/Projects (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)', [
        `* STATUS Work/Projects (MESSAGES 2 UNSEEN 1 UIDNEXT 3 UIDVALIDITY ${v.proj})`,
        's1 OK STATUS completed',
      ]);
      await exchange(c, 'r1', 'RENAME Work Archive/Old/Job', ['r1 OK RENAME completed']);
      await exchange(c, 'l1', 'LIST "" "Archive*"', [
        '* LIST (\\HasChildren \\Archive) "/" Archive',
        '* LIST (\\HasChildren) "/" Archive/Old',
        '* LIST (\\HasChildren) "/" Archive/Old/Job',
        '* LIST (\\HasChildren) "/" Archive/Old/Job/Projects',
        '* LIST (\\HasNoChildren) "/" Archive/Old/Job/Projects/2026',
        'l1 OK LIST completed',
      ]);
      await exchange(c, 's2', 'STATUS Archive/Old/Job/Projects (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)', [
        `* STATUS Archive/Old/Job/Projects (MESSAGES 2 UNSEEN 1 UIDNEXT 3 UIDVALIDITY ${v.proj})`,
        's2 OK STATUS completed',
      ]);
      await exchange(c, 's3', 'STATUS Archive/Old/Job (UIDVALIDITY)', [`* STATUS Archive/Old/Job (UIDVALIDITY ${v.work})`, 's3 OK STATUS completed']);
      await exchange(c, 's4', 'STATUS Archive/Old/Job/Projects/2026 (UIDVALIDITY)', [
        `* STATUS Archive/Old/Job/Projects/2026 (UIDVALIDITY ${v.y})`,
        's4 OK STATUS completed',
      ]);
      await exchange(c, 's5', 'STATUS Work/Projects (MESSAGES)', ["s5 NO [NONEXISTENT] Mailbox doesn't exist"]);
      assert.equal(await append(c, 'a3', 'Work/Projects', MSG3), "a3 NO [TRYCREATE] Mailbox doesn't exist: Work/Projects");
      await exchange(c, 'ls', 'LSUB "" "*/*"', ['* LSUB () "/" Archive/Old/Job/Projects', 'ls OK LSUB completed']);
      // The messages and their UIDs came along.
      await c.command('x', 'EXAMINE Archive/Old/Job/Projects');
      await exchange(c, 'f1', 'FETCH 1:* (UID FLAGS)', ['* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))', '* 2 FETCH (UID 2 FLAGS (\\Recent))', 'f1 OK FETCH completed']);
      // The old name is free again; a mailbox created there is a new incarnation (new UIDVALIDITY, RFC 9051 section 6.3.6).
      await exchange(c, 'c2', 'CREATE Work/Projects', ['c2 OK [MAILBOXID (F12)] CREATE completed']);
      const again = (await box('Work/Projects')).uidValidity;
      assert.notEqual(again, v.proj);
      await exchange(c, 's6', 'STATUS Work/Projects (MESSAGES UIDNEXT UIDVALIDITY)', [
        `* STATUS Work/Projects (MESSAGES 0 UIDNEXT 1 UIDVALIDITY ${again})`,
        's6 OK STATUS completed',
      ]);
      c.close();
    });

    it('RENAME of the selected mailbox keeps the selection; a bare level can be renamed', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await c.command('c1', 'CREATE Work');
      await append(c, 'a1', 'Work', MSG1);
      const v = (await box('Work')).uidValidity;
      await c.command('s', 'SELECT Work');
      await exchange(c, 'r1', 'RENAME Work Job', ['r1 OK RENAME completed']);
      await exchange(c, 'f1', 'FETCH 1 (UID)', ['* 1 FETCH (UID 1)', 'f1 OK FETCH completed']);
      c.write(`a2 APPEND Job {${Buffer.byteLength(MSG2)}+}\r\n${MSG2}\r\n`);
      assert.deepEqual(await c.readUntilTagged('a2'), ['* 2 EXISTS', '* 2 RECENT', `a2 OK [APPENDUID ${v} 2] APPEND completed`]);
      await exchange(c, 's1', 'STATUS Job (MESSAGES UIDNEXT UIDVALIDITY)', [`* STATUS Job (MESSAGES 2 UIDNEXT 3 UIDVALIDITY ${v})`, 's1 OK STATUS completed']);
      // "Old" is only a level above "Old/x" and "Old/y": its children move.
      await c.command('c2', 'CREATE Old/x');
      await c.command('c3', 'CREATE Old/y/z');
      await c.command('d1', 'DELETE Old');
      await exchange(c, 'r2', 'RENAME Old New', ['r2 OK RENAME completed']);
      await exchange(c, 'l1', 'LIST "" "*e*"', [
        DEFAULT_LIST[1]!,
        '* LIST (\\Noselect \\HasChildren) "/" New',
        '* LIST (\\HasNoChildren) "/" New/x',
        '* LIST (\\HasChildren) "/" New/y',
        '* LIST (\\HasNoChildren) "/" New/y/z',
        DEFAULT_LIST[4]!,
        'l1 OK LIST completed',
      ]);
      c.close();
    });

    it('RENAME errors: NONEXISTENT, ALREADYEXISTS (target, INBOX, a child landing on an existing name), CANNOT (into itself)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await c.command('c1', 'CREATE a/b');
      await c.command('c2', 'CREATE z/b');
      await c.command('d1', 'DELETE z');
      await exchange(c, 'r1', 'RENAME Nope x', ["r1 NO [NONEXISTENT] Mailbox doesn't exist"]);
      await exchange(c, 'r2', 'RENAME Nope Nope', ["r2 NO [NONEXISTENT] Mailbox doesn't exist"]);
      await exchange(c, 'r3', 'RENAME a Sent', ['r3 NO [ALREADYEXISTS] Target mailbox already exists']);
      await exchange(c, 'r4', 'RENAME a a', ['r4 NO [ALREADYEXISTS] Mailbox already has that name']);
      await exchange(c, 'r5', 'RENAME Sent inbox', ['r5 NO [ALREADYEXISTS] INBOX already exists']);
      await exchange(c, 'r6', 'RENAME a z', ['r6 NO [ALREADYEXISTS] Target mailbox already exists']);
      await exchange(c, 'r7', 'RENAME a a/b/c', ['r7 NO [CANNOT] Cannot move a mailbox into itself']);
      await exchange(c, 'r8', 'RENAME a "x//y"', ['r8 NO [CANNOT] Invalid mailbox name: it has an empty hierarchy level']);
      await exchange(c, 'l1', 'LIST "" "%/*"', [
        '* LIST (\\HasNoChildren) "/" a/b',
        '* LIST (\\HasNoChildren) "/" z/b',
        'l1 OK LIST completed',
      ]);
      c.close();
    });

    it('RENAME INBOX moves its messages to the new mailbox and leaves INBOX empty, its UIDVALIDITY and UIDNEXT kept', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await c.command('c1', 'CREATE INBOX/Sub');
      await append(c, 'a1', 'INBOX', MSG1, ' (\\Seen)');
      await append(c, 'a2', 'INBOX', MSG2, ' (\\Flagged)');
      const inbox = await box('INBOX');
      await exchange(c, 's1', 'STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)', [
        `* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY ${inbox.uidValidity})`,
        's1 OK STATUS completed',
      ]);
      await c.command('s', 'SELECT INBOX');
      // The selected INBOX loses its messages: the session is told with EXPUNGE (RFC 9051 section 7.5.1).
      await exchange(c, 'r1', 'RENAME inbox "Old Mail"', ['* 1 EXPUNGE', '* 1 EXPUNGE', 'r1 OK RENAME completed']);
      const moved = await box('Old Mail');
      assert.notEqual(moved.uidValidity, inbox.uidValidity);
      await exchange(c, 's2', 'STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)', [
        `* STATUS INBOX (MESSAGES 0 UIDNEXT 3 UIDVALIDITY ${inbox.uidValidity})`,
        's2 OK STATUS completed',
      ]);
      await exchange(c, 's3', 'STATUS "Old Mail" (MESSAGES UNSEEN UIDNEXT UIDVALIDITY SIZE)', [
        `* STATUS "Old Mail" (MESSAGES 2 UNSEEN 1 UIDNEXT 3 UIDVALIDITY ${moved.uidValidity} SIZE ${size(MSG1, MSG2)})`,
        's3 OK STATUS completed',
      ]);
      // INBOX's children are not affected (RFC 9051 section 6.3.6).
      await exchange(c, 'l1', 'LIST "" "*"', [
        '* LIST (\\HasChildren) "/" INBOX',
        ...DEFAULT_LIST.slice(1, 3),
        '* LIST (\\HasNoChildren) "/" INBOX/Sub',
        ...DEFAULT_LIST.slice(3, 4),
        '* LIST (\\HasNoChildren) "/" "Old Mail"',
        ...DEFAULT_LIST.slice(4),
        'l1 OK LIST completed',
      ]);
      await c.command('x', 'EXAMINE "Old Mail"');
      await exchange(c, 'f1', 'FETCH 1:* (UID FLAGS RFC822.SIZE)', [
        `* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent) RFC822.SIZE ${size(MSG1)})`,
        `* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent) RFC822.SIZE ${size(MSG2)})`,
        'f1 OK FETCH completed',
      ]);
      // INBOX can be renamed again, into its own hierarchy, and new mail lands in INBOX.
      await exchange(c, 'r2', 'RENAME INBOX INBOX/Empty', ['r2 OK RENAME completed']);
      assert.equal(await append(c, 'a3', 'INBOX', MSG3), `a3 OK [APPENDUID ${inbox.uidValidity} 3] APPEND completed`);
      c.close();
    });

    it('INBOX is case-insensitive in every command, and answered as "INBOX"', async () => {
      const c = await login(env.srv.imapPort, env.user);
      const v = (await box('INBOX')).uidValidity;
      await exchange(c, 's1', 'STATUS iNbOx (UIDVALIDITY)', [`* STATUS INBOX (UIDVALIDITY ${v})`, 's1 OK STATUS completed']);
      await exchange(c, 'c1', 'CREATE inbox/Receipts', ['c1 OK [MAILBOXID (F7)] CREATE completed']);
      await exchange(c, 'c2', 'CREATE Inbox/Receipts', ['c2 NO [ALREADYEXISTS] Mailbox already exists']);
      await exchange(c, 'l1', 'LIST "" inbox', ['* LIST (\\HasChildren) "/" INBOX', 'l1 OK LIST completed']);
      await exchange(c, 'l2', 'LIST "" "InBox/%"', ['* LIST (\\HasNoChildren) "/" INBOX/Receipts', 'l2 OK LIST completed']);
      await exchange(c, 'l3', 'LIST "inbox/" "%"', ['* LIST (\\HasNoChildren) "/" INBOX/Receipts', 'l3 OK LIST completed']);
      await exchange(c, 'l4', 'LIST "" "i*"', [
        '* LIST (\\HasChildren) "/" INBOX',
        '* LIST (\\HasNoChildren) "/" INBOX/Receipts',
        'l4 OK LIST completed',
      ]);
      await exchange(c, 'u1', 'UNSUBSCRIBE Inbox', ['u1 OK UNSUBSCRIBE completed']);
      await exchange(c, 'u2', 'SUBSCRIBE inbox/receipts', ["u2 NO [NONEXISTENT] Mailbox doesn't exist"]);
      await exchange(c, 'u3', 'SUBSCRIBE INBOX/Receipts', ['u3 OK SUBSCRIBE completed']);
      await exchange(c, 'ls', 'LSUB "" "inbox*"', ['* LSUB () "/" INBOX/Receipts', 'ls OK LSUB completed']);
      await exchange(c, 'u4', 'SUBSCRIBE inbox', ['u4 OK SUBSCRIBE completed']);
      await exchange(c, 'ls2', 'LSUB "" "INBOX"', ['* LSUB () "/" INBOX', 'ls2 OK LSUB completed']);
      await exchange(c, 'r1', 'RENAME inBOX/Receipts INBOX/Bills', ['r1 OK RENAME completed']);
      await exchange(c, 'd1', 'DELETE inbox/bills', ["d1 NO [NONEXISTENT] Mailbox doesn't exist"]);
      await exchange(c, 'd2', 'DELETE INBOX/Bills', ['d2 OK DELETE completed']);
      c.close();
    });

    it('SUBSCRIBE, UNSUBSCRIBE and LSUB, with the "%" \\Noselect rule of RFC 3501 section 6.3.9', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'u1', 'SUBSCRIBE Nope', ["u1 NO [NONEXISTENT] Mailbox doesn't exist"]);
      // RFC 9051 section 6.3.8: OK also when the name is not subscribed.
      await exchange(c, 'u2', 'UNSUBSCRIBE Nope', ['u2 OK UNSUBSCRIBE completed']);
      await exchange(c, 'u3', 'UNSUBSCRIBE Junk', ['u3 OK UNSUBSCRIBE completed']);
      await exchange(c, 'u4', 'UNSUBSCRIBE Junk', ['u4 OK UNSUBSCRIBE completed']);
      await exchange(c, 'u5', 'SUBSCRIBE Sent', ['u5 OK SUBSCRIBE completed']);
      await exchange(c, 'l1', 'LSUB "" *', [...DEFAULT_LSUB.slice(0, 3), ...DEFAULT_LSUB.slice(4), 'l1 OK LSUB completed']);
      await c.command('c1', 'CREATE Fruit/Banana');
      await exchange(c, 'u6', 'SUBSCRIBE Fruit/Banana', ['u6 OK SUBSCRIBE completed']);
      // "%" shows the unsubscribed parent flagged \Noselect; "*" does not.
      await exchange(c, 'l2', 'LSUB "" F%', ['* LSUB (\\Noselect) "/" Fruit', 'l2 OK LSUB completed']);
      await exchange(c, 'l3', 'LSUB "" F*', ['* LSUB () "/" Fruit/Banana', 'l3 OK LSUB completed']);
      await exchange(c, 'l4', 'LSUB "Fruit/" %', ['* LSUB () "/" Fruit/Banana', 'l4 OK LSUB completed']);
      await exchange(c, 'l5', 'LSUB "" Fruit/Banana', ['* LSUB () "/" Fruit/Banana', 'l5 OK LSUB completed']);
      await exchange(c, 'l6', 'LSUB "" Fruit', ['l6 OK LSUB completed']);
      await exchange(c, 'u7', 'SUBSCRIBE Fruit', ['u7 OK SUBSCRIBE completed']);
      await exchange(c, 'l7', 'LSUB "" F%', ['* LSUB () "/" Fruit', 'l7 OK LSUB completed']);
      // A subscription stays when its mailbox goes (RFC 9051 section 6.3.7), and can then be removed.
      await c.command('d1', 'DELETE Fruit/Banana');
      await exchange(c, 'l8', 'LSUB "" Fruit/*', ['* LSUB () "/" Fruit/Banana', 'l8 OK LSUB completed']);
      await exchange(c, 'u8', 'UNSUBSCRIBE Fruit/Banana', ['u8 OK UNSUBSCRIBE completed']);
      await exchange(c, 'l9', 'LSUB "" Fruit/*', ['l9 OK LSUB completed']);
      // Valid in the selected state too.
      await c.command('s', 'SELECT INBOX');
      await exchange(c, 'u9', 'UNSUBSCRIBE Fruit', ['u9 OK UNSUBSCRIBE completed']);
      await exchange(c, 'l10', 'LSUB "" "F*"', ['l10 OK LSUB completed']);
      c.close();
    });

    it('LIST with "%", "*", references, \\HasChildren / \\HasNoChildren and \\Noselect levels', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await c.command('c1', 'CREATE Work/Projects/2026');
      await c.command('c2', 'CREATE Work/Notes');
      await c.command('c3', 'CREATE Old/Letters');
      await c.command('d1', 'DELETE Old');
      await exchange(c, 'l1', 'LIST "" %', [
        ...DEFAULT_LIST.slice(0, 4),
        '* LIST (\\Noselect \\HasChildren) "/" Old',
        ...DEFAULT_LIST.slice(4),
        '* LIST (\\HasChildren) "/" Work',
        'l1 OK LIST completed',
      ]);
      await exchange(c, 'l2', 'LIST "" Work/%', [
        '* LIST (\\HasNoChildren) "/" Work/Notes',
        '* LIST (\\HasChildren) "/" Work/Projects',
        'l2 OK LIST completed',
      ]);
      await exchange(c, 'l3', 'LIST Work/ *', [
        '* LIST (\\HasNoChildren) "/" Work/Notes',
        '* LIST (\\HasChildren) "/" Work/Projects',
        '* LIST (\\HasNoChildren) "/" Work/Projects/2026',
        'l3 OK LIST completed',
      ]);
      await exchange(c, 'l4', 'LIST "Work/" "%/%"', ['* LIST (\\HasNoChildren) "/" Work/Projects/2026', 'l4 OK LIST completed']);
      await exchange(c, 'l5', 'LIST "" "*/2026"', ['* LIST (\\HasNoChildren) "/" Work/Projects/2026', 'l5 OK LIST completed']);
      await exchange(c, 'l6', 'LIST "" "%/%"', [
        '* LIST (\\HasNoChildren) "/" Old/Letters',
        '* LIST (\\HasNoChildren) "/" Work/Notes',
        '* LIST (\\HasChildren) "/" Work/Projects',
        'l6 OK LIST completed',
      ]);
      await exchange(c, 'l7', 'LIST "" Old', ['* LIST (\\Noselect \\HasChildren) "/" Old', 'l7 OK LIST completed']);
      await exchange(c, 'l8', 'LIST "" "W*s"', [
        '* LIST (\\HasNoChildren) "/" Work/Notes',
        '* LIST (\\HasChildren) "/" Work/Projects',
        'l8 OK LIST completed',
      ]);
      // Names are case-sensitive (but INBOX).
      await exchange(c, 'l9', 'LIST "" work', ['l9 OK LIST completed']);
      // A pattern starting with the delimiter overrides the reference: nothing is rooted at "/".
      await exchange(c, 'l10', 'LIST Work/ /Notes', ['l10 OK LIST completed']);
      // The last child goes: \HasNoChildren.
      await c.command('d2', 'DELETE Work/Projects/2026');
      await exchange(c, 'l11', 'LIST "" Work/Projects', ['* LIST (\\HasNoChildren) "/" Work/Projects', 'l11 OK LIST completed']);
      // LIST works in the selected state too.
      await c.command('s', 'SELECT INBOX');
      await exchange(c, 'l12', 'LIST "" INBOX', [DEFAULT_LIST[0]!, 'l12 OK LIST completed']);
      c.close();
    });

    it('LIST-EXTENDED: SUBSCRIBED, RECURSIVEMATCH with CHILDINFO, SPECIAL-USE, RETURN options, several patterns', async () => {
      const c = await login(env.srv.imapPort, env.user);
      // The mailboxes of RFC 5258 section 5's examples.
      await c.command('c1', 'CREATE Fruit/Banana');
      await c.command('c2', 'CREATE Fruit/Peach');
      await c.command('c3', 'CREATE Vegetable/Broccoli');
      await c.command('c4', 'CREATE Tofu');
      for (const name of ['Fruit/Banana', 'Fruit/Peach', 'Vegetable', 'Vegetable/Broccoli']) await c.command('u', `SUBSCRIBE ${name}`);
      await c.command('d1', 'DELETE Fruit/Peach');
      await exchange(c, 'l1', 'LIST (SUBSCRIBED) "" "*"', [
        '* LIST (\\Subscribed \\HasNoChildren) "/" INBOX',
        '* LIST (\\Subscribed \\HasNoChildren \\Archive) "/" Archive',
        '* LIST (\\Subscribed \\HasNoChildren \\Drafts) "/" Drafts',
        '* LIST (\\Subscribed \\HasNoChildren) "/" Fruit/Banana',
        '* LIST (\\NonExistent \\Subscribed) "/" Fruit/Peach',
        '* LIST (\\Subscribed \\HasNoChildren \\Junk) "/" Junk',
        '* LIST (\\Subscribed \\HasNoChildren \\Sent) "/" Sent',
        '* LIST (\\Subscribed \\HasNoChildren \\Trash) "/" Trash',
        '* LIST (\\Subscribed \\HasChildren) "/" Vegetable',
        '* LIST (\\Subscribed \\HasNoChildren) "/" Vegetable/Broccoli',
        'l1 OK LIST completed',
      ]);
      await exchange(c, 'l2', 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"', [
        '* LIST (\\Subscribed \\HasNoChildren) "/" INBOX',
        '* LIST (\\Subscribed \\HasNoChildren \\Archive) "/" Archive',
        '* LIST (\\Subscribed \\HasNoChildren \\Drafts) "/" Drafts',
        '* LIST (\\HasChildren) "/" Fruit ("CHILDINFO" ("SUBSCRIBED"))',
        '* LIST (\\Subscribed \\HasNoChildren \\Junk) "/" Junk',
        '* LIST (\\Subscribed \\HasNoChildren \\Sent) "/" Sent',
        '* LIST (\\Subscribed \\HasNoChildren \\Trash) "/" Trash',
        '* LIST (\\Subscribed \\HasChildren) "/" Vegetable ("CHILDINFO" ("SUBSCRIBED"))',
        'l2 OK LIST completed',
      ]);
      await exchange(c, 'l3', 'LIST (SUBSCRIBED) "" "%"', [
        '* LIST (\\Subscribed \\HasNoChildren) "/" INBOX',
        '* LIST (\\Subscribed \\HasNoChildren \\Archive) "/" Archive',
        '* LIST (\\Subscribed \\HasNoChildren \\Drafts) "/" Drafts',
        '* LIST (\\Subscribed \\HasNoChildren \\Junk) "/" Junk',
        '* LIST (\\Subscribed \\HasNoChildren \\Sent) "/" Sent',
        '* LIST (\\Subscribed \\HasNoChildren \\Trash) "/" Trash',
        '* LIST (\\Subscribed \\HasChildren) "/" Vegetable',
        'l3 OK LIST completed',
      ]);
      // RETURN (SUBSCRIBED) marks, without selecting: unsubscribed Tofu is listed, missing Fruit/Peach is not.
      await exchange(c, 'l4', 'LIST "" ("Fruit*" Tofu) RETURN (SUBSCRIBED)', [
        '* LIST (\\HasChildren) "/" Fruit',
        '* LIST (\\Subscribed \\HasNoChildren) "/" Fruit/Banana',
        '* LIST (\\HasNoChildren) "/" Tofu',
        'l4 OK LIST completed',
      ]);
      // Several patterns; a pattern that matches nothing adds nothing; each name once.
      await exchange(c, 'l5', 'LIST "" (INBOX Sent nope "S*") RETURN (CHILDREN SPECIAL-USE)', [
        '* LIST (\\HasNoChildren) "/" INBOX',
        '* LIST (\\HasNoChildren \\Sent) "/" Sent',
        'l5 OK LIST completed',
      ]);
      await exchange(c, 'l6', 'LIST (SPECIAL-USE) "" "*" RETURN (SPECIAL-USE)', [...DEFAULT_LIST.slice(1), 'l6 OK LIST completed']);
      await exchange(c, 'l7', 'list (special-use remote) "" (J* T*) return (children)', [DEFAULT_LIST[3]!, DEFAULT_LIST[5]!, 'l7 OK LIST completed']);
      // Extended syntax: a level that is not a mailbox is \NonExistent (RFC 5258 section 3), which implies \Noselect.
      await c.command('c5', 'CREATE Old/Letters');
      await c.command('d2', 'DELETE Old');
      await exchange(c, 'l8', 'LIST () "" "Old*"', [
        '* LIST (\\NonExistent \\HasChildren) "/" Old',
        '* LIST (\\HasNoChildren) "/" Old/Letters',
        'l8 OK LIST completed',
      ]);
      await exchange(c, 'l9', 'LIST "" "Old*" RETURN ()', [
        '* LIST (\\NonExistent \\HasChildren) "/" Old',
        '* LIST (\\HasNoChildren) "/" Old/Letters',
        'l9 OK LIST completed',
      ]);
      c.close();
    });

    it('LIST RETURN (STATUS (...)) sends STATUS after each selectable mailbox only (RFC 5819)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await c.command('c1', 'CREATE Old/Letters');
      await c.command('d1', 'DELETE Old');
      await append(c, 'a1', 'INBOX', MSG1, ' (\\Seen)');
      await append(c, 'a2', 'INBOX', MSG2);
      await append(c, 'a3', 'Old/Letters', MSG3, ' (\\Deleted)');
      const inbox = await box('INBOX');
      const letters = await box('Old/Letters');
      await exchange(c, 'l1', 'LIST "" (INBOX "Old*") RETURN (STATUS (MESSAGES UNSEEN DELETED SIZE UIDNEXT UIDVALIDITY))', [
        DEFAULT_LIST[0]!,
        `* STATUS INBOX (MESSAGES 2 UNSEEN 1 DELETED 0 SIZE ${size(MSG1, MSG2)} UIDNEXT 3 UIDVALIDITY ${inbox.uidValidity})`,
        '* LIST (\\NonExistent \\HasChildren) "/" Old',
        '* LIST (\\HasNoChildren) "/" Old/Letters',
        `* STATUS Old/Letters (MESSAGES 1 UNSEEN 1 DELETED 1 SIZE ${size(MSG3)} UIDNEXT 2 UIDVALIDITY ${letters.uidValidity})`,
        'l1 OK LIST completed',
      ]);
      await exchange(c, 'l2', 'LIST (SUBSCRIBED) "" "%" RETURN (STATUS (MESSAGES))', [
        '* LIST (\\Subscribed \\HasNoChildren) "/" INBOX',
        '* STATUS INBOX (MESSAGES 2)',
        '* LIST (\\Subscribed \\HasNoChildren \\Archive) "/" Archive',
        '* STATUS Archive (MESSAGES 0)',
        '* LIST (\\Subscribed \\HasNoChildren \\Drafts) "/" Drafts',
        '* STATUS Drafts (MESSAGES 0)',
        '* LIST (\\Subscribed \\HasNoChildren \\Junk) "/" Junk',
        '* STATUS Junk (MESSAGES 0)',
        '* LIST (\\Subscribed \\HasNoChildren \\Sent) "/" Sent',
        '* STATUS Sent (MESSAGES 0)',
        '* LIST (\\Subscribed \\HasNoChildren \\Trash) "/" Trash',
        '* STATUS Trash (MESSAGES 0)',
        'l2 OK LIST completed',
      ]);
      await exchange(c, 'l3', 'LIST "" Sent RETURN (SUBSCRIBED STATUS (UIDNEXT) SPECIAL-USE)', [
        '* LIST (\\Subscribed \\HasNoChildren \\Sent) "/" Sent',
        '* STATUS Sent (UIDNEXT 1)',
        'l3 OK LIST completed',
      ]);
      c.close();
    });

    it('STATUS answers every item, in the order asked, with the mailbox counts', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await c.command('c1', 'CREATE Work');
      await append(c, 'a1', 'Work', MSG1, ' (\\Seen)');
      await append(c, 'a2', 'Work', MSG2, ' (\\Deleted)');
      await append(c, 'a3', 'Work', MSG3, ' (\\Seen \\Deleted $Label)');
      let work = await box('Work');
      await exchange(c, 's1', 'STATUS Work (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ APPENDLIMIT)', [
        `* STATUS Work (MESSAGES 3 UIDNEXT 4 UIDVALIDITY ${work.uidValidity} UNSEEN 1 DELETED 2 SIZE ${size(MSG1, MSG2, MSG3)} RECENT 3 HIGHESTMODSEQ ${work.highestModseq} APPENDLIMIT 67108864)`,
        's1 OK STATUS completed',
      ]);
      // Item names are case-insensitive; a repeated item is answered once.
      await exchange(c, 's2', 'status Work (appendlimit unseen Messages UNSEEN)', [
        '* STATUS Work (APPENDLIMIT 67108864 UNSEEN 1 MESSAGES 3)',
        's2 OK STATUS completed',
      ]);
      // STATUS follows changes, and works on the selected mailbox (RFC 9051 section 6.3.11: servers MUST answer).
      await c.command('s', 'SELECT Work');
      await c.command('t', 'STORE 2 +FLAGS.SILENT (\\Seen)');
      await c.command('x', 'EXPUNGE');
      work = await box('Work');
      await exchange(c, 's3', 'STATUS Work (MESSAGES UNSEEN DELETED SIZE UIDNEXT HIGHESTMODSEQ)', [
        `* STATUS Work (MESSAGES 1 UNSEEN 0 DELETED 0 SIZE ${size(MSG1)} UIDNEXT 4 HIGHESTMODSEQ ${work.highestModseq})`,
        's3 OK STATUS completed',
      ]);
      await exchange(c, 's4', 'STATUS Trash (MESSAGES SIZE UIDNEXT)', ['* STATUS Trash (MESSAGES 0 SIZE 0 UIDNEXT 1)', 's4 OK STATUS completed']);
      c.close();
    });

    it('malformed arguments are BAD, unknown names NO [NONEXISTENT]', async () => {
      const c = await login(env.srv.imapPort, env.user);
      const bad: Array<[string, string]> = [
        ['CREATE', 'Missing arguments'],
        ['CREATE a b', 'Expected "("'],
        ['CREATE "unterminated', 'Unterminated quoted string'],
        ['DELETE', 'Missing arguments'],
        ['DELETE a b', 'Unexpected characters after arguments'],
        ['RENAME a', 'Missing arguments'],
        ['RENAME a b c', 'Unexpected characters after arguments'],
        ['SUBSCRIBE', 'Missing arguments'],
        ['UNSUBSCRIBE', 'Missing arguments'],
        ['NAMESPACE x', 'Unexpected characters after arguments'],
        ['LSUB ""', 'Missing arguments'],
        ['LSUB "" * x', 'Unexpected characters after arguments'],
        ['STATUS INBOX', 'Missing arguments'],
        ['STATUS INBOX MESSAGES', 'Expected "("'],
        ['STATUS INBOX ()', 'STATUS needs at least one item'],
        ['STATUS INBOX (MESSAGES BOGUS)', 'Unknown STATUS item BOGUS'],
      ];
      for (const [i, [cmd, text]] of bad.entries()) await exchange(c, `b${i}`, cmd, [`b${i} BAD ${text}`]);
      await exchange(c, 'n0', 'STATUS Nope (MESSAGES)', ["n0 NO [NONEXISTENT] Mailbox doesn't exist"]);
      const badList: Array<[string, string]> = [
        ['LIST ""', 'Missing arguments'],
        ['LIST (BOGUS) "" *', 'Unknown LIST selection option BOGUS'],
        // RFC 5258 section 3.1: RECURSIVEMATCH alone (or with only REMOTE) is BAD.
        ['LIST (RECURSIVEMATCH) "" *', 'RECURSIVEMATCH needs another selection option'],
        ['LIST (REMOTE RECURSIVEMATCH) "" *', 'RECURSIVEMATCH needs another selection option'],
        ['LIST "" ()', 'LIST needs at least one pattern'],
        ['LIST "" * RETURN (BOGUS)', 'Unknown LIST return option BOGUS'],
        ['LIST "" * RETURN', 'Missing arguments'],
        ['LIST "" * FOO (CHILDREN)', 'Expected RETURN'],
        ['LIST "" * RETURN (STATUS)', 'Expected a single SP between arguments'],
        ['LIST "" * RETURN (STATUS ())', 'STATUS needs at least one item'],
        ['LIST "" * RETURN (STATUS (FOO))', 'Unknown STATUS item FOO'],
      ];
      for (const [i, [cmd, text]] of badList.entries()) await exchange(c, `e${i}`, cmd, [`e${i} BAD ${text}`]);
      c.close();
    });

    it('before login every mailbox command is BAD', async () => {
      const c = await RawClient.connect(env.srv.imapPort);
      const cmds = ['CREATE x', 'DELETE x', 'RENAME x y', 'SUBSCRIBE x', 'UNSUBSCRIBE x', 'LIST "" *', 'LSUB "" *', 'STATUS INBOX (MESSAGES)', 'NAMESPACE'];
      for (const [i, cmd] of cmds.entries()) {
        await exchange(c, `a${i}`, cmd, [`a${i} BAD ${cmd.split(' ')[0]} is not valid in the not authenticated state`]);
      }
      c.close();
    });

    it('modified UTF-7 names round-trip (RFC 3501 section 5.1.3)', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'c1', 'CREATE "&AMQ-pfel/&ZeVnLIqe-"', ['c1 OK [MAILBOXID (F8)] CREATE completed']);
      await exchange(c, 'c2', 'CREATE R&-D', ['c2 OK [MAILBOXID (F9)] CREATE completed']);
      assert.ok(await box('Äpfel/日本語'));
      assert.ok(await box('R&D'));
      // Patterns are modified UTF-7 too: "&-" is a literal "&", and "&" must start a valid run.
      await exchange(c, 'l1', 'LIST "" "*"', [
        ...DEFAULT_LIST.slice(0, 4),
        '* LIST (\\HasNoChildren) "/" R&-D',
        ...DEFAULT_LIST.slice(4),
        '* LIST (\\HasChildren) "/" &AMQ-pfel',
        '* LIST (\\HasNoChildren) "/" &AMQ-pfel/&ZeVnLIqe-',
        'l1 OK LIST completed',
      ]);
      await exchange(c, 'p1', 'LIST "" "*&-*"', ['* LIST (\\HasNoChildren) "/" R&-D', 'p1 OK LIST completed']);
      await exchange(c, 'p2', 'LIST "" "&AMQ-*"', [
        '* LIST (\\HasChildren) "/" &AMQ-pfel',
        '* LIST (\\HasNoChildren) "/" &AMQ-pfel/&ZeVnLIqe-',
        'p2 OK LIST completed',
      ]);
      // A pattern that is not valid modified UTF-7 is taken as sent (as Dovecot does): here it matches "R&D".
      await exchange(c, 'p3', 'LIST "" "*&*"', ['* LIST (\\HasNoChildren) "/" R&-D', 'p3 OK LIST completed']);
      await exchange(c, 'l2', 'LIST "&AMQ-pfel/" %', ['* LIST (\\HasNoChildren) "/" &AMQ-pfel/&ZeVnLIqe-', 'l2 OK LIST completed']);
      await exchange(c, 's1', 'STATUS &AMQ-pfel/&ZeVnLIqe- (MESSAGES)', ['* STATUS &AMQ-pfel/&ZeVnLIqe- (MESSAGES 0)', 's1 OK STATUS completed']);
      await exchange(c, 'u1', 'SUBSCRIBE &AMQ-pfel', ['u1 OK SUBSCRIBE completed']);
      await exchange(c, 'ls', 'LSUB "" &AMQ-*', ['* LSUB () "/" &AMQ-pfel', 'ls OK LSUB completed']);
      await exchange(c, 'r1', 'RENAME &AMQ-pfel &ANY-l', ['r1 OK RENAME completed']);
      assert.ok(await box('Öl/日本語'));
      await exchange(c, 'd1', 'DELETE &ANY-l/&ZeVnLIqe-', ['d1 OK DELETE completed']);
      await exchange(c, 'd2', 'DELETE "R&-D"', ['d2 OK DELETE completed']);
      await exchange(c, 'l3', 'LIST "" "&ANY-*"', ['* LIST (\\HasNoChildren) "/" &ANY-l', 'l3 OK LIST completed']);
      c.close();
    });

    it('after ENABLE IMAP4rev2 names are UTF-8 both ways; other sessions still see modified UTF-7', async () => {
      const c = await login(env.srv.imapPort, env.user);
      await exchange(c, 'e', 'ENABLE IMAP4rev2', ['* ENABLED IMAP4rev2', 'e OK ENABLE completed']);
      await exchange(c, 'c1', 'CREATE "Äpfel/日本語"', ['c1 OK [MAILBOXID (F8)] CREATE completed']);
      await exchange(c, 'c2', 'CREATE R&D', ['c2 OK [MAILBOXID (F9)] CREATE completed']);
      await exchange(c, 'l1', 'LIST "" "*"', [
        ...DEFAULT_LIST.slice(0, 4),
        '* LIST (\\HasNoChildren) "/" R&D',
        ...DEFAULT_LIST.slice(4),
        '* LIST (\\HasChildren) "/" "Äpfel"',
        '* LIST (\\HasNoChildren) "/" "Äpfel/日本語"',
        'l1 OK LIST completed',
      ]);
      await exchange(c, 'l2', 'LIST "Äpfel/" "%" RETURN (STATUS (MESSAGES))', [
        '* LIST (\\HasNoChildren) "/" "Äpfel/日本語"',
        '* STATUS "Äpfel/日本語" (MESSAGES 0)',
        'l2 OK LIST completed',
      ]);
      await exchange(c, 's1', 'STATUS "Äpfel" (UIDNEXT)', ['* STATUS "Äpfel" (UIDNEXT 1)', 's1 OK STATUS completed']);
      await exchange(c, 'u1', 'SUBSCRIBE "Äpfel"', ['u1 OK SUBSCRIBE completed']);
      await exchange(c, 'ls', 'LSUB "" "Ä*"', ['* LSUB () "/" "Äpfel"', 'ls OK LSUB completed']);
      // A non-UTF-8 session sees the same names in modified UTF-7.
      const old = await login(env.srv.imapPort, env.user);
      await exchange(old, 'l3', 'LIST "" "*"', [
        ...DEFAULT_LIST.slice(0, 4),
        '* LIST (\\HasNoChildren) "/" R&-D',
        ...DEFAULT_LIST.slice(4),
        '* LIST (\\HasChildren) "/" &AMQ-pfel',
        '* LIST (\\HasNoChildren) "/" &AMQ-pfel/&ZeVnLIqe-',
        'l3 OK LIST completed',
      ]);
      old.close();
      // UTF-8 names must be Net-Unicode (RFC 9051 section 5.1): NFC, no control characters, no NUL.
      await exchange(c, 'n1', 'CREATE "A\u0308pfel"', ['n1 NO [CANNOT] Invalid mailbox name: it is not in Unicode Normalization Form C']);
      await exchange(c, 'n2', 'CREATE "a\tb"', ['n2 NO [CANNOT] Invalid mailbox name: it contains a control character']);
      await exchange(c, 'n3', 'CREATE "a\u0085b"', ['n3 NO [CANNOT] Invalid mailbox name: it contains a control character']);
      assert.deepEqual(await withLiteral(c, 'n4', 'CREATE ', Buffer.from('a\0b')), ['n4 BAD Mailbox name contains NUL']);
      assert.deepEqual(await withLiteral(c, 'n5', 'CREATE ', Buffer.from([0x61, 0xff, 0x62])), ['n5 BAD Mailbox name is not valid UTF-8']);
      // The length limit counts octets: 513 two-octet characters are 1026 octets.
      await exchange(c, 'n6', `CREATE "${'é'.repeat(513)}"`, ['n6 NO [CANNOT] Invalid mailbox name: it is longer than 1024 octets']);
      await exchange(c, 'n7', 'RENAME R&D "Re\u0301sume\u0301"', ['n7 NO [CANNOT] Invalid mailbox name: it is not in Unicode Normalization Form C']);
      c.close();
    });

    it('a second account with the same mailbox names sees none of the first one’s', async () => {
      const other = `other-${env.user}`;
      await env.srv.addUser(other, 'pw');
      const a = await login(env.srv.imapPort, env.user);
      const b = await login(env.srv.imapPort, other);
      await a.command('c1', 'CREATE Secret/Plans');
      await a.command('c2', 'CREATE Shared');
      await a.command('u1', 'SUBSCRIBE Secret/Plans');
      await append(a, 'a1', 'Secret/Plans', MSG1);
      await append(a, 'a2', 'INBOX', MSG2);
      await exchange(b, 'l1', 'LIST "" *', [...DEFAULT_LIST, 'l1 OK LIST completed']);
      await exchange(b, 'l2', 'LSUB "" *', [...DEFAULT_LSUB, 'l2 OK LSUB completed']);
      await exchange(b, 'l3', 'LIST (SUBSCRIBED) "" Secret*', ['l3 OK LIST completed']);
      await exchange(b, 's1', 'STATUS Secret/Plans (MESSAGES)', ["s1 NO [NONEXISTENT] Mailbox doesn't exist"]);
      await exchange(b, 's2', 'STATUS INBOX (MESSAGES)', ['* STATUS INBOX (MESSAGES 0)', 's2 OK STATUS completed']);
      await exchange(b, 'd1', 'DELETE Shared', ["d1 NO [NONEXISTENT] Mailbox doesn't exist"]);
      await exchange(b, 'd2', 'DELETE Secret', ["d2 NO [NONEXISTENT] Mailbox doesn't exist"]);
      await exchange(b, 'r1', 'RENAME Secret Mine', ["r1 NO [NONEXISTENT] Mailbox doesn't exist"]);
      await exchange(b, 'u1', 'SUBSCRIBE Secret/Plans', ["u1 NO [NONEXISTENT] Mailbox doesn't exist"]);
      // The same names are free in the second account, and what it does there stays there.
      await exchange(b, 'c1', 'CREATE Secret/Plans', ['c1 OK [MAILBOXID (F8)] CREATE completed']);
      await exchange(b, 'c2', 'CREATE Shared', ['c2 OK [MAILBOXID (F9)] CREATE completed']);
      await exchange(b, 's3', 'STATUS Secret/Plans (MESSAGES UIDNEXT)', ['* STATUS Secret/Plans (MESSAGES 0 UIDNEXT 1)', 's3 OK STATUS completed']);
      await exchange(b, 'd3', 'DELETE Shared', ['d3 OK DELETE completed']);
      await exchange(b, 'r2', 'RENAME Secret Public', ['r2 OK RENAME completed']);
      await exchange(b, 'r3', 'RENAME INBOX Old', ['r3 OK RENAME completed']);
      await exchange(a, 's4', 'STATUS Secret/Plans (MESSAGES UIDNEXT)', ['* STATUS Secret/Plans (MESSAGES 1 UIDNEXT 2)', 's4 OK STATUS completed']);
      await exchange(a, 's5', 'STATUS INBOX (MESSAGES)', ['* STATUS INBOX (MESSAGES 1)', 's5 OK STATUS completed']);
      await exchange(a, 'l4', 'LIST "" (Shared Secret* Public Old)', [
        '* LIST (\\HasChildren) "/" Secret',
        '* LIST (\\HasNoChildren) "/" Secret/Plans',
        '* LIST (\\HasNoChildren) "/" Shared',
        'l4 OK LIST completed',
      ]);
      await exchange(a, 'l5', 'LSUB "" Secret/*', ['* LSUB () "/" Secret/Plans', 'l5 OK LSUB completed']);
      a.close();
      b.close();
    });
  });

  describe(`mailbox commands over implicit TLS [${backend}]`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend);
      await srv.addUser('tls@example.com', 'pw');
    });
    after(async () => srv.close());

    it('CREATE, LIST, STATUS, RENAME, SUBSCRIBE, LSUB, DELETE and NAMESPACE', async () => {
      const c = await login(srv.imapsPort, 'tls@example.com', { tlsCa: srv.cert });
      const acct = (await srv.store.getAccount('tls@example.com'))!;
      await exchange(c, 'n1', 'NAMESPACE', ['* NAMESPACE (("" "/")) NIL NIL', 'n1 OK NAMESPACE completed']);
      await exchange(c, 'c1', 'CREATE Reports/2026', ['c1 OK [MAILBOXID (F8)] CREATE completed']);
      const v = (await srv.store.getMailbox(acct.id, 'Reports/2026'))!.uidValidity;
      await exchange(c, 'l1', 'LIST "" Reports*', [
        '* LIST (\\HasChildren) "/" Reports',
        '* LIST (\\HasNoChildren) "/" Reports/2026',
        'l1 OK LIST completed',
      ]);
      await exchange(c, 's1', 'STATUS Reports/2026 (MESSAGES UIDVALIDITY)', [`* STATUS Reports/2026 (MESSAGES 0 UIDVALIDITY ${v})`, 's1 OK STATUS completed']);
      await exchange(c, 'r1', 'RENAME Reports Done', ['r1 OK RENAME completed']);
      await exchange(c, 's2', 'STATUS Done/2026 (MESSAGES UIDVALIDITY)', [`* STATUS Done/2026 (MESSAGES 0 UIDVALIDITY ${v})`, 's2 OK STATUS completed']);
      await exchange(c, 'u1', 'SUBSCRIBE Done/2026', ['u1 OK SUBSCRIBE completed']);
      await exchange(c, 'ls', 'LSUB "" Done/%', ['* LSUB () "/" Done/2026', 'ls OK LSUB completed']);
      await exchange(c, 'd1', 'DELETE Done/2026', ['d1 OK DELETE completed']);
      await exchange(c, 'd2', 'DELETE Done', ['d2 OK DELETE completed']);
      await exchange(c, 'l2', 'LIST "" %', [...DEFAULT_LIST, 'l2 OK LIST completed']);
      await exchange(c, 'e1', 'DELETE INBOX', ['e1 NO [CANNOT] INBOX cannot be deleted']);
      c.close();
    });

    it('after STARTTLS on the plain port the same commands work', async () => {
      const c = await RawClient.connect(srv.imapPort);
      await exchange(c, 't1', 'STARTTLS', ['t1 OK Begin TLS negotiation now']);
      await c.startTls(srv.cert);
      assert.match((await c.command('L', 'LOGIN tls@example.com pw')).at(-1)!, /^L OK /);
      await exchange(c, 'c1', 'CREATE Temp', ['c1 OK [MAILBOXID (F9)] CREATE completed']);
      await exchange(c, 'l1', 'LIST "" Temp RETURN (STATUS (MESSAGES))', [
        '* LIST (\\HasNoChildren) "/" Temp',
        '* STATUS Temp (MESSAGES 0)',
        'l1 OK LIST completed',
      ]);
      await exchange(c, 'd1', 'DELETE Temp', ['d1 OK DELETE completed']);
      c.close();
    });
  });
}
