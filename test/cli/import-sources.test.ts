import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { stripEnvelopeLine } from '../../src/import/eml.js';
import { parseFromLineDate, parseMailDate } from '../../src/import/headers.js';
import { notAMessage } from '../../src/import/not-a-message.js';
import { openImportSource } from '../../src/import/open.js';
import { openImportSourceInThread } from '../../src/import/reader.js';
import { ImportError, type ImportEvent, type ImportMessage } from '../../src/import/types.js';
import { toCrlf } from '../../src/mime/crlf.js';
import { parseMessage } from '../../src/mime/parse.js';

async function tmp(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'lb-src-'));
}

async function collect(target: string, maxOctets?: number): Promise<ImportEvent[]> {
  const source = await openImportSource(target, maxOctets);
  const out: ImportEvent[] = [];
  for await (const ev of source.events()) out.push(ev);
  return out;
}

const messages = (evs: ImportEvent[]) => evs.filter((e): e is ImportMessage => e.kind === 'message');

describe('mbox reader', () => {
  it('splits on From_ lines after a blank line, unquotes >From, keeps the rest exact', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'mail.mbox');
    const mbox = [
      'From alice@example.com Sat Jan  3 01:05:34 1996',
      'Subject: one',
      'Status: RO',
      'X-Status: AF',
      '',
      'Hello',
      '>From the start',
      '>>From deeper',
      '> From not quoted',
      'From inside a paragraph is not a separator',
      '',
      'From bob@example.com Mon Aug 26 12:00:00 +0200 2002',
      'Subject: two',
      'Date: Tue, 1 Jul 2003 10:52:37 +0200',
      '',
      'body two',
      '',
      '',
      'From carol Thu Feb  1 00:00:00 2001',
      'Subject: three',
      '',
      'no trailing newline',
    ].join('\n');
    await writeFile(file, mbox);
    const evs = await collect(file);
    const ms = messages(evs);
    assert.equal(ms.length, 3);
    assert.equal(
      ms[0]!.raw.toString(),
      'Subject: one\nStatus: RO\nX-Status: AF\n\nHello\nFrom the start\n>From deeper\n> From not quoted\nFrom inside a paragraph is not a separator\n',
    );
    assert.deepEqual(ms[0]!.flags, ['\\Seen', '\\Answered', '\\Flagged']);
    assert.equal(ms[0]!.internalDate, Date.UTC(1996, 0, 3, 1, 5, 34));
    assert.equal(ms[1]!.raw.toString(), 'Subject: two\nDate: Tue, 1 Jul 2003 10:52:37 +0200\n\nbody two\n\n', 'only one separator blank line is removed');
    assert.equal(ms[1]!.internalDate, Date.UTC(2002, 7, 26, 10, 0, 0), 'the From_ line date wins over Date:');
    assert.deepEqual(ms[1]!.flags, []);
    assert.equal(ms[2]!.raw.toString(), 'Subject: three\n\nno trailing newline');
    assert.equal(evs.reduce((n, e) => n + (e.kind === 'folder' ? 0 : e.sourceOctets), 0), Buffer.byteLength(mbox));
  });

  it('handles CRLF mbox files and skips oversized messages without keeping them', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'crlf.mbox');
    const big = 'x'.repeat(200) + '\r\n';
    await writeFile(file, `From a Sat Jan  3 01:05:34 1996\r\nSubject: a\r\n\r\nA\r\n\r\nFrom b Sat Jan  3 01:05:34 1996\r\nSubject: b\r\n\r\n${big}\r\nFrom c Sat Jan  3 01:05:34 1996\r\nSubject: c\r\n\r\nC\r\n`);
    const evs = await collect(file, 100);
    assert.equal(evs.length, 3);
    assert.equal(evs[0]!.kind, 'message');
    assert.equal((evs[0] as ImportMessage).raw.toString(), 'Subject: a\r\n\r\nA\r\n');
    assert.equal(evs[1]!.kind, 'skip');
    assert.match((evs[1] as { reason: string }).reason, /^over the size limit/);
    assert.match(evs[1]!.source, /crlf\.mbox, message 2 at byte \d+/);
    assert.equal((evs[2] as ImportMessage).raw.toString(), 'Subject: c\r\n\r\nC\r\n');
  });
});

