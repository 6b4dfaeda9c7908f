import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareKeys } from './s3.ts';

describe('S3 key order', () => {
  it('is UTF-8 binary order: code points above U+FFFF sort after U+E000–U+FFFF', () => {
    const keys = ['b', 'a/', '\u{1F600}', '\uFFFD', 'a', 'A', 'é'];
    const utf8 = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual([...keys].sort(compareKeys), utf8);
  });
});
