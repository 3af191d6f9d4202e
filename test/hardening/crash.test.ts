/**
 * Crash safety: concurrent APPEND, STORE, EXPUNGE and LMTP delivery against a real `letterbox serve` process, killed
 * with SIGKILL at random moments (KILLS times) and restarted on the same data directory. After every
 * restart: every acknowledged message (tagged OK to APPEND, 250 to LMTP) is present byte for byte (unless its EXPUNGE was acknowledged),
 * acknowledged flags are set, no UID is reused, UIDNEXT and HIGHESTMODSEQ never go back, UIDVALIDITY is
 * unchanged, and every message present is one that was sent, whole (nothing half-written).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../support/cli.js';
import { LmtpClient, type RawClient } from '../support/line-client.js';
import { appendNonSync, login } from '../support/transcript.js';
import { testDatabase } from '../support/postgres.js';
import { BACKENDS, startServe, type ServeProcess } from '../support/server.js';

/** Number of SIGKILLs; LETTERBOX_CRASH_KILLS raises it for longer runs. */
const KILLS = Number(process.env.LETTERBOX_CRASH_KILLS ?? 20);

/** A small deterministic PRNG (mulberry32), so a failing run can be repeated with LETTERBOX_CRASH_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Model {
  /** Every body ever sent, acknowledged or not. */
  sent: Set<string>;
  /** Acknowledged APPENDs: UID -> body. */
  acked: Map<number, string>;
  /** Messages acknowledged with 250 by LMTP, as stored (with Return-Path and Delivered-To); never expunged by the test. */
  delivered: Set<string>;
  /** UIDs whose EXPUNGE was acknowledged. */
  expunged: Set<number>;
  /** UIDs an EXPUNGE was sent for: if the server died before answering, they may be gone or not. */
  expungeTried: Set<number>;
  /** UIDs whose +FLAGS (\Flagged) was acknowledged. */
  flagged: Set<number>;
  /** Every UID ever seen with its body, to detect reuse. */
  seen: Map<number, string>;
  uidValidity: number | null;
  uidNext: number;
  highestModseq: number;
}

/** fetchAll reads UID, FLAGS and the body of every message in INBOX over a fresh session. */
async function inspect(srv: ServeProcess): Promise<{ uidValidity: number; uidNext: number; highestModseq: number; messages: Map<number, { flags: string; body: string }> }> {
  const c = await login(srv.imapPort, 'alice@example.com');
  try {
    const status = (await c.command('st', 'STATUS INBOX (UIDVALIDITY UIDNEXT HIGHESTMODSEQ)', 20_000))[0]!;
    const num = (k: string): number => Number(new RegExp(`${k} (\\d+)`).exec(status)![1]);
    await c.command('ex', 'EXAMINE INBOX', 20_000);
    const lines = await c.command('f', 'UID FETCH 1:* (UID FLAGS BODY.PEEK[])', 20_000);
    assert.match(lines.at(-1)!, /^f OK /);
    const messages = new Map<number, { flags: string; body: string }>();
    for (const l of lines.slice(0, -1)) {
      // STATUS HIGHESTMODSEQ above enabled CONDSTORE (RFC 7162 section 3.1), so FETCH responses carry MODSEQ.
      const m = /^\* \d+ FETCH \(UID (\d+) FLAGS \(([^)]*)\) BODY\[\] \{(\d+)\}\r\n([\s\S]*) MODSEQ \(\d+\)\)$/.exec(l);
      assert.ok(m, `unexpected line ${l.slice(0, 200)}`);
      assert.equal(Buffer.byteLength(m[4]!), Number(m[3]));
      messages.set(Number(m[1]), { flags: m[2]!, body: m[4]! });
    }
    return { uidValidity: num('UIDVALIDITY'), uidNext: num('UIDNEXT'), highestModseq: num('HIGHESTMODSEQ'), messages };
  } finally {
    c.close();
  }
}

