import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEnvelope } from './envelope.js';
import { parseHeaderFields } from './header.js';

const envelopeOf = (header: string) => {
  const raw = Buffer.from(header.replace(/\n/g, '\r\n') + '\r\n', 'latin1');
  return buildEnvelope(parseHeaderFields(raw, 0, raw.length));
};

test('buildEnvelope: repeated fields read as Dovecot does (RFC 5322 section 3.6 allows one of each)', () => {
  const e = envelopeOf(
    [
      'Date: Sun, 21 Oct 2007 19:38:13 +1000',
      'From: A <a@x.test>',
      'To: <b@x.test>',
      'Subject: first',
      'Message-ID: <1@x.test>',
      'To: c@x.test',
      'From: d@x.test',
      'Subject: second',
      'Date: Mon, 22 Oct 2007 19:38:13 +1000',
      'Message-ID: <2@x.test>',
      '',
    ].join('\n'),
  );
  assert.equal(e.subject, 'second');
  assert.equal(e.date, 'Mon, 22 Oct 2007 19:38:13 +1000');
  assert.equal(e.messageId, '<1@x.test>');
  assert.deepEqual(e.to?.map((a) => a.mailbox), ['b', 'c']);
  assert.deepEqual(e.from?.map((a) => a.mailbox), ['a', 'd']);
  // Sender and Reply-To default to all of From.
  assert.deepEqual(e.sender, e.from);
  assert.deepEqual(e.replyTo, e.from);
});

test('buildEnvelope: one of each field, absent fields null', () => {
  const e = envelopeOf('Subject: hi\nFrom: a@x.test\n');
  assert.equal(e.subject, 'hi');
  assert.equal(e.date, null);
  assert.equal(e.to, null);
  assert.deepEqual(e.sender, e.from);
});
