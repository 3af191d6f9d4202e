/**
 * Store suite part 2: APPEND, FETCH data, EXPUNGE, STORE, COPY, MOVE (RFC 9051, RFC 7162, RFC 4315, RFC 6851).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { prepareMessage } from '../../src/delivery/prepare.js';
import { DATE, message, newAccount, rejectsWith, type Ctx } from './helpers.js';
import { until } from '../support/until.js';
import { encodeEnvelope } from '../../src/protocol/envelope.js';
import { LISTING_CACHE_MIN_MESSAGES } from '../../src/limits.js';
import type { SortDates } from '../../src/store/sort-dates.js';

/** appendTests covers APPEND and reading messages back. */
export function appendTests(ctx: Ctx): void {
  it('writes made at the same time succeed or fail each on its own', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    // Which append gets UID 1 is up to the backend (SQLite commits them together, PostgreSQL on two connections).
    const [a, refused, b] = await Promise.allSettled([
      ctx.store.appendMessages(accountId, inbox, [message('one')]),
      ctx.store.appendMessages(accountId, 999_999, [message('nowhere')]),
      ctx.store.appendMessages(accountId, inbox, [message('two')]),
    ]);
    assert.equal(refused.status, 'rejected');
    assert.ok(a.status === 'fulfilled' && b.status === 'fulfilled');
    assert.deepEqual([...a.value.uids, ...b.value.uids].sort(), [1, 2]);
    const [flagged, again] = await Promise.all([
      ctx.store.storeFlags(accountId, inbox, [1], 'add', ['\\Seen']),
      ctx.store.appendMessages(accountId, inbox, [message('three')]),
    ]);
    assert.deepEqual(flagged.updated.map((m) => m.uid), [1]);
    assert.deepEqual(again.uids, [3]);
    const list = await ctx.store.listMessages(accountId, inbox);
    assert.deepEqual(list.map((m) => [m.uid, m.flags]), [[1, ['\\Seen']], [2, []], [3, []]]);
    await rejectsWith(ctx.store.appendMessages(accountId, 999_999, [message('x')]), 'TRYCREATE');
  });

  it('appends with increasing UIDs and modseqs and reads everything back', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const mb0 = (await ctx.store.getMailbox(accountId, 'INBOX'))!;
    const m1 = message('first', ['\\seen', 'Work', 'work', '\\FLAGGED'], DATE);
    const r1 = await ctx.store.appendMessages(accountId, inbox, [m1]);
    assert.deepEqual(r1, { uidValidity: mb0.uidValidity, uids: [1] });
    const r2 = await ctx.store.appendMessages(accountId, inbox, [message('second'), message('third', [], DATE + 1000)]);
    assert.deepEqual(r2.uids, [2, 3]);
    const mb = (await ctx.store.getMailbox(accountId, 'INBOX'))!;
    assert.equal(mb.uidNext, 4);

    const list = await ctx.store.listMessages(accountId, inbox);
    assert.deepEqual(
      list.map((m) => m.uid),
      [1, 2, 3],
    );
    assert.ok(list[0]!.modseq > mb0.highestModseq);
    assert.ok(list[1]!.modseq > list[0]!.modseq);
    assert.equal(list[2]!.modseq, list[1]!.modseq, 'one transaction, one modseq');
    assert.equal(mb.highestModseq, list[2]!.modseq);
    assert.deepEqual(list[0]!.flags, ['\\Seen', '\\Flagged', 'Work']);

    const [rec] = await ctx.store.getMessages(accountId, inbox, [1]);
    assert.ok(rec);
    assert.equal(rec.uid, 1);
    assert.equal(rec.internalDate, DATE);
    assert.equal(rec.size, m1.raw.length);
    assert.ok(Math.abs(rec.saveDate - Date.now()) < 60_000);
    assert.deepEqual(rec.structure, m1.structure);
    assert.deepEqual(rec.envelope, m1.envelope);
    assert.equal(rec.sentDate, m1.sentDate);
    assert.deepEqual(await ctx.store.readBody(accountId, rec.bodyId), m1.raw);
  });

  it('returns records for existing UIDs only, ascending', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    await ctx.store.appendMessages(accountId, inbox, [message('a'), message('b'), message('c')]);
    const recs = await ctx.store.getMessages(accountId, inbox, [3, 99, 1]);
    assert.deepEqual(
      recs.map((r) => [r.uid, r.envelope.subject]),
      [
        [1, 'a'],
        [3, 'c'],
      ],
    );
    assert.deepEqual(await ctx.store.getMessages(accountId, inbox, []), []);
  });

  it('returns sort records for existing UIDs only, ascending, with the envelope and References when asked', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const [a, b] = [message('a'), message('b')];
    const reply = prepareMessage(Buffer.from('Subject: Re: a\r\nReferences: <1@x>\r\n <2@x>\r\n\r\nbody\r\n'), [], DATE);
    await ctx.store.appendMessages(accountId, inbox, [a, b, message('c'), reply]);
    const recs = await ctx.store.getSortRecords(accountId, inbox, [3, 99, 1, 4], { envelope: true, references: true });
    assert.deepEqual(
      recs.map((r) => [r.uid, r.envelope?.subject, r.references]),
      [
        [1, 'a', null],
        [3, 'c', null],
        [4, 'Re: a', '<1@x> <2@x>'],
      ],
    );
    assert.deepEqual(await ctx.store.getSortRecords(accountId, inbox, [2], { envelope: false, references: false }), [
      // 'Mon, 15 Jan 2024 10:00:00 +0000', parsed at delivery (mime/sent-date.ts).
      { uid: 2, internalDate: b.internalDate, size: b.raw.length, sentDate: Date.UTC(2024, 0, 15, 10), envelope: null, references: null },
    ]);
    assert.equal((await ctx.store.getSortRecords(accountId, inbox, [4], { envelope: false, references: false }))[0]!.references, null);
    assert.deepEqual(await ctx.store.getSortRecords(accountId, inbox, [], { envelope: true, references: true }), []);
    await rejectsWith(ctx.store.getSortRecords(accountId, inbox + 1000, [1], { envelope: false, references: false }), 'NONEXISTENT');
  });

  it('reads only the record parts asked for, and the ENVELOPE text stored at delivery', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const m = message('parts "quoted"');
    await ctx.store.appendMessages(accountId, inbox, [m]);
    const [all] = await ctx.store.getMessages(accountId, inbox, [1]);
    assert.equal(all!.envelopeText, encodeEnvelope(m.envelope, false));
    assert.ok(all!.envelopeText!.includes('"parts \\"quoted\\""'));
    const [text] = await ctx.store.getMessages(accountId, inbox, [1], { structure: false, envelope: false, envelopeText: true });
    assert.equal(text!.envelopeText, all!.envelopeText);
    assert.equal(text!.internalDate, DATE);
    assert.throws(() => text!.structure, /body structure of UID 1 was not loaded/);
    assert.throws(() => text!.envelope, /envelope of UID 1 was not loaded/);
    const [bare] = await ctx.store.getMessages(accountId, inbox, [1], { structure: true, envelope: false });
    assert.deepEqual(bare!.structure, m.structure);
    assert.equal(bare!.envelopeText, null);
  });

  it('gives the same body structures when read again (kept in memory), and none for messages expunged since, also by another connection', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const ms = [message('one'), message('two', [], DATE, 'a longer body\r\nof two lines'), message('three')];
    await ctx.store.appendMessages(accountId, inbox, ms);
    const parts = { structure: true, envelope: false, meta: false };
    const first = await ctx.store.getMessages(accountId, inbox, [1, 2, 3], parts);
    assert.deepEqual(first.map((r) => r.structure), ms.map((m) => m.structure));
    const other = ctx.opened.openSecond ? await ctx.opened.openSecond() : ctx.store;
    try {
      await other.storeFlags(accountId, inbox, [2], 'add', ['\\Deleted']);
      assert.deepEqual(await other.expunge(accountId, inbox), [2]);
    } finally {
      if (other !== ctx.store) await other.close();
    }
    const again = await ctx.store.getMessages(accountId, inbox, [1, 2, 3], parts);
    assert.deepEqual(again.map((r) => r.uid), [1, 3]);
    assert.deepEqual(again.map((r) => r.structure), [ms[0]!.structure, ms[2]!.structure]);
    // With the whole record, as FETCH of a section also reads flags.
    const [whole] = await ctx.store.getMessages(accountId, inbox, [3]);
    assert.deepEqual(whole!.structure, ms[2]!.structure);
    assert.deepEqual(whole!.envelope, ms[2]!.envelope);
  });

  it('keeps no ENVELOPE text for an envelope with NUL, and reads the envelope instead', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const raw = Buffer.from('From: a@example.com\r\nSubject: nul x\0y\r\n\r\nbody\r\n', 'latin1');
    const m = prepareMessage(raw, [], DATE);
    assert.ok(m.envelope.subject!.includes('\0'), 'the decoded subject holds NUL');
    await ctx.store.appendMessages(accountId, inbox, [m]);
    const [rec] = await ctx.store.getMessages(accountId, inbox, [1], { structure: false, envelope: false, envelopeText: true });
    assert.equal(rec!.envelopeText, null);
    assert.deepEqual(rec!.envelope, m.envelope);
    // Beside messages whose text is stored: each gets its own.
    const plain = message('plain');
    await ctx.store.appendMessages(accountId, inbox, [plain, m]);
    const recs = await ctx.store.getMessages(accountId, inbox, [1, 2, 3], { structure: false, envelope: false, envelopeText: true });
    assert.deepEqual(
      recs.map((r) => [r.uid, r.envelopeText === null ? r.envelope.subject : r.envelopeText]),
      [
        [1, 'nul x\0y'],
        [2, encodeEnvelope(plain.envelope, false)],
        [3, 'nul x\0y'],
      ],
    );
  });

  it('returns the sort dates of every message, the same object while no message comes or goes', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const undated = prepareMessage(Buffer.from('Subject: no date\r\n\r\nx\r\n'), [], DATE + 5000);
    const badDate = prepareMessage(Buffer.from('Date: Mon 10 Jun 2002 10:00:00 +0000\r\nSubject: comma missing\r\n\r\nx\r\n'), [], DATE + 6000);
    await ctx.store.appendMessages(accountId, inbox, [message('a'), undated, badDate]);
    const d1 = await ctx.store.getSortDates(accountId, inbox);
    const columns = (d: SortDates) => ({ uids: d.uids, arrival: d.arrival, date: d.date, size: d.size });
    // The Date header where it can be parsed (mime/sent-date.ts), else the internal date (RFC 5256 section 2.2).
    assert.deepEqual(columns(d1), { uids: [1, 2, 3], arrival: [DATE, DATE + 5000, DATE + 6000], date: [Date.UTC(2024, 0, 15, 10), DATE + 5000, DATE + 6000], size: [message('a').raw.length, undated.raw.length, badDate.raw.length] });
    await ctx.store.storeFlags(accountId, inbox, [2], 'add', ['\\Deleted']);
    assert.deepEqual(columns(await ctx.store.getSortDates(accountId, inbox)), columns(d1));
    await ctx.store.expunge(accountId, inbox);
    await ctx.store.appendMessages(accountId, inbox, [message('late', [], DATE + 9000)]);
    const d3 = await ctx.store.getSortDates(accountId, inbox);
    assert.deepEqual(d3.uids, [1, 3, 4]);
    assert.deepEqual(d3.arrival, [DATE, DATE + 6000, DATE + 9000]);
    assert.deepEqual(d1.uids, [1, 2, 3], 'an answer already given does not change');
    await rejectsWith(ctx.store.getSortDates(accountId, inbox + 1000), 'NONEXISTENT');
  });

  it('lists a large mailbox as it is after every kind of change, also by another connection', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const n = LISTING_CACHE_MIN_MESSAGES;
    await ctx.store.appendMessages(accountId, inbox, Array.from({ length: n }, (_, i) => message(`m${i}`)));
    const first = await ctx.store.listMessages(accountId, inbox);
    assert.equal(first.length, n);
    assert.deepEqual(await ctx.store.listMessages(accountId, inbox), first);
    await ctx.store.storeFlags(accountId, inbox, [7], 'add', ['\\Deleted', '$x']);
    const afterFlags = await ctx.store.listMessages(accountId, inbox);
    assert.deepEqual(afterFlags[6]!.flags, ['\\Deleted', '$x']);
    assert.ok(afterFlags[6]!.modseq > first[6]!.modseq);
    assert.deepEqual(await ctx.store.expunge(accountId, inbox), [7]);
    assert.deepEqual((await ctx.store.listMessages(accountId, inbox)).map((m) => m.uid).slice(5, 8), [6, 8, 9]);
    // Another connection (another process, or another node) appends and sets flags.
    const other = ctx.opened.openSecond ? await ctx.opened.openSecond() : ctx.store;
    try {
      await other.appendMessages(accountId, inbox, [message('late')]);
      await other.storeFlags(accountId, inbox, [1], 'add', ['\\Seen']);
    } finally {
      if (other !== ctx.store) await other.close();
    }
    const last = await ctx.store.listMessages(accountId, inbox);
    assert.equal(last.length, n);
    assert.equal(last[last.length - 1]!.uid, n + 1);
    assert.deepEqual(last[0]!.flags, ['\\Seen']);
  });

  it('keeps the sort dates of a large mailbox in step with every change, also by another connection', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const n = LISTING_CACHE_MIN_MESSAGES;
    await ctx.store.appendMessages(accountId, inbox, Array.from({ length: n }, (_, i) => message(`m${i}`, [], DATE + i)));
    const d1 = await ctx.store.getSortDates(accountId, inbox);
    assert.equal(d1.uids.length, n);
    await ctx.store.storeFlags(accountId, inbox, [5], 'add', ['\\Seen']);
    assert.equal(await ctx.store.getSortDates(accountId, inbox), d1, 'a flag change keeps the same object');
    await ctx.store.storeFlags(accountId, inbox, [7, 9], 'add', ['\\Deleted']);
    await ctx.store.expunge(accountId, inbox);
    const other = ctx.opened.openSecond ? await ctx.opened.openSecond() : ctx.store;
    try {
      await other.appendMessages(accountId, inbox, [message('late', [], DATE - 1)]);
      const d2 = await ctx.store.getSortDates(accountId, inbox);
      assert.equal(d2.uids.length, n - 1);
      assert.deepEqual(d2.uids.slice(5, 8), [6, 8, 10]);
      assert.equal(d2.uids[d2.uids.length - 1], n + 1);
      assert.equal(d2.arrival[d2.arrival.length - 1], DATE - 1);
      assert.equal(d2.arrival[5], DATE + 5);
    } finally {
      if (other !== ctx.store) await other.close();
    }
  });

  it('handles an empty batch and a missing mailbox', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const mb = (await ctx.store.getMailbox(accountId, 'INBOX'))!;
    assert.deepEqual(await ctx.store.appendMessages(accountId, inbox, []), { uidValidity: mb.uidValidity, uids: [] });
    await rejectsWith(ctx.store.appendMessages(accountId, inbox + 1000, [message('x')]), 'TRYCREATE');
    await rejectsWith(ctx.store.readBody(accountId, 999_999), 'NONEXISTENT');
    assert.deepEqual(await ctx.store.getMailbox(accountId, 'INBOX'), mb);
  });

  it('returns the search text of messages by UID', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const a = message('apples', [], DATE, 'zebra crossing');
    const b = message('pears', [], DATE, 'giraffe');
    await ctx.store.appendMessages(accountId, inbox, [a, b]);
    const text = await ctx.store.getSearchText(accountId, inbox, [2, 1, 7]);
    assert.deepEqual([...text.keys()].sort(), [1, 2]);
    assert.deepEqual(text.get(1), a.searchText);
    assert.deepEqual(text.get(2), b.searchText);
    assert.ok(text.get(1)!.body.includes('zebra'));
    assert.ok(text.get(2)!.headers.includes('pears'));
  });
}

