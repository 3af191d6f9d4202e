/**
 * How much a QRESYNC resync reads (RFC 7162 section 3.2.5): builds a 100,000-message mailbox through the
 * Store (batches of 1,000 in one transaction each), makes 10 changes (5 flag changes, 5 expunges), then
 * prints the query plans of Store.changesSince, the rows each of its queries visits (counted by a SQL
 * function evaluated once per row the loop reaches), the same count with the modseq index unused, timings,
 * and what a real IMAP client gets: a SELECT INBOX (QRESYNC (...)) over TCP, its response lines and time.
 *
 * Run: node --import tsx bench/qresync.ts [messages]   (default 100000; figures, not assertions)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { prepareMessage } from '../src/delivery/prepare.js';
import { hashPassword } from '../src/auth/password.js';
import { startServer } from '../src/imap/server.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import { RawClient } from '../test/support/line-client.js';
import { testTls } from '../test/support/server.js';

const total = Number(process.argv[2] ?? 100_000);
const dir = await mkdtemp(join(tmpdir(), 'lb-bench-'));
const file = join(dir, 'bench.db');
try {
  const store = await openSqliteStore(file);
  const account = await store.createAccount('bench@example.com', await hashPassword('pw'));
  const inbox = (await store.getMailbox(account.id, 'INBOX'))!;
  const one = prepareMessage(Buffer.from('From: a@example.org\r\nSubject: bench\r\n\r\nbody\r\n'), [], Date.UTC(2026, 0, 1));
  let t = performance.now();
  for (let n = 0; n < total; n += 1000) {
    await store.appendMessages(account.id, inbox.id, Array.from({ length: Math.min(1000, total - n) }, () => one));
  }
  console.log(`built ${total} messages in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const since = (await store.getMailbox(account.id, 'INBOX'))!.highestModseq;
  const step = Math.floor(total / 10);
  const flagged = [1, 2, 3, 4, 5].map((i) => i * step);
  const gone = [1, 2, 3, 4, 5].map((i) => i * step - 1);
  for (const uid of flagged) await store.storeFlags(account.id, inbox.id, [uid], 'add', ['\\Flagged']);
  await store.storeFlags(account.id, inbox.id, gone, 'add', ['\\Deleted']);
  await store.expunge(account.id, inbox.id, gone);

  t = performance.now();
  const changes = await store.changesSince(account.id, inbox.id, since);
  const changesMs = performance.now() - t;
  t = performance.now();
  const all = await store.listMessages(account.id, inbox.id);
  const listMs = performance.now() - t;
  console.log(`changesSince(${since}): ${changes.changed.length} changed (${changes.changed.map((m) => m.uid).join(',')}), ${changes.expunged.length} expunged (${changes.expunged.join(',')}) in ${changesMs.toFixed(2)} ms`);
  console.log(`listMessages (what SELECT loads for the sequence-number map): ${all.length} rows in ${listMs.toFixed(1)} ms`);

  const tls = await testTls();
  const server = await startServer({
    config: {
      dataDir: dir,
      storage: { kind: 'sqlite' },
      imap: { host: '127.0.0.1', port: 1, tlsPort: 0, plaintextAuth: 'loopback', maxConnections: 5000, maxConnectionsPerIp: 1000, maxConnectionsPerUserIp: 10 },
      pop3: { host: '127.0.0.1', port: 0, tlsPort: 0, plaintextAuth: 'loopback', maxConnections: 5000, maxConnectionsPerIp: 1000, maxConnectionsPerUserIp: 10 },
      managesieve: { host: '127.0.0.1', port: 0, plaintextAuth: 'loopback', maxConnections: 5000, maxConnectionsPerIp: 1000, maxConnectionsPerUserIp: 10, maxScripts: 20, maxScriptOctets: null },
      outgoing: { smtp: null },
      lmtp: { host: '127.0.0.1', port: 0, socket: null },
      tls: { cert: null, key: null },
      quota: { storage: null, messages: null },
      log: { level: 'silent', format: 'json', file: null },
      serve: { workers: 1 },
    admin: { host: '127.0.0.1', port: 0 },
    auth: { penaltyDelayMs: 2000, penaltyMaxDelayMs: 15000, penaltyExpireMs: 900_000 },
    },
    store,
    log: (await import('pino')).default({ level: 'silent' }),
    tls: { key: Buffer.from(tls.key), cert: Buffer.from(tls.cert) },
    ephemeralPorts: true,
  });
  const c = await RawClient.connect(server.addresses.find((a) => a.name === 'imap')!.port);
  await c.command('l', 'LOGIN bench@example.com pw');
  await c.command('e', 'ENABLE QRESYNC');
  t = performance.now();
  const lines = await c.command('s', `SELECT INBOX (QRESYNC (${inbox.uidValidity} ${since}))`, 60_000);
  const selectMs = performance.now() - t;
  c.close();
  await server.close();
  await store.close();
  console.log(`SELECT INBOX (QRESYNC (${inbox.uidValidity} ${since})) over TCP: ${lines.length} lines in ${selectMs.toFixed(1)} ms:`);
  for (const l of lines) console.log(`  ${l}`);

  // The same queries as src/store/sqlite/changes.ts, with a row counter that runs once per row the loop visits.
  const db = new Database(file, { readonly: true });
  let visited = 0;
  db.function('visit', { deterministic: false }, () => {
    visited++;
    return 1;
  });
  const queries: Array<[string, string]> = [
    ['changed', 'SELECT uid, modseq, sys_flags, keywords FROM messages WHERE account_id = ? AND mailbox_id = ? AND modseq > ?'],
    ['expunged', 'SELECT uid FROM expunged WHERE account_id = ? AND mailbox_id = ? AND modseq > ?'],
    // "+modseq" keeps the planner off the modseq index: what the read would cost without it.
    ['changed, modseq index not used', 'SELECT uid, modseq, sys_flags, keywords FROM messages WHERE account_id = ? AND mailbox_id = ? AND +modseq > ?'],
  ];
  for (const [name, sql] of queries) {
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(account.id, inbox.id, since) as Array<{ detail: string }>;
    visited = 0;
    const rows = db.prepare(sql.replace('WHERE', 'WHERE visit() AND')).all(account.id, inbox.id, since).length;
    console.log(`${name}: plan "${plan.map((p) => p.detail).join('; ')}"; rows visited ${visited}, returned ${rows}`);
  }
  db.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