/** check asserts the invariants of the file comment against the restarted server. */
async function check(srv: ServeProcess, model: Model, round: number): Promise<void> {
  const now = await inspect(srv);
  const where = `after kill ${round}`;
  if (model.uidValidity === null) model.uidValidity = now.uidValidity;
  assert.equal(now.uidValidity, model.uidValidity, `${where}: UIDVALIDITY changed`);
  assert.ok(now.uidNext >= model.uidNext, `${where}: UIDNEXT went back from ${model.uidNext} to ${now.uidNext}`);
  assert.ok(now.highestModseq >= model.highestModseq, `${where}: HIGHESTMODSEQ went back from ${model.highestModseq} to ${now.highestModseq}`);
  for (const [uid, body] of model.acked) {
    if (model.expunged.has(uid)) continue;
    const got = now.messages.get(uid);
    if (!got && model.expungeTried.has(uid)) {
      model.expunged.add(uid);
      continue;
    }
    assert.ok(got, `${where}: acknowledged UID ${uid} is missing`);
    assert.equal(got.body, body, `${where}: UID ${uid} changed`);
    if (model.flagged.has(uid)) assert.match(got.flags, /\\Flagged/, `${where}: acknowledged \\Flagged on UID ${uid} lost`);
  }
  const present = new Set([...now.messages.values()].map((m) => m.body));
  for (const body of model.delivered) assert.ok(present.has(body), `${where}: a message acknowledged by LMTP is missing: ${body.slice(0, 120)}`);
  for (const [uid, { body }] of now.messages) {
    assert.ok(!model.expunged.has(uid), `${where}: expunged UID ${uid} is back`);
    assert.ok(model.sent.has(body), `${where}: UID ${uid} holds a body that was never sent (half-written?)`);
    assert.ok(uid < now.uidNext, `${where}: UID ${uid} is not below UIDNEXT ${now.uidNext}`);
    const before = model.seen.get(uid);
    assert.ok(before === undefined || before === body, `${where}: UID ${uid} was reused`);
    model.seen.set(uid, body);
  }
  model.uidNext = now.uidNext;
  model.highestModseq = now.highestModseq;
}

/** worker runs `step` on its own session until `stop()` is true or the connection breaks (the kill). */
async function worker(srv: ServeProcess, stop: () => boolean, step: (c: RawClient, i: number) => Promise<void>): Promise<void> {
  let c: RawClient;
  try {
    c = await login(srv.imapPort, 'alice@example.com');
    await c.command('s', 'SELECT INBOX');
  } catch {
    return;
  }
  try {
    for (let i = 0; !stop(); i++) await step(c, i);
  } catch {
    // The server was killed mid-command: whatever was not acknowledged may or may not have happened.
  } finally {
    c.close();
  }
}

