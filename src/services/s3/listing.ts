/**
 * ListObjectsV2 and ListObjects over a bucket's keys in UTF-8 binary order (docs/research/s3-facts.md §E):
 * prefix, delimiter roll-ups into CommonPrefixes (each counting once against max-keys), start-after / marker,
 * opaque continuation tokens, max-keys up to 1,000, and encoding-type=url.
 */
import type { S3Operations } from '../../protocol/generated/s3.ts';
import { compareKeys } from '../../model/s3.ts';
import type { S3State } from '../../state/s3-state.ts';
import type { Handlers } from '../service.ts';
import { ownerId, requireBucket } from './buckets.ts';
import { s3Errors } from './errors.ts';

type ListingOps = Pick<S3Operations, 'ListObjectsV2' | 'ListObjects'>;

const MAX_KEYS = 1000;

interface Page {
  readonly keys: string[];
  readonly prefixes: string[];
  readonly truncated: boolean;
  /** The last key or common prefix returned, where the next page starts after. */
  readonly last: string | undefined;
}

/** First index of a sorted key list whose key is after `value` (or equal to it, when inclusive). */
function lowerBound(keys: readonly string[], value: string, inclusive: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareKeys(keys[mid] as string, value);
    if (c < 0 || (!inclusive && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function page(
  all: readonly string[],
  prefix: string,
  delimiter: string | undefined,
  after: string | undefined,
  max: number,
): Page {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let last: string | undefined;
  let i =
    after !== undefined && compareKeys(after, prefix) > 0
      ? lowerBound(all, after, false)
      : lowerBound(all, prefix, true);
  for (; i < all.length; i++) {
    const key = all[i] as string;
    if (after !== undefined && compareKeys(key, after) <= 0) continue;
    if (!key.startsWith(prefix)) {
      if (compareKeys(key, prefix) > 0) break;
      continue;
    }
    let entry = key;
    let rolled = false;
    if (delimiter !== undefined && delimiter !== '') {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) {
        entry = key.slice(0, at + delimiter.length);
        rolled = true;
      }
    }
    if (rolled && entry === prefixes[prefixes.length - 1]) continue;
    // A marker or token that is this common prefix (V1's NextMarker, or our token after a roll-up) means the
    // prefix was listed on an earlier page: skip every key under it (API Reference, ListObjects NextMarker).
    if (rolled && after !== undefined && compareKeys(entry, after) <= 0) {
      i = Math.max(i, lowerBound(all, entry + '\uffff', true) - 1);
      continue;
    }
    if (keys.length + prefixes.length >= max) return { keys, prefixes, truncated: true, last };
    if (rolled) prefixes.push(entry);
    else keys.push(entry);
    last = entry;
    // A common prefix covers every later key that starts with it: skip past them.
    if (rolled) {
      const next = lowerBound(all, entry + '\uffff', true);
      i = Math.max(i, next - 1);
    }
  }
  return { keys, prefixes, truncated: false, last };
}

const encodeToken = (after: string): string => Buffer.from(`rolecall:${after}`).toString('base64');

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (!text.startsWith('rolecall:')) {
    throw s3Errors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  }
  return text.slice('rolecall:'.length);
}

/** `encoding-type=url` encodes key names in the response as S3 does (spaces as `+`, `/` kept). */
const urlEncode = (s: string): string => encodeURIComponent(s).replace(/%2F/g, '/').replace(/%20/g, '+');

export function listingHandlers(state: S3State): Handlers<ListingOps> {
  const contents = (bucket: string, keys: string[], encode: (s: string) => string, owner: boolean) =>
    keys.map((key) => {
      const o = state.object(bucket, key);
      return {
        Key: encode(key),
        LastModified: new Date(o?.lastModified ?? 0),
        ETag: o?.etag ?? '',
        Size: o?.size ?? 0,
        StorageClass: 'STANDARD' as const,
        ...(owner && { Owner: { ID: ownerId(state.bucket(bucket)?.owner ?? ''), DisplayName: 'rolecall' } }),
      };
    });

  return {
    ListObjectsV2: (input) => {
      const bucket = requireBucket(state, input.Bucket);
      const max = Math.min(input.MaxKeys ?? MAX_KEYS, MAX_KEYS);
      const after = input.ContinuationToken !== undefined ? decodeToken(input.ContinuationToken) : input.StartAfter;
      const prefix = input.Prefix ?? '';
      const result = page(state.keys(bucket.name), prefix, input.Delimiter, after, max);
      const encode = input.EncodingType === 'url' ? urlEncode : (s: string) => s;
      return {
        IsTruncated: result.truncated,
        Contents: contents(bucket.name, result.keys, encode, input.FetchOwner === true),
        Name: bucket.name,
        Prefix: encode(prefix),
        ...(input.Delimiter !== undefined && { Delimiter: encode(input.Delimiter) }),
        MaxKeys: max,
        CommonPrefixes: result.prefixes.map((p) => ({ Prefix: encode(p) })),
        ...(input.EncodingType !== undefined && { EncodingType: input.EncodingType }),
        KeyCount: result.keys.length + result.prefixes.length,
        ...(input.ContinuationToken !== undefined && { ContinuationToken: input.ContinuationToken }),
        ...(result.truncated && result.last !== undefined && { NextContinuationToken: encodeToken(result.last) }),
        ...(input.StartAfter !== undefined && { StartAfter: encode(input.StartAfter) }),
      };
    },

    ListObjects: (input) => {
      const bucket = requireBucket(state, input.Bucket);
      const max = Math.min(input.MaxKeys ?? MAX_KEYS, MAX_KEYS);
      const prefix = input.Prefix ?? '';
      const result = page(state.keys(bucket.name), prefix, input.Delimiter, input.Marker, max);
      const encode = input.EncodingType === 'url' ? urlEncode : (s: string) => s;
      return {
        IsTruncated: result.truncated,
        Marker: encode(input.Marker ?? ''),
        // NextMarker only with a delimiter; without one clients continue from the last key (API Reference).
        ...(result.truncated &&
          input.Delimiter !== undefined &&
          result.last !== undefined && { NextMarker: encode(result.last) }),
        Contents: contents(bucket.name, result.keys, encode, true),
        Name: bucket.name,
        Prefix: encode(prefix),
        ...(input.Delimiter !== undefined && { Delimiter: encode(input.Delimiter) }),
        MaxKeys: max,
        CommonPrefixes: result.prefixes.map((p) => ({ Prefix: encode(p) })),
        ...(input.EncodingType !== undefined && { EncodingType: input.EncodingType }),
      };
    },
  };
}
