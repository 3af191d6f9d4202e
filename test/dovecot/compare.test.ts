/**
 * Correctness against a reference (issue #3): the same messages are loaded into Letterbox and into
 * Debian's Dovecot, and their answers are compared message by message: FETCH ENVELOPE, BODYSTRUCTURE,
 * BODY[HEADER], BODY[TEXT], BODY[n] / BODY[n.MIME] of every part, BINARY.SIZE, RFC822.SIZE; SEARCH over
 * headers, bodies, dates, sizes and flags (non-ASCII text in several charsets); SORT and THREAD when
 * Letterbox advertises them. A difference fails the test unless differences.ts explains it with an RFC
 * passage. Without Dovecot the test skips, except under CI=true where it fails.
 *
 * Run alone: node --import tsx --test test/dovecot/compare.test.ts
 * Write every difference to a JSON file: DOVECOT_COMPARE_REPORT=/tmp/diff.json (same command).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { dovecotAvailable, startDovecot, type Dovecot } from '../support/dovecot.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { appendAll, loadCorpus, type CorpusMessage, type Loaded } from './corpus.js';
import { compareBinary, compareMessage, compareSearch, compareSort, compareThread, Tally, type Side } from './compare.js';
import { SEARCHES, SORTS, THREAD_ALGORITHMS, STORES } from './criteria.js';
import { WireClient } from './wire.js';

const CI = process.env.CI === 'true';
const skip = !dovecotAvailable() && !CI ? 'dovecot is not installed (/usr/sbin/dovecot); install dovecot-imapd' : false;

/** Connections per server, so that FETCHes run in parallel without pipelining on one connection. */
const LANES = 4;

describe('comparison with Dovecot', { skip, timeout: 600_000 }, () => {
  let dovecot: Dovecot;
  let letterbox: TestServer;
  /** lanes[k] holds one connection to each server; lanes[0] also runs SEARCH, SORT, THREAD and BINARY. */
  const lanes: Array<{ lb: Side; dc: Side }> = [];
  let lLoaded: Loaded;
  let dLoaded: Loaded;
  let msgs: CorpusMessage[];
  const tally = new Tally();
  let lbCaps: string[] = [];

  before(async () => {
    // Under CI=true a missing binary or a failed start throws here, which fails every test below.
    dovecot = await startDovecot({ users: [{ name: 'cmp', password: 'pw' }] });
    letterbox = await startTestServer('sqlite');
    await letterbox.addUser('cmp@example.com', 'pw');
    msgs = loadCorpus();
    const lbOpen = (): Promise<WireClient> => WireClient.login(letterbox.imapPort, 'cmp@example.com', 'pw');
    const dcOpen = (): Promise<WireClient> => WireClient.login(dovecot.port, 'cmp', 'pw');
    const [lc, dcc] = await Promise.all([lbOpen(), dcOpen()]);
    const cap = await lc.command('CAPABILITY');
    lbCaps = cap.untagged.map((l) => l.toString('latin1')).join(' ').toUpperCase().split(/\s+/);
    [lLoaded, dLoaded] = await Promise.all([appendAll(lc, 'INBOX', msgs), appendAll(dcc, 'INBOX', msgs)]);
    const selected = (open: () => Promise<WireClient>) => async (): Promise<WireClient> => {
      const c = await open();
      const r = await c.command('SELECT INBOX');
      assert.equal(r.status, 'OK', `SELECT INBOX: ${r.text}`);
      return c;
    };
    lc.close();
    dcc.close();
    for (let k = 0; k < LANES; k++) {
      lanes.push({
        lb: { client: await selected(lbOpen)(), loaded: lLoaded, reopen: selected(lbOpen) },
        dc: { client: await selected(dcOpen)(), loaded: dLoaded, reopen: selected(dcOpen) },
      });
    }
    // Flags changed after delivery as well as given to APPEND, on both servers alike.
    for (const store of STORES) {
      const [a, b] = await Promise.all([lanes[0]!.lb.client.command(store), lanes[0]!.dc.client.command(store)]);
      assert.equal(a.status, 'OK', `${store} on Letterbox: ${a.text}`);
      assert.equal(b.status, 'OK', `${store} on Dovecot: ${b.text}`);
    }
  });

  after(async () => {
    for (const lane of lanes) {
      lane.lb.client.close();
      lane.dc.client.close();
    }
    await letterbox?.close();
    await dovecot?.stop();
    if (tally.total > 0) {
      console.log(tally.summary());
      if (process.env.DOVECOT_COMPARE_REPORT) writeFileSync(process.env.DOVECOT_COMPARE_REPORT, JSON.stringify(tally.differences, null, 1));
    }
  });

  it('accepts and refuses the same messages', () => {
    for (const m of msgs) {
      const a = lLoaded.refused.get(m.name);
      const b = dLoaded.refused.get(m.name);
      tally.record(m.name, 'APPEND', (a === undefined) === (b === undefined), () => a ?? 'OK', () => b ?? 'OK');
    }
  });

  const inBoth = (): CorpusMessage[] => msgs.filter((m) => lLoaded.uids.has(m.name) && dLoaded.uids.has(m.name));

  it('answers FETCH alike for every message and part', async () => {
    const queue = inBoth();
    await Promise.all(
      lanes.map(async ({ lb, dc }) => {
        for (let m = queue.shift(); m; m = queue.shift()) await compareMessage(tally, lb, dc, m.name);
      }),
    );
  });

  it('answers BINARY and BINARY.SIZE alike for every leaf part', async () => {
    const queue = inBoth();
    await Promise.all(
      lanes.map(async ({ lb, dc }) => {
        for (let m = queue.shift(); m; m = queue.shift()) await compareBinary(tally, lb, dc, m.name);
      }),
    );
  });

  it('answers SEARCH alike', async () => {
    const { lb, dc } = lanes[0]!;
    for (const c of SEARCHES) await compareSearch(tally, lb, dc, c);
  });

  it('answers SORT alike when Letterbox advertises SORT', async (t) => {
    if (!lbCaps.includes('SORT')) return t.skip('Letterbox does not advertise SORT');
    const { lb, dc } = lanes[0]!;
    for (const keys of SORTS) await compareSort(tally, lb, dc, keys);
  });

  it('answers THREAD alike for the algorithms Letterbox advertises', async (t) => {
    const algorithms = THREAD_ALGORITHMS.filter((a) => lbCaps.includes(`THREAD=${a}`));
    if (algorithms.length === 0) return t.skip('Letterbox does not advertise THREAD');
    const { lb, dc } = lanes[0]!;
    for (const a of algorithms) await compareThread(tally, lb, dc, a);
  });

  it('has no unexplained differences', () => {
    const unexplained = tally.unexplained;
    const shown = unexplained
      .slice(0, 40)
      .map((d) => `${d.message} ${d.item}\n  letterbox: ${d.letterbox.slice(0, 600)}\n  dovecot:   ${d.dovecot.slice(0, 600)}`)
      .join('\n');
    assert.equal(unexplained.length, 0, `${tally.summary()}\n${shown}`);
  });

  it('explains no case that matches (differences.ts describes Letterbox as it is)', () => {
    assert.deepEqual(tally.stale, [], `explained in differences.ts but equal now: remove these cases`);
  });
});
