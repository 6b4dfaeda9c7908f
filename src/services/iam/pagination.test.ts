// paginate: IAM's Marker/MaxItems pages. Markers are opaque, survive inserts and deletes between calls, and a
// marker rolecall did not issue is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../protocol/errors.ts';
import { paginate, type Page } from './pagination.ts';

const key = (s: string) => s;
const letters = (n: number) => Array.from({ length: n }, (_, i) => `item-${String(i).padStart(4, '0')}`);

/** Follows markers to the end, returning each page's items. */
function walk(items: readonly string[], maxItems: number | undefined): string[][] {
  const pages: string[][] = [];
  let marker: string | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const page: Page<string> = paginate(items, key, marker, maxItems);
    pages.push(page.items);
    assert.equal(page.isTruncated, page.marker !== undefined);
    if (!page.isTruncated) return pages;
    marker = page.marker;
  }
  throw new Error('pagination did not end');
}

function refusesMarker(marker: string): void {
  assert.throws(
    () => paginate(letters(5), key, marker, undefined),
    (err: unknown) => {
      assert.ok(err instanceof AwsError, String(err));
      assert.deepEqual([err.code, err.status, err.message], ['ValidationError', 400, 'Invalid Marker.']);
      return true;
    },
  );
}

describe('paginate', () => {
  it('returns everything, not truncated and with no marker, when it fits', () => {
    assert.deepEqual(paginate(['a', 'b'], key, undefined, undefined), {
      items: ['a', 'b'],
      isTruncated: false,
      marker: undefined,
    });
    assert.deepEqual(paginate([], key, undefined, 10), { items: [], isTruncated: false, marker: undefined });
  });

  it('defaults MaxItems to 100', () => {
    const page = paginate(letters(150), key, undefined, undefined);
    assert.equal(page.items.length, 100);
    assert.equal(page.isTruncated, true);
    assert.equal(paginate(letters(100), key, undefined, undefined).isTruncated, false);
  });

  it('is not truncated when the items end exactly at the page boundary', () => {
    assert.deepEqual(paginate(['a', 'b'], key, undefined, 2), {
      items: ['a', 'b'],
      isTruncated: false,
      marker: undefined,
    });
  });

  it('visits every item once, in order, for any page size', () => {
    const items = letters(23);
    for (const size of [1, 2, 5, 22, 23, 24, 1000]) {
      const pages = walk(items, size);
      assert.deepEqual(pages.flat(), items, `page size ${size}`);
      assert.equal(pages.length, Math.max(1, Math.ceil(items.length / size)));
      for (const page of pages.slice(0, -1)) assert.equal(page.length, size);
    }
  });

  it('issues opaque markers that do not show the key', () => {
    const page = paginate(['alpha', 'beta', 'gamma'], key, undefined, 1);
    assert.ok(page.marker !== undefined);
    assert.doesNotMatch(page.marker, /beta/);
    assert.match(page.marker, /^[A-Za-z0-9_-]+$/, 'URL-safe, so it survives query strings unchanged');
  });

  it('resumes at the marked item after an item before it is deleted', () => {
    const first = paginate(['a', 'b', 'c', 'd'], key, undefined, 2);
    assert.deepEqual(paginate(['b', 'c', 'd'], key, first.marker, 2).items, ['c', 'd']);
  });

  it('resumes where the marked item would be after it is deleted', () => {
    const first = paginate(['a', 'b', 'c', 'd'], key, undefined, 2);
    assert.deepEqual(paginate(['a', 'b', 'd'], key, first.marker, 2).items, ['d']);
    assert.deepEqual(paginate(['a', 'b'], key, first.marker, 2), { items: [], isTruncated: false, marker: undefined });
  });

  it('includes items inserted after the marker', () => {
    const first = paginate(['a', 'b', 'd', 'e'], key, undefined, 2);
    assert.deepEqual(paginate(['a', 'b', 'c', 'd', 'e'], key, first.marker, 10).items, ['d', 'e']);
  });

  it('uses the key function, not the item', () => {
    const items = [{ n: 'X' }, { n: 'Y' }, { n: 'Z' }];
    const first = paginate(items, (i) => i.n.toLowerCase(), undefined, 1);
    assert.deepEqual(paginate(items, (i) => i.n.toLowerCase(), first.marker, 5).items, [{ n: 'Y' }, { n: 'Z' }]);
  });

  it('refuses a marker it did not issue', () => {
    refusesMarker('garbage');
    refusesMarker('');
    refusesMarker(Buffer.from('other:item-0001').toString('base64url'));
    // The right prefix, but not in the canonical form rolecall writes (standard base64 with padding).
    refusesMarker(Buffer.from('rc1:a?').toString('base64'));
  });
});