/** expungeTests covers EXPUNGE and UID EXPUNGE. */
export function expungeTests(ctx: Ctx): void {
  it('expunges only \\Deleted messages and never reuses their UIDs', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    await ctx.store.appendMessages(accountId, inbox, [message('1', ['\\Deleted']), message('2'), message('3', ['\\Deleted']), message('4', ['\\Deleted'])]);
    const [rec1] = await ctx.store.getMessages(accountId, inbox, [1]);
    const before = (await ctx.store.getMailbox(accountId, 'INBOX'))!;
    assert.deepEqual(await ctx.store.expunge(accountId, inbox, [1, 2, 4]), [1, 4]);
    const mid = (await ctx.store.getMailbox(accountId, 'INBOX'))!;
    assert.ok(mid.highestModseq > before.highestModseq);
    assert.deepEqual(await ctx.store.expunge(accountId, inbox), [3]);
    assert.deepEqual(await ctx.store.expunge(accountId, inbox), []);
    const after = (await ctx.store.getMailbox(accountId, 'INBOX'))!;
    assert.ok(after.highestModseq > mid.highestModseq);
    assert.deepEqual(
      (await ctx.store.listMessages(accountId, inbox)).map((m) => m.uid),
      [2],
    );
    // No message refers to the body any more; it is deleted by the store's upkeep, not by the expunge.
    assert.equal((await ctx.store.readBody(accountId, rec1!.bodyId)).length, rec1!.size);
    await ctx.store.finishBackground();
    await rejectsWith(ctx.store.readBody(accountId, rec1!.bodyId), 'NONEXISTENT');
    assert.equal(after.uidNext, 5);
    assert.deepEqual((await ctx.store.appendMessages(accountId, inbox, [message('5')])).uids, [5]);
    await rejectsWith(ctx.store.expunge(accountId, inbox + 1000), 'NONEXISTENT');
  });

  it("leaves the bodies an expunge freed to the upkeep, which deletes those no message took and keeps a copy's", async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const archive = await ctx.store.createMailbox(accountId, 'Kept');
    await ctx.store.appendMessages(accountId, inbox, [message('alone'), message('copied'), message('kept')]);
    const ids = (await ctx.store.getMessages(accountId, inbox, [1, 2, 3])).map((r) => r.bodyId);
    await ctx.store.copyMessages(accountId, inbox, [2], archive.id);
    assert.deepEqual(await ctx.store.expunge(accountId, inbox, [1, 2], { deletedOnly: false }), [1, 2]);
    const readable = async (bodyId: number): Promise<boolean> =>
      ctx.store.readBody(accountId, bodyId).then(
        () => true,
        () => false,
      );
    const stop = ctx.store.startBackground();
    try {
      await until('the upkeep to delete the lone body', async () => !(await readable(ids[0]!)));
    } finally {
      stop();
    }
    assert.deepEqual([await readable(ids[0]!), await readable(ids[1]!), await readable(ids[2]!)], [false, true, true]);
    const [copy] = await ctx.store.getMessages(accountId, archive.id, [1]);
    assert.equal(copy!.bodyId, ids[1]);
    assert.match((await ctx.store.readBody(accountId, copy!.bodyId)).toString('latin1'), /^Subject: copied\r$/m);
    const quota = await ctx.store.getQuota(accountId);
    assert.equal(quota.messagesUsed, 2, 'released by the expunge, not by the purge');
  });

  it('reads many bodies in order, null for one expunged since, also by another connection, kept or not', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    await ctx.store.appendMessages(accountId, inbox, [message('one'), message('two'), message('three'), message('four')]);
    const ids = (await ctx.store.getMessages(accountId, inbox, [1, 2, 3, 4])).map((r) => r.bodyId);
    const read = async (bodyIds: number[]): Promise<Array<string | null>> => {
      const out: Array<string | null> = [];
      for await (const b of ctx.store.readBodies(accountId, bodyIds)) out.push(b && /^Subject: (\w+)/m.exec(b.toString('latin1'))![1]!);
      return out;
    };
    // Bodies 1 and 3 are kept in memory; 2 and 4 are not yet.
    await ctx.store.readBody(accountId, ids[0]!);
    await ctx.store.readBody(accountId, ids[2]!);
    const other = ctx.opened.openSecond ? await ctx.opened.openSecond() : ctx.store;
    try {
      await other.storeFlags(accountId, inbox, [1, 4], 'add', ['\\Deleted']);
      assert.deepEqual(await other.expunge(accountId, inbox), [1, 4]);
      await other.finishBackground();
    } finally {
      if (other !== ctx.store) await other.close();
    }
    assert.deepEqual(await read([ids[3]!, ids[2]!, ids[1]!, ids[0]!]), [null, 'three', 'two', null]);
    assert.deepEqual(await read([ids[1]!, ids[1]!]), ['two', 'two']);
    assert.deepEqual(await read([]), []);
    // Stopping early leaves nothing open.
    for await (const b of ctx.store.readBodies(accountId, [ids[1]!, ids[2]!])) {
      assert.match(b!.toString('latin1'), /^Subject: two\r$/m);
      break;
    }
    await rejectsWith(ctx.store.readBody(accountId, ids[0]!), 'NONEXISTENT');
  });

  it('with deletedOnly false expunges the listed UIDs whatever their flags, in one change, and ignores missing UIDs (POP3 QUIT)', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    await ctx.store.appendMessages(accountId, inbox, [message('1', ['\\Seen']), message('2'), message('3', ['\\Deleted']), message('4')]);
    const before = (await ctx.store.getMailbox(accountId, 'INBOX'))!;
    let notified = 0;
    const off = ctx.store.onChange((acct, mailbox) => {
      if ((acct === null || acct === accountId) && (mailbox === null || mailbox === inbox)) notified++;
    });
    assert.deepEqual(await ctx.store.expunge(accountId, inbox, [4, 1, 9], { deletedOnly: false }), [1, 4]);
    const changes = await ctx.store.changesSince(accountId, inbox, before.highestModseq);
    assert.deepEqual(changes.expunged, [1, 4]);
    assert.equal(changes.highestModseq, before.highestModseq + 1, 'one transaction, one modseq');
    assert.deepEqual(
      (await ctx.store.listMessages(accountId, inbox)).map((m) => m.uid),
      [2, 3],
    );
    assert.deepEqual(await ctx.store.expunge(accountId, inbox, [1, 4], { deletedOnly: false }), []);
    assert.deepEqual(await ctx.store.expunge(accountId, inbox, [], { deletedOnly: false }), []);
    await assert.rejects(ctx.store.expunge(accountId, inbox, undefined, { deletedOnly: false }), /needs a UID list/);
    const deadline = Date.now() + 5000;
    while (notified === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    off();
    assert.ok(notified > 0, 'other sessions are told');
  });
}

