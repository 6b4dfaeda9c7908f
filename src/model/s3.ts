/**
 * S3's records. Bucket names are global (one namespace for every account), so buckets, objects and multipart
 * uploads are stored under the global account '' and carry their owner. Object bodies live in the blob store;
 * a record names its blob, and only a committed record makes an object visible (shared/DESIGN.md decision 5).
 */
import type { Tag } from './iam.ts';

export interface PublicAccessBlock {
  readonly BlockPublicAcls: boolean;
  readonly IgnorePublicAcls: boolean;
  readonly BlockPublicPolicy: boolean;
  readonly RestrictPublicBuckets: boolean;
}

export interface BucketRecord {
  readonly name: string;
  /** The owning account. */
  readonly owner: string;
  readonly region: string;
  readonly createdAt: string;
  /** The bucket policy; `revision` changes with every write, so compiled policies are never stale. */
  readonly policy?: { readonly document: string; readonly revision: string };
  readonly publicAccessBlock?: PublicAccessBlock;
  readonly tags?: readonly Tag[];
}

/** The headers an object keeps from the request that wrote it. */
export interface ObjectHeaders {
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly contentDisposition?: string;
  readonly contentLanguage?: string;
  readonly cacheControl?: string;
  readonly expires?: string;
  /** x-amz-meta-* with the prefix removed, names lower-cased. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ObjectRecord extends ObjectHeaders {
  readonly bucket: string;
  readonly key: string;
  readonly blobId: string;
  readonly size: number;
  /** Quoted, as S3 sends it: `"<md5 hex>"`, or `"<md5 of part md5s>-<parts>"` for multipart objects. */
  readonly etag: string;
  readonly lastModified: string;
  readonly tags: readonly Tag[];
  /** Checksums the writer sent (x-amz-checksum-crc32 …), by header name suffix (`crc32`). */
  readonly checksums?: Readonly<Record<string, string>>;
  readonly partsCount?: number;
}

export interface PartRecord {
  readonly partNumber: number;
  readonly blobId: string;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: string;
}

export interface UploadRecord extends ObjectHeaders {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  readonly initiated: string;
  /** ARN of the principal that initiated the upload, and its account. */
  readonly initiator: string;
  readonly initiatorAccount: string;
  readonly tags: readonly Tag[];
  readonly parts: readonly PartRecord[];
}

export const S3_KINDS = ['s3.bucket', 's3.object', 's3.upload'] as const;
export type S3Kind = (typeof S3_KINDS)[number];
export interface S3Entities {
  's3.bucket': BucketRecord;
  's3.object': ObjectRecord;
  's3.upload': UploadRecord;
}

export const bucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string): string => `arn:aws:s3:::${bucket}/${key}`;

/**
 * S3 lists keys in UTF-8 binary order, which is code point order; JavaScript compares UTF-16 units, which
 * differs only between surrogates (code points ≥ U+10000) and U+E000–U+FFFF. Shifting those two ranges
 * restores code point order without encoding.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x += x <= 0xdfff ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y <= 0xdfff ? 0x2000 : -0x800;
    return x - y;
  }
  return a.length - b.length;
}
