import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObjectRecord } from '../../model/s3.ts';
import { evaluateConditions, parseRange } from './conditions.ts';

const object = { etag: '"abc"', lastModified: '2026-01-01T00:00:10.500Z' } as ObjectRecord;
const at = (s: string) => new Date(s);

describe('GetObject conditions (RFC 7232 order, as S3 applies it)', () => {
  it('If-Match: quotes optional, lists and * match; a mismatch is 412', () => {
    assert.deepEqual(evaluateConditions(object, { IfMatch: 'abc' }), { ok: true });
    assert.deepEqual(evaluateConditions(object, { IfMatch: '"x", "abc"' }), { ok: true });
    assert.deepEqual(evaluateConditions(object, { IfMatch: '*' }), { ok: true });
    assert.deepEqual(evaluateConditions(object, { IfMatch: '"x"' }), { ok: false, status: 412, condition: 'If-Match' });
  });

  it('If-Match true wins over If-Unmodified-Since false (200); alone, If-Unmodified-Since false is 412', () => {
    const before = at('2025-12-31T00:00:00Z');
    assert.deepEqual(evaluateConditions(object, { IfMatch: '"abc"', IfUnmodifiedSince: before }), { ok: true });
    assert.deepEqual(evaluateConditions(object, { IfUnmodifiedSince: before }), {
      ok: false,
      status: 412,
      condition: 'If-Unmodified-Since',
    });
  });

  it('If-None-Match matching is 304, and takes precedence over If-Modified-Since', () => {
    assert.deepEqual(
      evaluateConditions(object, { IfNoneMatch: '"abc"', IfModifiedSince: at('2020-01-01T00:00:00Z') }),
      {
        ok: false,
        status: 304,
        condition: 'If-None-Match',
      },
    );
    assert.deepEqual(evaluateConditions(object, { IfNoneMatch: '"other"' }), { ok: true });
  });

  it('If-Modified-Since compares whole seconds: the same second is not modified', () => {
    assert.equal(evaluateConditions(object, { IfModifiedSince: at('2026-01-01T00:00:10Z') }).ok, false);
    assert.equal(evaluateConditions(object, { IfModifiedSince: at('2026-01-01T00:00:09Z') }).ok, true);
  });
});

describe('Range', () => {
  it('a-b, a-, -n; the end is clamped; starting past the end is unsatisfiable', () => {
    assert.deepEqual(parseRange('bytes=0-0', 10), { start: 0, end: 0 });
    assert.deepEqual(parseRange('bytes=2-', 10), { start: 2, end: 9 });
    assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 9 });
    assert.deepEqual(parseRange('bytes=-30', 10), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=5-100', 10), { start: 5, end: 9 });
    assert.equal(parseRange('bytes=10-20', 10), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-1', 0), 'unsatisfiable');
  });

  it('anything but one byte range is ignored (the whole object)', () => {
    for (const h of ['bytes=0-1,3-4', 'items=0-1', 'bytes=5-2', 'bytes=-', 'nonsense']) {
      assert.equal(parseRange(h, 10), undefined, h);
    }
  });
});
