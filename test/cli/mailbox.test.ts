/**
 * `letterbox mailbox list|create|delete|rename`, run as another process against a running server on both
 * backends: the columns of `list` agree with what IMAP reports, the changes are what an IMAP session then
 * lists, and refusals are IMAP's (mailboxes/operations.ts) with a clear line and exit status.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { append, login, exchange, exchangeLike, msg } from '../support/transcript.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const NO_ENV = { LETTERBOX_CONFIG: '', LETTERBOX_DATA_DIR: '', LETTERBOX_STORAGE: '' };

for (const backend of BACKENDS) {
  describe(`letterbox mailbox (${backend})`, () => {
    let srv: TestServer;
    const cli = (args: string[], input = '') => runCli([...args, ...srv.cliArgs], input, NO_ENV);
    before(async () => {
      srv = await startTestServer(backend);
    });
    after(async () => srv.close());

    it('list: one line per mailbox with the counts, UIDs, HIGHESTMODSEQ and special use IMAP reports', async () => {
      await srv.addUser('list@example.com', 'pw');
      const c = await login(srv.imapPort, 'list@example.com');
      assert.match(await append(c, 'a1', 'INBOX', msg('Subject: one', '', 'first')), /^a1 OK/);
      assert.match(await append(c, 'a2', 'INBOX', msg('Subject: two', '', 'second'), ' (\\Seen)'), /^a2 OK/);
      await exchange(c, 'c', 'CREATE Lists/Rust', ['c OK [MAILBOXID (F8)] CREATE completed']);
      const status = await exchangeLike(c, 's', 'STATUS INBOX (MESSAGES UNSEEN SIZE UIDVALIDITY UIDNEXT HIGHESTMODSEQ)', [/^\* STATUS INBOX /, 's OK STATUS completed']);
      const [, messages, unseen, size, uidValidity, uidNext, modseq] = /MESSAGES (\d+) UNSEEN (\d+) SIZE (\d+) UIDVALIDITY (\d+) UIDNEXT (\d+) HIGHESTMODSEQ (\d+)/.exec(status[0]!)!;
      c.close();

      const r = await cli(['mailbox', 'list', 'list@example.com']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
      assert.deepEqual(lines[0], ['NAME', 'MESSAGES', 'UNSEEN', 'SIZE', 'UIDVALIDITY', 'UIDNEXT', 'HIGHESTMODSEQ', 'SPECIAL-USE']);
      assert.deepEqual(lines[1], ['INBOX', messages, unseen, size, uidValidity, uidNext, modseq, '-']);
      assert.deepEqual([messages, unseen, uidNext], ['2', '1', '3']);
      assert.deepEqual(
        lines.slice(1).map((l) => [l[0], l[1], l[7]]),
        [
          ['INBOX', '2', '-'],
          ['Archive', '0', '\\Archive'],
          ['Drafts', '0', '\\Drafts'],
          ['Junk', '0', '\\Junk'],
          ['Lists', '0', '-'],
          ['Lists/Rust', '0', '-'],
          ['Sent', '0', '\\Sent'],
          ['Trash', '0', '\\Trash'],
        ],
      );
      const pattern = await cli(['mailbox', 'list', 'list@example.com', 'Lists/%']);
      assert.deepEqual(pattern.stdout.trimEnd().split('\n').slice(1).map((l) => l.split('\t')[0]), ['Lists/Rust']);
      const none = await cli(['mailbox', 'list', 'nobody@example.com']);
      assert.equal(none.code, 67);
      assert.equal(none.stderr, 'letterbox: no such user: nobody@example.com (create it with "letterbox user add nobody@example.com")\n');
    });

    it('create, rename and delete: a logged-in IMAP session lists the result; refusals as IMAP gives them', async () => {
      await srv.addUser('ops@example.com', 'pw');
      const c = await login(srv.imapPort, 'ops@example.com');
      let r = await cli(['mailbox', 'create', 'ops@example.com', 'Projects/2026/Q1', 'Entwürfe', '--special-use', '\\Drafts']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'created mailbox Projects/2026/Q1 (\\Drafts), and Projects, Projects/2026\ncreated mailbox Entwürfe (\\Drafts)\n');
      await exchange(c, 'l1', 'LIST "" "Projects*" RETURN (SPECIAL-USE)', [
        '* LIST (\\HasChildren) "/" Projects',
        '* LIST (\\HasChildren) "/" Projects/2026',
        '* LIST (\\HasNoChildren \\Drafts) "/" Projects/2026/Q1',
        'l1 OK LIST completed',
      ]);

      r = await cli(['mailbox', 'rename', 'ops@example.com', 'Projects', 'Archive/Projects']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'renamed mailbox Projects to Archive/Projects\n');
      await exchange(c, 'l2', 'LIST "" "*Projects*"', [
        '* LIST (\\HasChildren) "/" Archive/Projects',
        '* LIST (\\HasChildren) "/" Archive/Projects/2026',
        '* LIST (\\HasNoChildren \\Drafts) "/" Archive/Projects/2026/Q1',
        'l2 OK LIST completed',
      ]);

      assert.match(await append(c, 'a', 'Archive/Projects/2026/Q1', msg('Subject: kept', '', 'x')), /^a OK/);
      r = await cli(['mailbox', 'delete', 'ops@example.com', 'Archive/Projects/2026/Q1']);
      assert.equal(r.code, 64, 'a mailbox with messages is not deleted without --yes when stdin is not a terminal');
      assert.equal(r.stderr, 'letterbox: mailbox Archive/Projects/2026/Q1 holds 1 message: refusing to delete it without --yes when stdin is not a terminal\n');
      r = await cli(['mailbox', 'delete', 'ops@example.com', 'Archive/Projects/2026/Q1', 'Archive/Projects', '--yes']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'deleted mailbox Archive/Projects/2026/Q1 (1 message)\ndeleted mailbox Archive/Projects (0 messages)\n');
      await exchange(c, 'l3', 'LIST "" "Archive*"', [
        '* LIST (\\HasChildren \\Archive) "/" Archive',
        '* LIST (\\Noselect \\HasChildren) "/" Archive/Projects',
        '* LIST (\\HasNoChildren) "/" Archive/Projects/2026',
        'l3 OK LIST completed',
      ]);

      r = await cli(['mailbox', 'create', 'ops@example.com', 'inbox', 'Entwürfe', 'bad%name', 'Fine']);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, 'created mailbox Fine\n');
      assert.equal(
        r.stderr,
        'letterbox: cannot create mailbox inbox: INBOX always exists\n' +
          'letterbox: cannot create mailbox Entwürfe: Mailbox already exists\n' +
          'letterbox: cannot create mailbox bad%name: Invalid mailbox name: it contains the wildcard "%"\n' +
          'letterbox: 3 of 4 mailboxes not created\n',
      );
      r = await cli(['mailbox', 'create', 'ops@example.com', 'X', '--special-use', '\\All']);
      assert.equal(r.stderr, 'letterbox: cannot create mailbox X: Special-use attribute not supported: \\All\nletterbox: mailbox not created\n');
      r = await cli(['mailbox', 'delete', 'ops@example.com', 'Nope']);
      assert.equal(r.code, 66);
      assert.equal(r.stderr, "letterbox: cannot delete mailbox Nope: Mailbox doesn't exist\nletterbox: mailbox not deleted\n");
      r = await cli(['mailbox', 'delete', 'ops@example.com', 'INBOX', '--yes']);
      assert.equal(r.stderr, 'letterbox: cannot delete mailbox INBOX: INBOX cannot be deleted\nletterbox: mailbox not deleted\n');
      r = await cli(['mailbox', 'rename', 'ops@example.com', 'Fine', 'Fine/Sub']);
      assert.equal(r.stderr, 'letterbox: cannot rename mailbox Fine: Cannot move a mailbox into itself\nletterbox: mailbox not renamed\n');
      c.close();
    });
  });
}
