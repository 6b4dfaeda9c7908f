/**
 * IAM's Marker/MaxItems pagination. The marker is opaque to clients; ours names the key of the next item, so a
 * page boundary survives inserts and deletes between calls. MaxItems defaults to 100 (IAM API reference).
 */
import { commonErrors } from '../../protocol/errors.ts';

export interface Page<T> {
  readonly items: T[];
  readonly isTruncated: boolean;
  readonly marker: string | undefined;
}

const PREFIX = 'rc1:';

const encodeMarker = (key: string): string => Buffer.from(PREFIX + key, 'utf8').toString('base64url');

function decodeMarker(marker: string): string {
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX) || encodeMarker(text.slice(PREFIX.length)) !== marker) {
    // No capture of AWS's answer exists; emulators agree on this one (docs/research/wire-facts.md §5).
    throw commonErrors.validation('Invalid Marker.');
  }
  return text.slice(PREFIX.length);
}

/** One page of items; lists that can lose items between calls are sorted by key. */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  marker: string | undefined,
  maxItems: number | undefined,
): Page<T> {
  const limit = maxItems ?? 100;
  const start = marker === undefined ? 0 : firstAtOrAfter(items, keyOf, decodeMarker(marker));
  const page = items.slice(start, start + limit);
  const next = items[start + limit];
  return next === undefined
    ? { items: page, isTruncated: false, marker: undefined }
    : { items: page, isTruncated: true, marker: encodeMarker(keyOf(next)) };
}

/** Where the marked item is, or (when it was deleted meanwhile) where it would be in a list sorted by key. */
function firstAtOrAfter<T>(items: readonly T[], keyOf: (item: T) => string, key: string): number {
  const exact = items.findIndex((item) => keyOf(item) === key);
  if (exact >= 0) return exact;
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const item = items[mid] as T;
    if (keyOf(item) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
