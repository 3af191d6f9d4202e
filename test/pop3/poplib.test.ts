/**
 * Python's standard poplib as a real POP3 client, over STLS and over implicit TLS with certificate
 * verification, on both storage backends. RETR must give the octets IMAP BODY[] gives (checked against
 * imaplib in the same script). Requires python3 (CI has it); the test fails, never skips, when it is missing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareMessage } from '../../src/delivery/prepare.js';
import type { Account } from '../../src/store/types.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const SCRIPT = path.resolve(import.meta.dirname, '..', 'python', 'poplib_client.py');

function python(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', [SCRIPT, ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', (err) => reject(new Error(`python3 is needed for this test: ${err.message}`)));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A dot-stuffing case, 8-bit UTF-8 text, and a message of about 300 KiB (RETR sends it in several pieces). */
const MESSAGES = [
  Buffer.from('From: Bob <bob@example.org>\r\nSubject: dots\r\n\r\n.\r\n..\r\n.leading\r\nend.\r\n'),
  Buffer.from('From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.de>\r\nSubject: Gr\u00fc\u00dfe\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nSch\u00f6ne Gr\u00fc\u00dfe aus K\u00f6ln\r\n'),
  Buffer.from(`Subject: big\r\n\r\n${Array.from({ length: 5000 }, (_, i) => `${i % 7 === 0 ? '.' : ''}line ${i} ${'x'.repeat(50)}`).join('\r\n')}\r\n`),
];

interface PoplibOut {
  capa_before_tls?: string[];
  stls?: string;
  welcome: string;
  capa: Record<string, string[]>;
  user: string;
  pass: string;
  stat: [number, number];
  list: [string, string[]];
  uidl: [string, string[]];
  retr: Array<{ resp: string; octets: number; data: string }>;
  top: [string, string[]];
  retr_missing: string;
  dele: string;
  top_deleted: string;
  rset: string;
  dele_again: string;
  noop: string;
  quit: string;
  imap_body: Record<string, string>;
}

for (const backend of BACKENDS) {
  describe(`Python poplib [${backend}]`, () => {
    let srv: TestServer;
    let caFile: string;
    before(async () => {
      srv = await startTestServer(backend);
      caFile = path.join(srv.dataDir, 'ca.pem');
      await writeFile(caFile, srv.cert);
    });
    after(async () => srv.close());

    for (const mode of ['stls', 'tls'] as const) {
      it(`downloads over ${mode === 'stls' ? 'STLS' : 'implicit TLS'}: CAPA, USER/PASS, STAT, LIST, UIDL, RETR (the octets of IMAP BODY[]), TOP, DELE, RSET, QUIT`, async () => {
        const email = `poplib-${mode}@example.com`;
        const acct: Account = await srv.addUser(email, 'poplib pw');
        const inbox = (await srv.store.getMailbox(acct.id, 'INBOX'))!;
        await srv.store.appendMessages(
          acct.id,
          inbox.id,
          MESSAGES.map((m) => prepareMessage(m, [], Date.UTC(2026, 10, 1))),
        );
        const r = await python([mode, String(mode === 'tls' ? srv.pop3sPort : srv.pop3Port), String(srv.imapsPort), caFile, email, 'poplib pw']);
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout) as PoplibOut;
        const sizes = MESSAGES.map((m) => m.length);
        const total = sizes.reduce((a, b) => a + b, 0);
        const id = (uid: number): string => uid.toString(16).toUpperCase().padStart(8, '0') + inbox.uidValidity.toString(16).toUpperCase().padStart(8, '0');
        const capa = { IMPLEMENTATION: ['Letterbox'], PIPELINING: [], 'RESP-CODES': [], 'AUTH-RESP-CODE': [], SASL: ['PLAIN', 'LOGIN'], TOP: [], UIDL: [], USER: [] };
        assert.deepEqual(
          { ...out, retr: undefined, imap_body: undefined },
          {
            ...(mode === 'stls' && {
              capa_before_tls: ['AUTH-RESP-CODE', 'IMPLEMENTATION', 'PIPELINING', 'RESP-CODES', 'SASL', 'STLS', 'TOP', 'UIDL', 'USER'],
              stls: '+OK Begin TLS negotiation now.',
            }),
            welcome: '+OK Letterbox ready.',
            capa: Object.fromEntries(Object.entries(capa).sort(([a], [b]) => (a < b ? -1 : 1))),
            user: '+OK Send the password.',
            pass: '+OK Logged in.',
            stat: [3, total],
            list: [`+OK 3 messages (${total} octets)`, sizes.map((s, i) => `${i + 1} ${s}`)],
            uidl: ['+OK Unique-ID listing follows', [1, 2, 3].map((uid) => `${uid} ${id(uid)}`)],
            retr: undefined,
            top: ['+OK Top of message follows', ['From: Bob <bob@example.org>', 'Subject: dots', '', '.']],
            retr_missing: '-ERR There is no message 4; the maildrop has 3 messages.',
            dele: '+OK Message 2 deleted.',
            top_deleted: '-ERR Message 2 is already deleted.',
            rset: `+OK Maildrop has 3 messages (${total} octets).`,
            dele_again: '+OK Message 2 deleted.',
            noop: '+OK',
            quit: '+OK Logging out; 1 message deleted.',
            imap_body: undefined,
          },
        );
        // RETR gave each message exactly, after poplib undid the byte-stuffing, and so did IMAP BODY[].
        assert.deepEqual(
          out.retr.map((x) => ({ resp: x.resp, octets: x.octets, data: Buffer.from(x.data, 'base64') })),
          MESSAGES.map((m) => ({ resp: `+OK ${m.length} octets`, octets: m.length, data: m })),
        );
        // imaplib ran after QUIT: message 2 is gone, the others are BODY[] byte for byte.
        assert.deepEqual(out.imap_body, { '1': MESSAGES[0]!.toString('base64'), '3': MESSAGES[2]!.toString('base64') });
        // RETR set \Seen.
        assert.deepEqual(
          (await srv.store.listMessages(acct.id, inbox.id)).map((m) => [m.uid, m.flags]),
          [
            [1, ['\\Seen']],
            [3, ['\\Seen']],
          ],
        );
      });
    }
  });
}