describe('Maildir reader', () => {
  it('reads cur/ and new/, Maildir++ subfolders, flags, keywords and dates', async () => {
    const root = await tmp();
    for (const d of ['cur', 'new', 'tmp', '.Work.Projects/cur', '.Work.Projects/new', '.Caf&AOk-/cur', '.notamaildir']) await mkdir(path.join(root, d), { recursive: true });
    await writeFile(path.join(root, 'dovecot-keywords'), '0 $Forwarded\n1 Important\n');
    const t1 = 1_600_000_000;
    await writeFile(path.join(root, 'cur', `${t1}.M1P1.host:2,FRSab`), 'Subject: 1\n\none\n');
    await writeFile(path.join(root, 'new', `${t1 + 10}.M2P1.host`), 'Subject: 2\n\ntwo\n');
    await writeFile(path.join(root, 'tmp', `${t1 + 20}.M3P1.host`), 'unfinished');
    await writeFile(path.join(root, '.Work.Projects', 'cur', `${t1 + 30}.M4P1.host:2,DT`), 'Subject: 4\n\nfour\n');
    await writeFile(path.join(root, '.Caf&AOk-', 'cur', `${t1 + 40}.M5P1.host:2,`), 'Subject: 5\n\nfive\n');
    // An APPENDed message: mtime (its internal date) is older than the delivery time in its name.
    const older = new Date(Date.UTC(2010, 5, 1));
    await utimes(path.join(root, '.Work.Projects', 'cur', `${t1 + 30}.M4P1.host:2,DT`), older, older);

    const ms = messages(await collect(root));
    assert.deepEqual(
      ms.map((m) => [m.folder.join('/'), m.raw.toString().split('\n')[0], m.flags, m.internalDate]),
      [
        ['', 'Subject: 1', ['\\Flagged', '\\Answered', '\\Seen', '$Forwarded', 'Important'], t1 * 1000],
        ['', 'Subject: 2', [], (t1 + 10) * 1000],
        ['Café', 'Subject: 5', [], (t1 + 40) * 1000],
        ['Work/Projects', 'Subject: 4', ['\\Draft', '\\Deleted'], older.getTime()],
      ],
    );
  });
});

describe('.eml reader', () => {
  it('strips a leading From_ line, dates from Date:, natural file order, skips others', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, '10.eml'), 'Subject: ten\nDate: Thu, 22 Aug 2002 18:26:25 -0700 (PDT)\n\nten\n');
    await writeFile(path.join(dir, '2.eml'), 'From someone@example.com  Thu Aug 22 12:00:00 2002\nSubject: two\n\ntwo\n');
    await writeFile(path.join(dir, '3.EML'), '');
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    await writeFile(path.join(dir, '.DS_Store'), 'x');
    const mtime = new Date(Date.UTC(2020, 0, 2));
    await utimes(path.join(dir, '3.EML'), mtime, mtime);
    const evs = await collect(dir);
    assert.deepEqual(
      evs.map((e) => [path.basename(e.source), e.kind]),
      [['notes.txt', 'skip'], ['2.eml', 'message'], ['3.EML', 'message'], ['10.eml', 'message']],
    );
    const ms = messages(evs);
    assert.equal(ms[0]!.raw.toString(), 'Subject: two\n\ntwo\n');
    assert.equal(ms[0]!.internalDate, Date.UTC(2002, 7, 22, 12), 'no Date: header, so the From_ line date');
    assert.equal(ms[1]!.raw.length, 0);
    assert.equal(ms[2]!.internalDate, Date.UTC(2002, 7, 23, 1, 26, 25));
  });

  it('stripEnvelopeLine leaves "From:" headers alone', () => {
    assert.equal(stripEnvelopeLine(Buffer.from('From: a@b\n\nx')).envelope, null);
    const r = stripEnvelopeLine(Buffer.from('From a@b Thu Aug 22 12:00:00 2002\r\nX: y\r\n'));
    assert.equal(r.envelope, 'From a@b Thu Aug 22 12:00:00 2002');
    assert.equal(r.message.toString(), 'X: y\r\n');
  });
});

