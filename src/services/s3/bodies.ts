/**
 * Moving object bodies between requests and the blob store: a request's streaming body as an async iterable,
 * its Content-MD5 checked after the bytes are stored (a mismatch removes the blob before anything names it),
 * and the checksums a client sent in headers or in an aws-chunked trailer kept with the object.
 */
import type { StreamingBody } from '../../protocol/model.ts';
import { isBlobTooLarge, type BlobStore as Blobs, type BlobInfo } from '../../store/blobs/blob-store.ts';
import { AwsError } from '../../protocol/errors.ts';
import { s3Errors } from './errors.ts';

/** The largest single PUT (Amazon S3 User Guide, "Uploading objects": 5 GB). */
export const MAX_PUT_BYTES = 5 * 1024 * 1024 * 1024;

export function iterable(body: StreamingBody | undefined): AsyncIterable<Uint8Array> {
  if (body === undefined) return (async function* () {})();
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    return (async function* () {
      if (bytes.length > 0) yield bytes;
    })();
  }
  return body;
}

/** A checksum a client declared, by algorithm suffix (`crc32`, `sha256`, …). */
export type Checksums = Readonly<Record<string, string>>;

const CHECKSUM_MEMBERS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;

/** Checksums sent as x-amz-checksum-* headers, as the input carries them (ChecksumCRC32 …). */
export function declaredChecksums(input: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of CHECKSUM_MEMBERS) {
    const v = input[`Checksum${name}`];
    if (typeof v === 'string') out[name.toLowerCase()] = v;
  }
  return out;
}

/** Output members for stored checksums (ChecksumCRC32: …). */
export function checksumMembers(checksums: Checksums | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(checksums ?? {})) out[`Checksum${k.toUpperCase()}`] = v;
  return out;
}

/** Checksums a decoded aws-chunked body reported in its trailer, when the body is such a stream. */
export function trailerChecksums(body: StreamingBody | undefined): Record<string, string> {
  const reporter = body as { checksums?: () => Readonly<Record<string, string>> } | undefined;
  if (typeof reporter?.checksums !== 'function') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(reporter.checksums())) out[k.replace(/^x-amz-checksum-/, '').toLowerCase()] = v;
  return out;
}

/** Validates a Content-MD5 header's form before any byte is stored: it must be base64 of 16 bytes. */
export function checkContentMd5(contentMd5: string | undefined): void {
  if (contentMd5 === undefined) return;
  const bytes = Buffer.from(contentMd5, 'base64');
  if (bytes.length !== 16 || bytes.toString('base64') !== contentMd5.trim()) throw s3Errors.invalidDigest();
}

/** Stores a body, then checks its Content-MD5; on a mismatch the blob is removed and BadDigest thrown. */
export async function storeBody(
  blobs: Blobs,
  body: StreamingBody | undefined,
  contentMd5: string | undefined,
  maxBytes = MAX_PUT_BYTES,
): Promise<BlobInfo> {
  checkContentMd5(contentMd5);
  let blob: BlobInfo;
  try {
    blob = await blobs.write(iterable(body), { maxBytes });
  } catch (err) {
    if (isBlobTooLarge(err)) throw s3Errors.entityTooLarge(maxBytes + 1, maxBytes);
    throw err;
  }
  if (contentMd5 !== undefined) {
    const calculated = Buffer.from(blob.md5Hex, 'hex').toString('base64');
    if (calculated !== contentMd5.trim()) {
      await blobs.delete(blob.id);
      throw new AwsError('BadDigest', 400, s3Errors.badDigest().message, 'Sender', {
        ExpectedDigest: contentMd5,
        CalculatedDigest: calculated,
      });
    }
  }
  return blob;
}
