/**
 * Objects: put, get (ranges, conditions, response-header overrides), head, delete (one or many), copy, and
 * object tags. A body is stored durably before its record is committed, and an overwritten body is removed only
 * after the new record is committed, so a reader never sees half an object.
 */
import type { S3Operations } from '../../protocol/generated/s3.ts';
import type { Tag } from '../../model/iam.ts';
import type { ObjectHeaders, ObjectRecord } from '../../model/s3.ts';
import type { S3State } from '../../state/s3-state.ts';
import type { Handlers, OperationContext } from '../service.ts';
import type { BlobStore as Blobs } from '../../store/blobs/blob-store.ts';
import { parseCopySource, parseTaggingHeader } from './authorization.ts';
import { checksumMembers, declaredChecksums, storeBody, trailerChecksums } from './bodies.ts';
import { requireBucket } from './buckets.ts';
import { evaluateConditions, parseRange } from './conditions.ts';
import { s3Errors } from './errors.ts';
import { checkTags } from './tags.ts';

export interface ObjectDeps {
  readonly state: S3State;
  readonly blobs: Blobs;
  /** The checks for deleting one key (DeleteObjects decides each key on its own). */
  readonly deleteKeyPlan: (
    bucket: string,
    key: string,
    ctx: OperationContext,
  ) => Parameters<OperationContext['allows']>[0];
  /** Commits a record, then removes the body it replaced (if any). */
  readonly commitObject: (record: ObjectRecord) => Promise<void>;
  /** Whether the caller may list the bucket (a missing key is NoSuchKey only then, else AccessDenied). */
  readonly listPlan: (bucket: string, ctx: OperationContext) => Parameters<OperationContext['allows']>[0];
}

type ObjectOps = Pick<
  S3Operations,
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'CopyObject'
  | 'PutObjectTagging'
  | 'GetObjectTagging'
  | 'DeleteObjectTagging'
>;

/** Keys are at most 1,024 bytes of UTF-8 (Amazon S3 User Guide, "Naming objects"). */
export function checkKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > 1024) throw s3Errors.keyTooLong();
}

interface HeaderInput {
  ContentType?: string | undefined;
  ContentEncoding?: string | undefined;
  ContentDisposition?: string | undefined;
  ContentLanguage?: string | undefined;
  CacheControl?: string | undefined;
  Expires?: string | undefined;
  Metadata?: Record<string, string> | undefined;
}

