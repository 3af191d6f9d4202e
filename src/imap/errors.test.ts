import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StorageUnavailableError, StoreError } from '../store/types.js';
import { fromStoreError } from './errors.js';

describe('fromStoreError', () => {
  it('answers a store that is unavailable for now NO [UNAVAILABLE], without its details', () => {
    const busy = Object.assign(new StorageUnavailableError('the database is busy: another connection has held its write lock for 5 s'), { code: 'SQLITE_BUSY' });
    const mapped = fromStoreError(busy)!;
    assert.equal(mapped.status, 'NO');
    assert.equal(mapped.code, 'UNAVAILABLE');
    assert.equal(mapped.message, 'The mail store is unavailable right now; try again later.');
  });

  it('maps refusals to their response codes and leaves other errors to the caller', () => {
    const mapped = fromStoreError(new StoreError('OVERQUOTA', 'Quota exceeded'))!;
    assert.deepEqual([mapped.status, mapped.code, mapped.message], ['NO', 'OVERQUOTA', 'Quota exceeded']);
    assert.equal(fromStoreError(new Error('a bug')), null);
  });
});