describe('dates', () => {
  it('parses RFC 5322 dates, obsolete forms included', () => {
    assert.equal(parseMailDate('Tue, 1 Jul 03 10:52:37 +0200'), Date.UTC(2003, 6, 1, 8, 52, 37));
    assert.equal(parseMailDate('Mon, 2 Sep 2002 13:21:23 EDT'), Date.UTC(2002, 8, 2, 17, 21, 23));
    assert.equal(parseMailDate('Sat, 7 Sep 2002 4:15:33'), Date.UTC(2002, 8, 7, 4, 15, 33));
    assert.equal(parseMailDate('garbage'), null);
    assert.equal(parseMailDate('Wed, 31 Dec 2098 00:00:00 +0000'), null, 'far future is bogus');
  });
  it('parses From_ line dates', () => {
    assert.equal(parseFromLineDate('From x Fri Jul  8 12:08:34 2011 +0100'), Date.UTC(2011, 6, 8, 11, 8, 34));
    assert.equal(parseFromLineDate('From x'), null);
  });
});

describe('openImportSource', () => {
  it('refuses a missing path and a file of unknown kind', async () => {
    const dir = await tmp();
    await assert.rejects(openImportSource(path.join(dir, 'nope')), /cannot import .*nope: no such file or directory/);
    await writeFile(path.join(dir, 'x.txt'), 'Subject: x\n\n');
    await assert.rejects(openImportSource(path.join(dir, 'x.txt')), /not an mbox file/);
  });
});

describe('folder of .mbox files', () => {
  it('makes every .mbox file a mailbox (empty ones too) and a folder the level above, skipping other files', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'INBOX.mbox'), 'From a Sat Jan  3 01:05:34 1996\nStatus: RO\nX-Status: F\nX-Keywords: Work\nSubject: one\n\n1\n\n');
    await writeFile(path.join(dir, 'Empty.mbox'), '');
    await mkdir(path.join(dir, 'Lists'));
    await writeFile(path.join(dir, 'Lists', 'Rust.mbox'), 'From b Sat Jan  3 01:05:34 1996\nSubject: two\nX-Keywords: $Label1\n\n2\n');
    await writeFile(path.join(dir, '.DS_Store'), 'junk');
    await writeFile(path.join(dir, 'notes.txt'), 'hello');
    await writeFile(path.join(dir, 'fake.mbox'), 'not an mbox');
    const evs = await collect(dir);
    assert.deepEqual(
      evs.map((e) => (e.kind === 'folder' ? ['folder', e.folder.join('/')] : e.kind === 'skip' ? ['skip', path.basename(e.source), e.reason] : ['message', e.folder.join('/'), e.raw.toString(), e.flags.join(' ')])),
      [
        ['skip', 'fake.mbox', 'not an mbox file (it does not begin with a "From " line)'],
        ['skip', 'notes.txt', 'not a .mbox file'],
        ['folder', 'Empty'],
        ['folder', 'INBOX'],
        ['message', 'INBOX', 'Subject: one\n\n1\n', '\\Seen \\Flagged Work'],
        ['folder', 'Lists/Rust'],
        ['message', 'Lists/Rust', 'Subject: two\nX-Keywords: $Label1\n\n2\n', '$Label1'],
      ],
    );
  });
});

