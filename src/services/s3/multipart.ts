/**
 * Multipart uploads (docs/research/s3-facts.md §F): parts numbered 1–10,000 stored as blobs as they arrive (a
 * part sent again replaces the earlier one), completion checked as S3 checks it (ascending part numbers,
 * matching ETags, every part but the last at least 5 MiB) and the object's ETag computed as S3 computes it:
 * the MD5 of the parts' binary MD5s, then `-<number of parts>`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { S3Operations } from '../../protocol/generated/s3.ts';
import type { ObjectRecord, PartRecord, UploadRecord } from '../../model/s3.ts';
import { compareKeys } from '../../model/s3.ts';
import type { S3State } from '../../state/s3-state.ts';
import type { Handlers, OperationContext } from '../service.ts';
import type { BlobStore as Blobs } from '../../store/blobs/blob-store.ts';
import { parseCopySource, parseTaggingHeader } from './authorization.ts';
import { storeBody } from './bodies.ts';
import { ownerId, requireBucket } from './buckets.ts';
import { parseRange } from './conditions.ts';
import { s3Errors } from './errors.ts';
import { checkKey, headersFrom } from './objects.ts';
import { checkTags } from './tags.ts';

type MultipartOps = Pick<
  S3Operations,
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'ListMultipartUploads'
>;

const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;

export interface MultipartDeps {
  readonly state: S3State;
  readonly blobs: Blobs;
  /** Commits a completed object and removes the body it replaced. */
  readonly commitObject: (record: ObjectRecord) => Promise<void>;
}

function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 10000) {
    throw s3Errors.invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      String(n),
    );
  }
}

/** The multipart ETag: MD5 of the concatenated binary MD5s of the parts, then `-N` (quoted). */
/**
 * An opaque upload id that never starts with `-`: the AWS CLI reads `--upload-id -Abc…` as an option and refuses the
 * command ("argument --upload-id: expected one argument"), which base64url's alphabet made one id in 32 do.
 */