/** flagTests covers STORE with and without UNCHANGEDSINCE. */
export function flagTests(ctx: Ctx): void {
  it('adds, removes and sets flags; only real changes get a new modseq', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    await ctx.store.appendMessages(accountId, inbox, [message('1', ['\\Seen']), message('2'), message('3', ['Work'])]);
    const base = (await ctx.store.listMessages(accountId, inbox))[0]!.modseq;

    const add = await ctx.store.storeFlags(accountId, inbox, [1, 2, 3, 42], 'add', ['\\SEEN', 'work']);
    assert.deepEqual(add.failed, []);
    assert.deepEqual(
      add.updated.map((m) => [m.uid, m.flags]),
      [
        [1, ['\\Seen', 'work']],
        [2, ['\\Seen', 'work']],
        [3, ['\\Seen', 'Work']],
      ],
    );
    const m1 = add.updated[0]!.modseq;
    assert.ok(m1 > base);
    assert.ok(add.updated.every((m) => m.modseq === m1));

    const again = await ctx.store.storeFlags(accountId, inbox, [1, 2, 3], 'add', ['\\Seen', 'WORK']);
    // Nothing changed: each message comes back as it is, for STORE to answer with its flags now.
    assert.deepEqual(again, { updated: [], unchanged: add.updated, failed: [] });
    assert.equal((await ctx.store.getMailbox(accountId, 'INBOX'))!.highestModseq, m1);

    const rm = await ctx.store.storeFlags(accountId, inbox, [1, 2], 'remove', ['\\seen', '\\Draft']);
    assert.deepEqual(
      rm.updated.map((m) => [m.uid, m.flags]),
      [
        [1, ['work']],
        [2, ['work']],
      ],
    );
    assert.ok(rm.updated[0]!.modseq > m1);

    const set = await ctx.store.storeFlags(accountId, inbox, [1, 2, 3], 'set', ['Work', '\\Answered']);
    assert.deepEqual(
      set.updated.map((m) => [m.uid, m.flags]),
      [
        [1, ['\\Answered', 'Work']],
        [2, ['\\Answered', 'Work']],
        [3, ['\\Answered', 'Work']],
      ],
    );
    const same = await ctx.store.storeFlags(accountId, inbox, [1, 2, 3], 'set', ['\\answered', 'WORK']);
    assert.deepEqual(same.updated, []);
    assert.deepEqual(same.unchanged, set.updated);
    const list = await ctx.store.listMessages(accountId, inbox);
    assert.deepEqual(
      list.map((m) => [m.uid, m.modseq]),
      set.updated.map((m) => [m.uid, m.modseq]),
    );
    await rejectsWith(ctx.store.storeFlags(accountId, inbox + 1000, [1], 'add', ['x']), 'NONEXISTENT');
  });

  it('refuses changes to messages modified after UNCHANGEDSINCE (RFC 7162 section 3.1.3)', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    await ctx.store.appendMessages(accountId, inbox, [message('1'), message('2'), message('3')]);
    const appended = (await ctx.store.listMessages(accountId, inbox))[0]!.modseq;
    const r = await ctx.store.storeFlags(accountId, inbox, [2], 'add', ['\\Flagged']);
    const changed = r.updated[0]!.modseq;
    const res = await ctx.store.storeFlags(accountId, inbox, [1, 2, 3], 'add', ['\\Seen'], appended);
    assert.deepEqual(res.failed, [2]);
    assert.deepEqual(
      res.updated.map((m) => [m.uid, m.flags]),
      [
        [1, ['\\Seen']],
        [3, ['\\Seen']],
      ],
    );
    assert.ok(res.updated[0]!.modseq > changed);
    const list = await ctx.store.listMessages(accountId, inbox);
    assert.deepEqual(list[1], { uid: 2, modseq: changed, flags: ['\\Flagged'] });
    assert.deepEqual(res.unchanged, []);
    const zero = await ctx.store.storeFlags(accountId, inbox, [1], 'add', ['\\Seen'], 0);
    assert.deepEqual(zero, { updated: [], unchanged: [], failed: [1] });
  });
}

