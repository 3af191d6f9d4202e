import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsciiBuffer } from './encoder.js';
import { encodeEnvelope, envelopeText, storedEnvelopeText } from './envelope.js';
import type { Envelope } from './envelope.js';

describe('AsciiBuffer', () => {
  it('writes numbers as decimal digits, up to 2^53 - 1', () => {
    const b = new AsciiBuffer(1);
    for (const n of [0, 7, 10, 99, 4294967295, Number.MAX_SAFE_INTEGER]) {
      b.number(n);
      b.byte(0x20);
    }
    assert.equal(b.take().toString('latin1'), `0 7 10 99 4294967295 ${Number.MAX_SAFE_INTEGER} `);
  });

  it('grows past its first capacity and keeps what was written', () => {
    const b = new AsciiBuffer(64);
    const line = Buffer.from('* 1 FETCH (FLAGS (\\Seen))\r\n', 'latin1');
    for (let i = 0; i < 1000; i++) b.bytes(line);
    assert.equal(b.length, 1000 * line.length);
    assert.equal(b.take().toString('latin1'), line.toString('latin1').repeat(1000));
  });
});

describe('ENVELOPE text kept by the store (RFC 9051 section 7.5.2)', () => {
  const env = (subject: string): Envelope => ({
    date: 'Mon, 15 Jan 2024 10:00:00 +0000', subject, from: [{ name: null, adl: null, mailbox: 'a', host: 'example.com' }],
    sender: null, replyTo: null, to: null, cc: null, bcc: null, inReplyTo: null, messageId: '<1@example.com>',
  });

  it('serves the stored text as it is to every session when it is ASCII', () => {
    const e = env('plain');
    const stored = storedEnvelopeText(e)!;
    const never = (): Envelope => assert.fail('the envelope is not needed');
    assert.equal(envelopeText(stored, false, never), encodeEnvelope(e, false));
    assert.equal(envelopeText(stored, true, never), encodeEnvelope(e, true));
  });

  it('encodes 8-bit text again for a UTF8=ACCEPT session (quoted, not a literal)', () => {
    const e = env('Grüße');
    const stored = storedEnvelopeText(e)!;
    assert.match(stored, /\{7\}\r\nGrüße/);
    assert.equal(envelopeText(stored, false, () => e), stored);
    assert.equal(envelopeText(stored, true, () => e), encodeEnvelope(e, true));
    assert.match(envelopeText(stored, true, () => e), /"Grüße"/);
  });

  it('stores no text for an envelope holding NUL', () => {
    const e = env('a\0b');
    assert.equal(storedEnvelopeText(e), null);
    assert.equal(envelopeText(null, false, () => e), encodeEnvelope(e, false));
  });
});