export function newUploadId(): string {
  for (;;) {
    const id = randomBytes(36).toString('base64url');
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}

export function multipartEtag(parts: readonly { etag: string }[]): string {
  const hash = createHash('md5');
  for (const p of parts) hash.update(Buffer.from(p.etag.replace(/"/g, ''), 'hex'));
  return `"${hash.digest('hex')}-${parts.length}"`;
}

const principalId = (ctx: OperationContext) => (ctx.principal.type === 'anonymous' ? 'anonymous' : ctx.principal.arn);

export function multipartHandlers(deps: MultipartDeps): Handlers<MultipartOps> {
  const { state, blobs } = deps;

  const requireUpload = (bucket: string, key: string, uploadId: string): UploadRecord => {
    requireBucket(state, bucket);
    const upload = state.upload(bucket, uploadId);
    if (!upload || upload.key !== key) throw s3Errors.noSuchUpload(uploadId);
    return upload;
  };

  /** Adds a stored part to an upload (re-reading it under the write lock, since parts arrive in parallel). */
  const addPart = async (bucket: string, key: string, uploadId: string, part: PartRecord): Promise<void> => {
    let replaced: string | undefined;
    try {
      await state.write(async (w) => {
        const upload = requireUpload(bucket, key, uploadId);
        replaced = upload.parts.find((p) => p.partNumber === part.partNumber)?.blobId;
        const parts = [...upload.parts.filter((p) => p.partNumber !== part.partNumber), part].sort(
          (a, b) => a.partNumber - b.partNumber,
        );
        await w.put('s3.upload', { ...upload, parts });
      });
    } catch (err) {
      await blobs.delete(part.blobId);
      throw err;
    }
    if (replaced !== undefined) await blobs.delete(replaced);
  };

  const people = (upload: UploadRecord) => ({
    Initiator: { ID: upload.initiator, DisplayName: upload.initiator.split('/').pop() ?? '' },
    Owner: { ID: ownerId(state.bucket(upload.bucket)?.owner ?? ''), DisplayName: 'rolecall' },
  });

  return {
    CreateMultipartUpload: async (input, ctx) => {
      const bucket = requireBucket(state, input.Bucket);
      checkKey(input.Key);
      const tags = input.Tagging === undefined ? [] : parseTaggingHeader(input.Tagging);
      checkTags(tags, 10);
      const upload: UploadRecord = {
        uploadId: newUploadId(),
        bucket: bucket.name,
        key: input.Key,
        initiated: ctx.now.toISOString(),
        initiator: principalId(ctx),
        initiatorAccount: ctx.account,
        tags,
        parts: [],
        ...headersFrom(input),
      };
      await state.write((w) => w.put('s3.upload', upload));
      return { Bucket: bucket.name, Key: input.Key, UploadId: upload.uploadId };
    },

    UploadPart: async (input) => {
      checkPartNumber(input.PartNumber);
      requireUpload(input.Bucket, input.Key, input.UploadId);
      const blob = await storeBody(blobs, input.Body, input.ContentMD5, MAX_PART_BYTES);
      const etag = `"${blob.md5Hex}"`;
      await addPart(input.Bucket, input.Key, input.UploadId, {
        partNumber: input.PartNumber,
        blobId: blob.id,
        etag,
        size: blob.size,
        lastModified: new Date().toISOString(),
      });
      return { ETag: etag };
    },

    UploadPartCopy: async (input, ctx) => {
      checkPartNumber(input.PartNumber);
      requireUpload(input.Bucket, input.Key, input.UploadId);
      const source = parseCopySource(input.CopySource);
      if (!source) {
        throw s3Errors.invalidCopySource(input.CopySource);
      }
      requireBucket(state, source.bucket);
      const from = state.object(source.bucket, source.key);
      if (!from) throw s3Errors.noSuchKey(source.key);
      let range: { start: number; end: number } | undefined;
      if (input.CopySourceRange !== undefined) {
        const parsed = parseRange(input.CopySourceRange, from.size);
        if (parsed === undefined || parsed === 'unsatisfiable') {
          throw s3Errors.invalidArgument(
            'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
            'x-amz-copy-source-range',
            input.CopySourceRange,
          );
        }
        range = parsed;
      }
      const blob = await blobs.write((await blobs.read(from.blobId, range)).body);
      const etag = `"${blob.md5Hex}"`;
      await addPart(input.Bucket, input.Key, input.UploadId, {
        partNumber: input.PartNumber,
        blobId: blob.id,
        etag,
        size: blob.size,
        lastModified: ctx.now.toISOString(),
      });
      return { CopyPartResult: { ETag: etag, LastModified: ctx.now } };
    },

    CompleteMultipartUpload: async (input, ctx) => {
      const upload = requireUpload(input.Bucket, input.Key, input.UploadId);
      const listed = input.MultipartUpload?.Parts ?? [];
      if (listed.length === 0) throw s3Errors.malformedXml();
      const chosen: PartRecord[] = [];
      let previous = 0;
      for (const entry of listed) {
        if (entry.PartNumber === undefined || entry.ETag === undefined) throw s3Errors.malformedXml();
        if (entry.PartNumber <= previous) throw s3Errors.invalidPartOrder(upload.uploadId);
        previous = entry.PartNumber;
        const part = upload.parts.find((p) => p.partNumber === entry.PartNumber);
        const wanted = entry.ETag.replace(/"/g, '');
        if (!part || part.etag.replace(/"/g, '') !== wanted) {
          throw s3Errors.invalidPart(upload.uploadId, entry.PartNumber, entry.ETag);
        }
        chosen.push(part);
      }
      chosen.forEach((part, i) => {
        if (i < chosen.length - 1 && part.size < MIN_PART_BYTES) {
          throw s3Errors.entityTooSmall(part.size, part.partNumber, part.etag);
        }
      });
      const existing = state.object(upload.bucket, upload.key);
      if (input.IfNoneMatch === '*' && existing) throw s3Errors.preconditionFailed('If-None-Match');
      const blob = await blobs.concat(chosen.map((p) => p.blobId));
      const etag = multipartEtag(chosen);
      const { uploadId: _u, initiated: _i, initiator: _r, initiatorAccount: _a, parts: _p, ...headers } = upload;
      const record: ObjectRecord = {
        ...headers,
        blobId: blob.id,
        size: blob.size,
        etag,
        lastModified: ctx.now.toISOString(),
        partsCount: chosen.length,
      };
      try {
        await state.write(async (w) => {
          // The upload may have been aborted or completed by another request meanwhile.
          if (!state.upload(upload.bucket, upload.uploadId)) throw s3Errors.noSuchUpload(upload.uploadId);
          await w.delete('s3.upload', upload);
        });
      } catch (err) {
        await blobs.delete(blob.id);
        throw err;
      }
      await deps.commitObject(record);
      for (const part of upload.parts) await blobs.delete(part.blobId);
      return {
        Location: `http://${upload.bucket}.s3.amazonaws.com/${encodeURIComponent(upload.key).replace(/%2F/g, '/')}`,
        Bucket: upload.bucket,
        Key: upload.key,
        ETag: etag,
      };
    },

    AbortMultipartUpload: async (input) => {
      const upload = requireUpload(input.Bucket, input.Key, input.UploadId);
      await state.write((w) => w.delete('s3.upload', upload));
      for (const part of upload.parts) await blobs.delete(part.blobId);
      return {};
    },

    ListParts: (input) => {
      const upload = requireUpload(input.Bucket, input.Key, input.UploadId);
      const max = Math.min(input.MaxParts ?? 1000, 1000);
      const marker = Number(input.PartNumberMarker ?? 0);
      const after = upload.parts.filter((p) => p.partNumber > marker);
      const page = after.slice(0, max);
      const truncated = page.length < after.length;
      return {
        Bucket: upload.bucket,
        Key: upload.key,
        UploadId: upload.uploadId,
        PartNumberMarker: marker,
        ...(page.length > 0 && { NextPartNumberMarker: page[page.length - 1]?.partNumber }),
        MaxParts: max,
        IsTruncated: truncated,
        Parts: page.map((p) => ({
          PartNumber: p.partNumber,
          LastModified: new Date(p.lastModified),
          ETag: p.etag,
          Size: p.size,
        })),
        ...people(upload),
        StorageClass: 'STANDARD',
      };
    },

    ListMultipartUploads: (input) => {
      const bucket = requireBucket(state, input.Bucket);
      const prefix = input.Prefix ?? '';
      const max = Math.min(input.MaxUploads ?? 1000, 1000);
      const sorted = state
        .uploads(bucket.name)
        .filter((u) => u.key.startsWith(prefix))
        .sort((a, b) => compareKeys(a.key, b.key) || a.initiated.localeCompare(b.initiated));
      const keyMarker = input.KeyMarker;
      const idMarker = keyMarker === undefined ? undefined : input.UploadIdMarker;
      let started = keyMarker === undefined;
      const uploads: UploadRecord[] = [];
      const prefixes: string[] = [];
      let truncated = false;
      for (const u of sorted) {
        if (!started) {
          const c = compareKeys(u.key, keyMarker ?? '');
          if (c < 0 || (c === 0 && (idMarker === undefined || u.uploadId <= idMarker))) continue;
          started = true;
        }
        const d = input.Delimiter;
        const at = d === undefined || d === '' ? -1 : u.key.indexOf(d, prefix.length);
        if (at >= 0) {
          const common = u.key.slice(0, at + (d ?? '').length);
          if (prefixes[prefixes.length - 1] === common) continue;
          if (uploads.length + prefixes.length >= max) {
            truncated = true;
            break;
          }
          prefixes.push(common);
          continue;
        }
        if (uploads.length + prefixes.length >= max) {
          truncated = true;
          break;
        }
        uploads.push(u);
      }
      const last = uploads[uploads.length - 1];
      return {
        Bucket: bucket.name,
        KeyMarker: keyMarker ?? '',
        UploadIdMarker: idMarker ?? '',
        ...(truncated && last && { NextKeyMarker: last.key, NextUploadIdMarker: last.uploadId }),
        Prefix: prefix,
        ...(input.Delimiter !== undefined && { Delimiter: input.Delimiter }),
        MaxUploads: max,
        IsTruncated: truncated,
        Uploads: uploads.map((u) => ({
          UploadId: u.uploadId,
          Key: u.key,
          Initiated: new Date(u.initiated),
          StorageClass: 'STANDARD' as const,
          ...people(u),
        })),
        CommonPrefixes: prefixes.map((p) => ({ Prefix: p })),
      };
    },
  };
}
