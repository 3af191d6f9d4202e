/**
 * Python's standard imaplib as a second real client, over implicit TLS with certificate verification.
 * Requires python3 (CI has it); the test fails, never skips, when it is missing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const SCRIPT = path.resolve(import.meta.dirname, '..', 'python', 'imaplib_client.py');
const EXTENSIONS = path.resolve(import.meta.dirname, '..', 'python', 'imaplib_extensions.py');

function python(args: string[], script = SCRIPT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', [script, ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', (err) => reject(new Error(`python3 is needed for this test: ${err.message}`)));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

for (const backend of BACKENDS) {
  describe(`Python imaplib over TLS [${backend}]`, () => {
    let srv: TestServer;
    let caFile: string;
    before(async () => {
      srv = await startTestServer(backend);
      await srv.addUser('alice@example.com', 'imaplib pw');
      caFile = path.join(srv.dataDir, 'ca.pem');
      await writeFile(caFile, srv.cert);
    });
    after(async () => srv.close());

    it('logs in, appends, lists, searches, fetches, stores, copies and expunges', async () => {
      const r = await python([String(srv.imapsPort), caFile, 'alice@example.com', 'imaplib pw']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      const acct = (await srv.store.getAccount('alice@example.com'))!;
      const inbox = (await srv.store.getMailbox(acct.id, 'INBOX'))!;
      const archive = (await srv.store.getMailbox(acct.id, 'Archive'))!;
      const msg1 = 'From: Bob <bob@example.org>\r\nSubject: first\r\n\r\nHello from imaplib\r\n';
      assert.deepEqual(out, {
        login: 'OK',
        // imaplib keeps the list from the greeting (before login, TLS already on: no STARTTLS).
        capabilities: ['AUTH=LOGIN', 'AUTH=PLAIN', 'ENABLE', 'ID', 'IDLE', 'IMAP4REV1', 'IMAP4REV2', 'LITERAL+', 'SASL-IR'],
        list: [
          '(\\HasNoChildren) "/" INBOX',
          '(\\HasNoChildren \\Archive) "/" Archive',
          '(\\HasNoChildren \\Drafts) "/" Drafts',
          '(\\HasNoChildren \\Junk) "/" Junk',
          '(\\HasNoChildren \\Sent) "/" Sent',
          '(\\HasNoChildren \\Trash) "/" Trash',
        ],
        append: [`[APPENDUID ${inbox.uidValidity} 1] APPEND completed`, `[APPENDUID ${inbox.uidValidity} 2] APPEND completed`],
        exists: 2,
        search_from: '2',
        search_body: '1',
        fetch_head: `1 (FLAGS (\\Flagged \\Recent) BODY[] {${msg1.length}}`,
        fetch_body: msg1,
        fetch_struct:
          '2 (ENVELOPE (NIL "second" (("Carol" NIL "carol" "example.net")) (("Carol" NIL "carol" "example.net")) (("Carol" NIL "carol" "example.net")) NIL NIL NIL NIL NIL) ' +
          'BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 14 1 NIL NIL NIL NIL))',
        store: ['2 (FLAGS (\\Deleted \\Recent))'],
        copy: 'OK',
        expunge: ['2'],
        status: 'Archive (MESSAGES 1 UIDNEXT 2)',
        logout: 'BYE',
      });
      assert.ok(archive);
    });

    it('AUTHENTICATE PLAIN and LOGIN, ID, NAMESPACE, ENABLE UTF8=ACCEPT, UID MOVE, UNSELECT, STATUS SIZE and MAILBOXID', async () => {
      const r = await python([String(srv.imapsPort), caFile, 'alice@example.com', 'imaplib pw'], EXTENSIONS);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      const acct = (await srv.store.getAccount('alice@example.com'))!;
      const inbox = (await srv.store.getMailbox(acct.id, 'INBOX'))!;
      const target = (await srv.store.getMailbox(acct.id, 'Grüße'))!;
      const size = Buffer.byteLength('From: Bob <bob@example.org>\r\nSubject: move me\r\n\r\nHello\r\n');
      assert.deepEqual(out, {
        plain: 'OK',
        login: 'OK',
        challenges: ['Username:', 'Password:'],
        id_ok: 'OK',
        id: ['("name" "Letterbox" "vendor" "Letterbox" "version" "0.1.0")'],
        namespace: '(("" "/")) NIL NIL',
        enable: 'OK',
        create: 'OK',
        list: ['(\\HasNoChildren) "/" "Grüße"'],
        append: `[APPENDUID ${inbox.uidValidity} 3] APPEND completed`,
        move: 'OK',
        move_expunge: ['2'],
        move_copyuid: [`${target.uidValidity} 3 1`],
        unselect: 'OK',
        status: `"Grüße" (MESSAGES 1 SIZE ${size} MAILBOXID (F${target.id}))`,
        logout: 'BYE',
      });
    });
  });
}
