import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newUploadId } from './multipart.ts';

describe('multipart upload ids', () => {
  it('never start with a character a command line reads as an option', () => {
    // Without the guard one id in 32 starts with `-` or `_`: 2,000 ids would all but surely show one.
    const ids = Array.from({ length: 2000 }, newUploadId);
    assert.deepEqual(
      ids.filter((id) => !/^[A-Za-z0-9][A-Za-z0-9_-]{47}$/.test(id)),
      [],
    );
    assert.equal(new Set(ids).size, ids.length);
  });
});
