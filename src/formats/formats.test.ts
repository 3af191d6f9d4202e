/** The Maildir and mbox formats both ways: what export writes, import reads back the same. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFromLineDate } from '../import/headers.js';
import { folderLevel, folderName, formatInfo, formatKeywords, infoFlags, parseKeywords } from './maildir.js';
import { envelopeSender, flagBlock, fromLine, mboxBody, statusFlags, takeFlagBlock } from './mbox.js';

describe('Maildir format', () => {
  it('writes info flags sorted, keywords by their letter, and reads them back', () => {
    const keywords = ['$Forwarded', 'Work'];
    const info = formatInfo(['\\Seen', 'Work', '\\Flagged', '\\Deleted', '\\Draft', '\\Answered', '$Forwarded', 'Unknown'], keywords);
    assert.equal(info, ':2,DFRSTab');
    assert.deepEqual(infoFlags(`1700000000.U1.letterbox${info}`, keywords).sort(), ['$Forwarded', 'Work', '\\Answered', '\\Deleted', '\\Draft', '\\Flagged', '\\Seen']);
    assert.equal(formatInfo([], keywords), ':2,');
    assert.deepEqual(parseKeywords(formatKeywords(keywords)), keywords);
    assert.deepEqual([...parseKeywords('0 ok\n1 \\Seen\nnonsense\n30 far\n2 [brackets]\n3 [tag\n')], ['ok', undefined, undefined, '[tag']);
  });

  it('names folders Maildir++ style and reads every name back: modified UTF-7, "." and "\\" escaped', () => {
    const cases: Array<[string[], string]> = [
      [['Lists', 'Rust'], '.Lists.Rust'],
      [['Entwürfe'], '.Entw&APw-rfe'],
      [['Tricky.mime'], '.Tricky\\2emime'],
      [['a\\b', '.hidden'], '.a\\5cb.\\2ehidden'],
      [['R&D', '日本'], '.R&-D.&ZeVnLA-'],
    ];
    for (const [levels, name] of cases) {
      assert.equal(folderName(levels), name);
      assert.deepEqual(name.slice(1).split('.').map(folderLevel), levels);
    }
    assert.equal(folderLevel('Entwürfe'), 'Entwürfe', 'raw UTF-8 (Dovecot\'s UTF8 layout) is kept');
  });
});

describe('mbox format', () => {
  it('writes a flag block that is taken back exactly, leaving the message\'s own fields', () => {
    const block = flagBlock(['\\Seen', '\\Flagged', '\\Answered', 'Work', '$Label1', '\\Deleted']);
    assert.equal(block, 'Status: RO\nX-Status: AFD\nX-Keywords: Work $Label1\n');
    const message = Buffer.from(`${block}Status: O\nSubject: x\n\nbody\n`);
    const taken = takeFlagBlock(message)!;
    assert.equal(message.subarray(taken.length).toString(), 'Status: O\nSubject: x\n\nbody\n');
    assert.deepEqual(statusFlags(taken.fields), ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', 'Work', '$Label1']);
    assert.equal(takeFlagBlock(Buffer.from('Subject: x\nStatus: RO\n\n')), null);
    assert.deepEqual(statusFlags({ status: 'O', xStatus: 'T', xKeywords: 'NonJunk, $Junk \\Bad' }), ['\\Draft', 'NonJunk', '$Junk']);
    assert.equal(flagBlock([]), 'Status: O\nX-Status: \nX-Keywords: \n');
  });

  it('quotes From lines mboxrd style after LF only, turns CRLF into LF, and ends the last line', () => {
    const raw = Buffer.from('Subject: x\r\n\r\nFrom here\r\n>From there\r\na\rFrom mid-line\r\n> From not\r\nend');
    assert.equal(mboxBody(raw).toString('latin1'), 'Subject: x\n\n>From here\n>>From there\na\rFrom mid-line\n> From not\nend\n');
    assert.equal(mboxBody(Buffer.from('From top\r\n')).toString(), '>From top\n');
  });

  it('writes From lines the importer reads back to the second, with the Return-Path address', () => {
    const date = Date.UTC(1996, 0, 3, 1, 5, 34, 789);
    const line = fromLine(envelopeSender('<alice@example.com>'), date);
    assert.equal(line, 'From alice@example.com Wed Jan  3 01:05:34 1996');
    assert.equal(parseFromLineDate(line), Date.UTC(1996, 0, 3, 1, 5, 34));
    assert.deepEqual([envelopeSender('<>'), envelopeSender(null), envelopeSender('<a b@c>'), envelopeSender(' bob@x ')], ['MAILER-DAEMON', 'MAILER-DAEMON', 'MAILER-DAEMON', 'bob@x']);
  });
});