for (const backend of BACKENDS) {
  describe(`crash safety [${backend}]`, { timeout: 240_000 }, () => {
    it(`keeps every acknowledged change through ${KILLS} SIGKILLs during concurrent APPEND, STORE, EXPUNGE and LMTP delivery`, async () => {
      const seed = Number(process.env.LETTERBOX_CRASH_SEED ?? Date.now() % 100000);
      const rnd = prng(seed);
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-crash-'));
      // PostgreSQL: a database of its own; serve and the CLI reach it through LETTERBOX_STORAGE-free config.
      const pg = backend === 'postgres' ? await testDatabase() : null;
      const extraYaml = pg ? `storage:\n  kind: postgres\n  url: ${JSON.stringify(pg.url)}\n` : '';
      const storageArgs = pg ? ['--storage', pg.url] : [];
      let current: ServeProcess | null = null;
      const model: Model = { sent: new Set(), acked: new Map(), delivered: new Set(), expunged: new Set(), expungeTried: new Set(), flagged: new Set(), seen: new Map(), uidValidity: null, uidNext: 1, highestModseq: 0 };
      try {
        assert.equal((await runCli(['user', 'add', 'alice@example.com', '--password-stdin', '--data-dir', dataDir, ...storageArgs], 'pw\n')).code, 0);
        let srv = await startServe(dataDir, { extraYaml });
        current = srv;
        let serial = 0;
        for (let round = 1; round <= KILLS; round++) {
          let stopped = false;
          const stop = () => stopped;
          const live = () => [...model.acked.keys()].filter((u) => !model.expunged.has(u));
          const pick = (): number | undefined => {
            const l = live();
            return l.length ? l[Math.floor(rnd() * l.length)] : undefined;
          };
          const appender = (tagBase: string) => async (c: RawClient, i: number) => {
            const n = ++serial;
            const body = `Subject: crash ${n}\r\nMessage-ID: <crash-${seed}-${n}@example.org>\r\n\r\n${`line ${n} `.repeat(1 + Math.floor(rnd() * 400))}\r\n`;
            model.sent.add(body);
            const reply = await appendNonSync(c, `${tagBase}${i}`, 'INBOX', body);
            const m = /OK \[APPENDUID \d+ (\d+)\]/.exec(reply);
            assert.ok(m, `APPEND answered ${reply}`);
            model.acked.set(Number(m[1]), body);
          };
          const storer = async (c: RawClient, i: number) => {
            const uid = pick();
            if (uid === undefined) return void (await sleep(5));
            // The APPEND was acknowledged on another session: NOOP brings it into this session's view.
            await c.command(`n${i}`, 'NOOP');
            const lines = await c.command(`f${i}`, `UID STORE ${uid} +FLAGS.SILENT (\\Flagged)`);
            if (lines.at(-1)!.startsWith(`f${i} OK`)) model.flagged.add(uid);
          };
          const expunger = async (c: RawClient, i: number) => {
            const uid = pick();
            if (uid === undefined || rnd() < 0.6) return void (await sleep(10));
            await c.command(`n${i}`, 'NOOP');
            await c.command(`d${i}`, `UID STORE ${uid} +FLAGS.SILENT (\\Deleted)`);
            model.expungeTried.add(uid);
            const lines = await c.command(`x${i}`, `UID EXPUNGE ${uid}`);
            // Only the untagged EXPUNGE says the message went; a bare OK may have expunged nothing.
            if (lines.at(-1)!.startsWith(`x${i} OK`) && lines.some((l) => /^\* \d+ EXPUNGE$/.test(l))) model.expunged.add(uid);
          };
          const deliverer = async () => {
            let c: LmtpClient;
            try {
              c = await LmtpClient.connect(srv.lmtpPort);
              await c.command('LHLO crash-test');
            } catch {
              return;
            }
            try {
              while (!stopped) {
                const n = ++serial;
                const body = `Subject: delivered ${n}\r\nMessage-ID: <lmtp-${seed}-${n}@example.org>\r\n\r\n${`lmtp ${n} `.repeat(1 + Math.floor(rnd() * 400))}\r\n`;
                const stored = `Return-Path: <crash@example.org>\r\nDelivered-To: alice@example.com\r\n${body}`;
                model.sent.add(stored);
                await c.command('MAIL FROM:<crash@example.org>');
                await c.command('RCPT TO:<alice@example.com>');
                await c.command('DATA');
                c.write(body + '.\r\n');
                const reply = await c.readReply();
                assert.match(reply[0]!, /^250 2\.6\.0 /, `LMTP DATA answered ${reply.join(' ')}`);
                model.delivered.add(stored);
              }
            } catch (err) {
              // The server was killed mid-transaction; an assertion failure is a real failure.
              if (err instanceof assert.AssertionError) throw err;
            } finally {
              c.socket.destroy();
            }
          };
          const workers = [worker(srv, stop, appender('a')), worker(srv, stop, appender('b')), worker(srv, stop, storer), worker(srv, stop, expunger), deliverer()];
          await sleep(100 + Math.floor(rnd() * 300));
          srv.proc.kill('SIGKILL');
          stopped = true;
          await srv.exited;
          await Promise.all(workers);
          srv = await startServe(dataDir, { extraYaml, imapPort: srv.imapPort, imapsPort: srv.imapsPort, lmtpPort: srv.lmtpPort });
          current = srv;
          await check(srv, model, round);
        }
        console.log(`crash test [${backend}]: seed ${seed}, ${KILLS} kills, ${model.acked.size} APPENDs, ${model.flagged.size} STOREs, ${model.expunged.size} EXPUNGEs, ${model.delivered.size} LMTP deliveries acknowledged`);
        assert.ok(model.acked.size > KILLS, `only ${model.acked.size} APPENDs were acknowledged (seed ${seed})`);
        srv.proc.kill('SIGTERM');
        assert.equal(await srv.exited, 0);
      } finally {
        current?.proc.kill('SIGKILL');
        if (current) await current.exited;
        await pg?.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
