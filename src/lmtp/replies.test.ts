import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreError } from '../store/types.js';
import { deliveryFailure } from './replies.js';

describe('deliveryFailure', () => {
  const reply = (err: unknown) => {
    const { reply: r, unexpected } = deliveryFailure(err, 'a@example.com');
    return [r.responseCode, r.message, unexpected];
  };
  it('maps each failure to its reply code', () => {
    assert.deepEqual(reply(new StoreError('OVERQUOTA', 'Quota exceeded')), [452, '<a@example.com> mailbox is over quota', false]);
    assert.deepEqual(reply(new StoreError('OVERQUOTA', 'Quota exceeded', { permanent: true })), [552, '<a@example.com> mailbox is over quota', false]);
    assert.deepEqual(reply(new StoreError('NONEXISTENT', 'gone')), [550, '<a@example.com> no such user here', false]);
    assert.deepEqual(reply(new StoreError('LIMIT', 'too many')), [451, '<a@example.com> temporary failure, try again later', false]);
    assert.deepEqual(reply(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })), [451, '<a@example.com> temporary failure, try again later', true]);
  });
});