/** copyTests covers COPY and MOVE. */
export function copyTests(ctx: Ctx): void {
  it('copies with COPYUID data, sharing the body', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const work = await ctx.store.createMailbox(accountId, 'Work');
    await ctx.store.appendMessages(accountId, work.id, [message('w')]);
    await ctx.store.appendMessages(accountId, inbox, [message('1', ['\\Seen', 'Key'], DATE), message('2'), message('3', [], DATE + 5)]);
    const res = await ctx.store.copyMessages(accountId, inbox, [3, 1, 9], work.id);
    assert.deepEqual(res, { uidValidity: work.uidValidity, sourceUids: [1, 3], destUids: [2, 3] });
    const [src1, src3] = await ctx.store.getMessages(accountId, inbox, [1, 3]);
    const [dst2, dst3] = await ctx.store.getMessages(accountId, work.id, [2, 3]);
    assert.equal(dst2!.bodyId, src1!.bodyId);
    assert.equal(dst3!.bodyId, src3!.bodyId);
    assert.deepEqual(dst2!.flags, ['\\Seen', 'Key']);
    assert.equal(dst2!.internalDate, DATE);
    assert.equal(dst3!.internalDate, DATE + 5);
    assert.deepEqual(await ctx.store.readBody(accountId, dst2!.bodyId), await ctx.store.readBody(accountId, src1!.bodyId));

    // Expunging the original keeps the copy's body.
    await ctx.store.storeFlags(accountId, inbox, [1], 'add', ['\\Deleted']);
    assert.deepEqual(await ctx.store.expunge(accountId, inbox), [1]);
    assert.deepEqual((await ctx.store.readBody(accountId, dst2!.bodyId)).length, dst2!.size);
    assert.deepEqual((await ctx.store.getSearchText(accountId, work.id, [2])).size, 1);
    await ctx.store.storeFlags(accountId, work.id, [2], 'add', ['\\Deleted']);
    await ctx.store.expunge(accountId, work.id);
    await ctx.store.finishBackground();
    await rejectsWith(ctx.store.readBody(accountId, dst2!.bodyId), 'NONEXISTENT');

    assert.deepEqual(await ctx.store.copyMessages(accountId, inbox, [77], work.id), { uidValidity: work.uidValidity, sourceUids: [], destUids: [] });
    await rejectsWith(ctx.store.copyMessages(accountId, inbox, [2], work.id + 1000), 'TRYCREATE');
    await rejectsWith(ctx.store.copyMessages(accountId, inbox + 1000, [2], work.id), 'NONEXISTENT');
  });

  it('moves: copies then expunges the sources in one step (RFC 6851)', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const trash = (await ctx.store.getMailbox(accountId, 'Trash'))!;
    await ctx.store.appendMessages(accountId, inbox, [message('1'), message('2', ['\\Flagged']), message('3')]);
    const [src2] = await ctx.store.getMessages(accountId, inbox, [2]);
    const hm = (await ctx.store.getMailbox(accountId, 'INBOX'))!.highestModseq;
    const res = await ctx.store.moveMessages(accountId, inbox, [2, 3], trash.id);
    assert.deepEqual(res, { uidValidity: trash.uidValidity, sourceUids: [2, 3], destUids: [1, 2] });
    assert.deepEqual(
      (await ctx.store.listMessages(accountId, inbox)).map((m) => m.uid),
      [1],
    );
    const ch = await ctx.store.changesSince(accountId, inbox, hm);
    assert.deepEqual(ch.expunged, [2, 3]);
    assert.deepEqual(ch.changed, []);
    const [moved] = await ctx.store.getMessages(accountId, trash.id, [1]);
    assert.equal(moved!.bodyId, src2!.bodyId);
    assert.deepEqual(moved!.flags, ['\\Flagged']);
    assert.deepEqual(await ctx.store.readBody(accountId, moved!.bodyId), (await ctx.store.readBody(accountId, src2!.bodyId)));
    await rejectsWith(ctx.store.moveMessages(accountId, inbox, [1], trash.id + 1000), 'TRYCREATE');
    assert.equal((await ctx.store.listMessages(accountId, inbox)).length, 1);
  });

  it('replaces: appends the new message and expunges the old in one step, or changes nothing (RFC 8508)', async () => {
    const { accountId, inbox } = await newAccount(ctx.store);
    const drafts = (await ctx.store.getMailbox(accountId, 'Drafts'))!;
    await ctx.store.appendMessages(accountId, inbox, [message('1'), message('2')]);
    const hm = (await ctx.store.getMailbox(accountId, 'INBOX'))!.highestModseq;
    assert.deepEqual(await ctx.store.replaceMessage(accountId, inbox, 2, inbox, message('2b', ['\\Draft'])), { uidValidity: (await ctx.store.getMailbox(accountId, 'INBOX'))!.uidValidity, uid: 3 });
    assert.deepEqual((await ctx.store.listMessages(accountId, inbox)).map((m) => [m.uid, m.flags]), [[1, []], [3, ['\\Draft']]]);
    const ch = await ctx.store.changesSince(accountId, inbox, hm);
    assert.deepEqual(ch.expunged, [2]);
    assert.deepEqual(ch.changed.map((m) => m.uid), [3]);
    assert.deepEqual(await ctx.store.replaceMessage(accountId, inbox, 3, drafts.id, message('3')), { uidValidity: drafts.uidValidity, uid: 1 });
    assert.deepEqual((await ctx.store.listMessages(accountId, inbox)).map((m) => m.uid), [1]);
    assert.equal(await ctx.store.replaceMessage(accountId, inbox, 99, drafts.id, message('4')), null);
    await rejectsWith(ctx.store.replaceMessage(accountId, inbox, 1, drafts.id + 1000, message('5')), 'TRYCREATE');
    await rejectsWith(ctx.store.replaceMessage(accountId, inbox + 1000, 1, drafts.id, message('6')), 'NONEXISTENT');
    assert.deepEqual((await ctx.store.listMessages(accountId, inbox)).map((m) => m.uid), [1]);
    assert.deepEqual((await ctx.store.listMessages(accountId, drafts.id)).map((m) => m.uid), [1]);
  });
}
