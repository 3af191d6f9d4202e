import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pop3Error } from './errors.js';
import { Maildrop, uniqueId } from './maildrop.js';

describe('Maildrop', () => {
  const drop = (): Maildrop => new Maildrop(1, 0x6b1586a9, [3, 7, 12], [100, 200, 300]);

  it('numbers the messages 1..n in UID order and reports their sizes', () => {
    const m = drop();
    assert.deepEqual(m.stat(), { count: 3, octets: 600 });
    assert.deepEqual(m.messages(), [
      { n: 1, uid: 3, size: 100 },
      { n: 2, uid: 7, size: 200 },
      { n: 3, uid: 12, size: 300 },
    ]);
    assert.deepEqual(m.get(2), { n: 2, uid: 7, size: 200 });
  });

  it('DELE marks hide a message from STAT and LIST and forbid referring to it; RSET clears them', () => {
    const m = drop();
    m.mark(2);
    assert.deepEqual(m.stat(), { count: 2, octets: 400 });
    assert.deepEqual(
      m.messages().map((x) => x.n),
      [1, 3],
    );
    assert.throws(() => m.get(2), (e: unknown) => e instanceof Pop3Error && e.message === 'Message 2 is already deleted.' && !e.badCommand);
    assert.throws(() => m.mark(2), /already deleted/);
    m.mark(3);
    assert.deepEqual(m.markedUids(), [7, 12]);
    m.reset();
    assert.deepEqual(m.markedUids(), []);
    assert.deepEqual(m.stat(), { count: 3, octets: 600 });
  });

  it('refuses numbers outside the maildrop', () => {
    const m = drop();
    assert.throws(() => m.get(4), /^Pop3Error: There is no message 4; the maildrop has 3 messages\.$/);
    assert.throws(() => new Maildrop(1, 1, [5], [1]).get(2), /the maildrop has 1 message\.$/);
    assert.throws(() => new Maildrop(1, 1, [], []).get(1), /the maildrop has 0 messages\.$/);
  });

  it('unique-ids are the UID and UIDVALIDITY as 8 hex digits each (Dovecot %08Xu%08Xv)', () => {
    assert.equal(uniqueId(0x6b1586a9, 1), '000000016B1586A9');
    assert.equal(uniqueId(1, 0xffffffff), 'FFFFFFFF00000001');
    assert.equal(drop().uniqueId(drop().get(3)), '0000000C6B1586A9');
  });
});