/** The headers an object keeps, from a request that writes it. */
export function headersFrom(input: HeaderInput): ObjectHeaders {
  return {
    ...(input.ContentType !== undefined && { contentType: input.ContentType }),
    ...(input.ContentEncoding !== undefined && { contentEncoding: input.ContentEncoding }),
    ...(input.ContentDisposition !== undefined && { contentDisposition: input.ContentDisposition }),
    ...(input.ContentLanguage !== undefined && { contentLanguage: input.ContentLanguage }),
    ...(input.CacheControl !== undefined && { cacheControl: input.CacheControl }),
    ...(input.Expires !== undefined && { expires: input.Expires }),
    metadata: Object.fromEntries(Object.entries(input.Metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
}

/** The stored headers as output members. Objects written without a type are `binary/octet-stream` on S3. */
function headerMembers(o: ObjectRecord) {
  return {
    ContentType: o.contentType ?? 'binary/octet-stream',
    ...(o.contentEncoding !== undefined && { ContentEncoding: o.contentEncoding }),
    ...(o.contentDisposition !== undefined && { ContentDisposition: o.contentDisposition }),
    ...(o.contentLanguage !== undefined && { ContentLanguage: o.contentLanguage }),
    ...(o.cacheControl !== undefined && { CacheControl: o.cacheControl }),
    ...(o.expires !== undefined && { Expires: o.expires }),
    ...(Object.keys(o.metadata).length > 0 && { Metadata: { ...o.metadata } }),
  };
}

function tagsFromHeader(header: string | undefined): Tag[] {
  if (header === undefined) return [];
  const tags = parseTaggingHeader(header);
  checkTags(tags, 10);
  return tags;
}

export function objectHandlers(deps: ObjectDeps): Handlers<ObjectOps> {
  const { state, blobs } = deps;

  /** The object, or the error S3 gives for a missing one: NoSuchKey to callers who may list, else 403. */
  const requireObject = (bucket: string, key: string, ctx: OperationContext): ObjectRecord => {
    requireBucket(state, bucket);
    const object = state.object(bucket, key);
    if (object) return object;
    throw ctx.allows(deps.listPlan(bucket, ctx)) ? s3Errors.noSuchKey(key) : s3Errors.accessDenied();
  };

  const commit = deps.commitObject;

  /** Write conditions of PutObject and CompleteMultipartUpload (User Guide, "Conditional writes"). */
  const checkWriteConditions = (bucket: string, key: string, ifMatch?: string, ifNoneMatch?: string) => {
    const existing = state.object(bucket, key);
    if (ifNoneMatch === '*' && existing) throw s3Errors.preconditionFailed('If-None-Match');
    if (ifMatch !== undefined) {
      if (!existing) throw s3Errors.noSuchKey(key);
      if (!evaluateConditions(existing, { IfMatch: ifMatch }).ok) throw s3Errors.preconditionFailed('If-Match');
    }
  };

  const read = (
    input: S3Operations['GetObject']['input'],
    ctx: OperationContext,
  ): { object: ObjectRecord; range?: { start: number; end: number } } => {
    const object = requireObject(input.Bucket, input.Key, ctx);
    const verdict = evaluateConditions(object, input);
    if (!verdict.ok) {
      throw verdict.status === 304 ? s3Errors.notModified(object) : s3Errors.preconditionFailed(verdict.condition);
    }
    const overrides = [
      input.ResponseCacheControl,
      input.ResponseContentDisposition,
      input.ResponseContentEncoding,
      input.ResponseContentLanguage,
      input.ResponseContentType,
      input.ResponseExpires,
    ];
    if (ctx.principal.type === 'anonymous' && overrides.some((v) => v !== undefined)) {
      throw s3Errors.invalidRequest('Request specific response headers cannot be used for anonymous GET requests.');
    }
    if (input.Range === undefined) return { object };
    const range = parseRange(input.Range, object.size);
    if (range === 'unsatisfiable') throw s3Errors.invalidRange(input.Range, object.size);
    return range === undefined ? { object } : { object, range };
  };

  const described = (
    object: ObjectRecord,
    input: S3Operations['GetObject']['input'],
    range: { start: number; end: number } | undefined,
  ) => ({
    AcceptRanges: 'bytes',
    LastModified: new Date(object.lastModified),
    ContentLength: range ? range.end - range.start + 1 : object.size,
    ETag: object.etag,
    ...headerMembers(object),
    ...(input.ResponseCacheControl !== undefined && { CacheControl: input.ResponseCacheControl }),
    ...(input.ResponseContentDisposition !== undefined && { ContentDisposition: input.ResponseContentDisposition }),
    ...(input.ResponseContentEncoding !== undefined && { ContentEncoding: input.ResponseContentEncoding }),
    ...(input.ResponseContentLanguage !== undefined && { ContentLanguage: input.ResponseContentLanguage }),
    ...(input.ResponseContentType !== undefined && { ContentType: input.ResponseContentType }),
    ...(input.ResponseExpires !== undefined && { Expires: input.ResponseExpires.toUTCString() }),
    ...(range && { ContentRange: `bytes ${range.start}-${range.end}/${object.size}` }),
    ...(object.tags.length > 0 && { TagCount: object.tags.length }),
    // Whole-object checksums are returned only when asked for and only for the whole body (API Reference,
    // GetObject ChecksumMode); a multipart object's composite checksum is not one the client can verify.
    ...(input.ChecksumMode === 'ENABLED' && !range && object.partsCount === undefined
      ? checksumMembers(object.checksums)
      : {}),
  });

  return {
    PutObject: async (input, ctx) => {
      const bucket = requireBucket(state, input.Bucket);
      checkKey(input.Key);
      const tags = tagsFromHeader(input.Tagging);
      checkWriteConditions(bucket.name, input.Key, input.IfMatch, input.IfNoneMatch);
      const blob = await storeBody(blobs, input.Body, input.ContentMD5);
      const checksums = {
        ...declaredChecksums(input as unknown as Record<string, unknown>),
        ...trailerChecksums(input.Body),
      };
      try {
        checkWriteConditions(bucket.name, input.Key, input.IfMatch, input.IfNoneMatch);
        const record: ObjectRecord = {
          bucket: bucket.name,
          key: input.Key,
          blobId: blob.id,
          size: blob.size,
          etag: `"${blob.md5Hex}"`,
          lastModified: ctx.now.toISOString(),
          tags,
          ...headersFrom(input),
          ...(Object.keys(checksums).length > 0 && { checksums }),
        };
        await commit(record);
      } catch (err) {
        await blobs.delete(blob.id);
        throw err;
      }
      return { ETag: `"${blob.md5Hex}"`, ...checksumMembers(checksums) };
    },

    GetObject: async (input, ctx) => {
      const { object, range } = read(input, ctx);
      const opened = await blobs.read(object.blobId, range);
      return { ...described(object, input, range), Body: opened.body };
    },

    HeadObject: (input, ctx) => {
      const { object, range } = read(input as S3Operations['GetObject']['input'], ctx);
      return described(object, input as S3Operations['GetObject']['input'], range);
    },

    DeleteObject: async (input) => {
      requireBucket(state, input.Bucket);
      const object = state.object(input.Bucket, input.Key);
      if (object) {
        await state.write((w) => w.delete('s3.object', object));
        await blobs.delete(object.blobId);
      }
      return {};
    },

    DeleteObjects: async (input, ctx) => {
      requireBucket(state, input.Bucket);
      const objects = input.Delete.Objects;
      // At most 1,000 keys per request (API Reference, DeleteObjects).
      if (objects.length > 1000) throw s3Errors.malformedXml();
      const deleted: { Key: string }[] = [];
      const errors: { Key: string; Code: string; Message: string }[] = [];
      for (const { Key } of objects) {
        // Each key is decided on its own; a denial is that key's <Error>, not the request's (API Reference).
        if (!ctx.allows(deps.deleteKeyPlan(input.Bucket, Key, ctx))) {
          errors.push({ Key, Code: 'AccessDenied', Message: 'Access Denied' });
          continue;
        }
        const object = state.object(input.Bucket, Key);
        if (object) {
          await state.write((w) => w.delete('s3.object', object));
          await blobs.delete(object.blobId);
        }
        deleted.push({ Key });
      }
      return {
        ...(input.Delete.Quiet === true ? {} : { Deleted: deleted }),
        ...(errors.length > 0 && { Errors: errors }),
      };
    },

    CopyObject: async (input, ctx) => {
      const target = requireBucket(state, input.Bucket);
      checkKey(input.Key);
      const source = parseCopySource(input.CopySource);
      if (!source) {
        throw s3Errors.invalidCopySource(input.CopySource);
      }
      const from = requireObject(source.bucket, source.key, ctx);
      const verdict = evaluateConditions(from, {
        IfMatch: input.CopySourceIfMatch,
        IfNoneMatch: input.CopySourceIfNoneMatch,
        IfModifiedSince: input.CopySourceIfModifiedSince,
        IfUnmodifiedSince: input.CopySourceIfUnmodifiedSince,
      });
      // A copy's failed conditions are all 412, never 304 (API Reference, CopyObject).
      if (!verdict.ok) {
        throw s3Errors.preconditionFailed(
          verdict.status === 304 ? 'x-amz-copy-source-If-None-Match' : `x-amz-copy-source-${verdict.condition}`,
        );
      }
      const replace = input.MetadataDirective === 'REPLACE';
      const replaceTags = input.TaggingDirective === 'REPLACE';
      if (source.bucket === target.name && source.key === input.Key && !replace && !replaceTags) {
        throw s3Errors.invalidRequest(
          "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        );
      }
      const blob = await blobs.write((await blobs.read(from.blobId)).body);
      const record: ObjectRecord = {
        bucket: target.name,
        key: input.Key,
        blobId: blob.id,
        size: blob.size,
        etag: `"${blob.md5Hex}"`,
        lastModified: ctx.now.toISOString(),
        tags: replaceTags ? tagsFromHeader(input.Tagging) : from.tags,
        ...(replace
          ? headersFrom(input)
          : {
              ...headersFrom({}),
              ...Object.fromEntries(
                Object.entries(from).filter(([k]) =>
                  [
                    'contentType',
                    'contentEncoding',
                    'contentDisposition',
                    'contentLanguage',
                    'cacheControl',
                    'expires',
                    'metadata',
                  ].includes(k),
                ),
              ),
            }),
        ...(from.checksums && from.partsCount === undefined && { checksums: from.checksums }),
      };
      try {
        await commit(record);
      } catch (err) {
        await blobs.delete(blob.id);
        throw err;
      }
      return { CopyObjectResult: { ETag: record.etag, LastModified: ctx.now } };
    },

    PutObjectTagging: async (input, ctx) => {
      const object = requireObject(input.Bucket, input.Key, ctx);
      const tags = input.Tagging.TagSet.map((t) => ({ Key: t.Key, Value: t.Value }));
      checkTags(tags, 10);
      await state.write((w) => w.put('s3.object', { ...object, tags }));
      return {};
    },

    GetObjectTagging: (input, ctx) => {
      const object = requireObject(input.Bucket, input.Key, ctx);
      return { TagSet: object.tags.map((t) => ({ ...t })) };
    },

    DeleteObjectTagging: async (input, ctx) => {
      const object = requireObject(input.Bucket, input.Key, ctx);
      await state.write((w) => w.put('s3.object', { ...object, tags: [] }));
      return {};
    },
  };
}