describe('openImportSourceInThread', () => {
  /** events reads every event of `target` through the reader thread. */
  async function threaded(target: string, maxOctets?: number): Promise<ImportEvent[]> {
    const source = await openImportSourceInThread(target, maxOctets);
    const out: ImportEvent[] = [];
    for await (const ev of source.events()) out.push(ev);
    return out;
  }

  /** A Maildir with a subfolder, keywords, an empty file, a binary file, one over 100 octets and 600 small messages (more than the thread reads ahead). */
  async function maildir(): Promise<string> {
    const root = await tmp();
    for (const d of ['cur', 'new', '.Sub/cur']) await mkdir(path.join(root, d), { recursive: true });
    await writeFile(path.join(root, 'dovecot-keywords'), '0 $Forwarded\n');
    const t = 1_600_000_000;
    await writeFile(path.join(root, 'cur', `${t}.M1.host:2,Sa`), 'Subject: =?utf-8?q?caf=C3=A9?=\nContent-Type: text/plain; charset=iso-8859-1\n\ncaf\xe9 bare LF\n', 'latin1');
    await writeFile(path.join(root, 'cur', `${t + 1}.M2.host:2,`), '');
    await writeFile(path.join(root, 'cur', `${t + 2}.M3.host:2,`), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
    await writeFile(path.join(root, 'cur', `${t + 3}.M4.host:2,`), `Subject: big\n\n${'x'.repeat(100)}\n`);
    await writeFile(path.join(root, '.Sub', 'cur', `${t + 4}.M5.host:2,F`), 'Subject: sub\r\n\r\nsub\r\n');
    for (let i = 0; i < 600; i++) await writeFile(path.join(root, 'new', `${t + 10 + i}.N${i}.host`), `Subject: n${i}\n\nbody ${i}\n`);
    return root;
  }

  /** assertSameEvents checks that the thread gives `target`'s events as openImportSource does, each message CRLF and parsed as importMessages would; returns the thread's events. */
  async function assertSameEvents(target: string, maxOctets?: number): Promise<ImportEvent[]> {
    const plain = await collect(target, maxOctets);
    const viaThread = await threaded(target, maxOctets);
    assert.equal(viaThread.length, plain.length);
    for (const [i, ev] of viaThread.entries()) {
      const want = plain[i]!;
      if (want.kind !== 'message' || ev.kind !== 'message') {
        assert.deepEqual(ev, want);
        continue;
      }
      const { raw, parsed, ...rest } = ev;
      const { raw: wantRaw, ...wantRest } = want;
      assert.deepEqual(rest, wantRest);
      const crlf = toCrlf(wantRaw);
      assert.ok(raw.equals(crlf), want.source);
      // Parsed only what importMessages stores: not an empty file, a binary one or one over the limit.
      const stored = crlf.length > 0 && crlf.length <= (maxOctets ?? Infinity) && notAMessage(crlf) === null;
      assert.deepEqual(parsed, stored ? parseMessage(crlf) : null, want.source);
    }
    return viaThread;
  }

  it('gives the events openImportSource gives, each message converted to CRLF and parsed', async () => {
    const root = await maildir();
    assert.equal(messages(await assertSameEvents(root)).length, 605);
    // With a limit of 100 octets the big file is skipped unread, by the source.
    assert.equal(messages(await assertSameEvents(root, 100)).length, 604);
    const first = messages(await threaded(root))[0]!;
    assert.equal(first.parsed?.envelope.subject, '=?utf-8?q?caf=C3=A9?=');
    assert.equal(first.parsed?.searchText.body, 'café bare LF\r\n');
    assert.deepEqual(first.flags, ['\\Seen', '$Forwarded']);
  });

  it('gives the same events for an mbox file and for the corpus of tricky .eml files', async () => {
    const file = path.join(await tmp(), 'mail.mbox');
    await writeFile(file, ['From a@example.com Sat Jan  3 01:05:34 1996', 'Subject: one', 'Status: RO', '', '>From quoted', '', 'From b Mon Aug 26 12:00:00 +0200 2002', 'Subject: two', '', 'two'].join('\n'));
    assert.equal(messages(await assertSameEvents(file)).length, 2);
    // Real mail at its oddest: charsets, broken MIME, binary parts (../shared/corpus/SOURCES.md).
    const tricky = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'tricky');
    assert.ok(messages(await assertSameEvents(tricky)).length > 100);
  });

  it('refuses what openImportSource refuses, with the same message', async () => {
    const dir = await tmp();
    await assert.rejects(openImportSourceInThread(path.join(dir, 'nope')), (err: Error) => err instanceof ImportError && /cannot import .*nope: no such file or directory/.test(err.message));
    await writeFile(path.join(dir, 'x.txt'), 'Subject: x\n\n');
    await assert.rejects(openImportSourceInThread(path.join(dir, 'x.txt')), (err: Error) => err instanceof ImportError && /not an mbox file/.test(err.message));
  });

  it('ends its thread when the events are left early', async () => {
    const root = await maildir();
    const threads = () => readdirSync('/proc/self/task').length;
    // The thread pool's threads start with the first file operation: let them exist before counting.
    await collect(root);
    const before = threads();
    const source = await openImportSourceInThread(root);
    // One thread, two under tsx (whose loader hooks run on a thread of their own).
    assert.ok(threads() > before);
    let n = 0;
    for await (const ev of source.events()) if (ev.kind === 'message' && ++n === 3) break;
    assert.equal(n, 3);
    assert.equal(threads(), before);
  });
});
