/**
 * The BlobStore: where S3 object bodies live. Bodies are too large for the record Store, so they are kept apart
 * (files on disk, or buffers for the memory backend) and the record Store holds only their metadata, which names
 * the blob by id. The S3 service writes the blob first, commits the metadata that references it, and only then
 * acknowledges; a crash in between leaves an unreferenced blob (swept at startup), never a half-visible object.
 * See README.md in this folder for the write order and what a crash can leave behind.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

/** What a finished write reports. The caller stores it in the object's metadata. */
export interface BlobInfo {
  /** Random, 32 lower-case hex digits: safe in a path and on case-insensitive file systems, never derived from a key. */
  readonly id: string;
  readonly size: number;
  /** MD5 of the whole body, lower-case hex: S3's ETag for a single-part object. */
  readonly md5Hex: string;
}

/**
 * A body to store: an HTTP request, a Readable, a generator. Chunks must be Uint8Array (Buffer included); the store
 * keeps no reference to a chunk once it asks for the next, so a source may reuse its buffer.
 */
export type BlobSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * Anything that wants to see every byte of the body in order while it is written: node:crypto's Hash fits
 * (sha256, sha1 for S3's checksums), as does a CRC of the caller's own. Read its result after write() resolves.
 */
export interface BlobHasher {
  update(chunk: Uint8Array): unknown;
}

export interface WriteOptions {
  /** Rejects with a TooLarge BlobError as soon as the body passes this many bytes; nothing is kept. */
  readonly maxBytes?: number;
  /** Aborting rejects the write with signal.reason, even while the source is stalled; nothing is kept. */
  readonly signal?: AbortSignal;
  /** Fed every chunk in order, alongside the MD5 the store always computes. */
  readonly hashers?: readonly BlobHasher[];
}

/** Inclusive on both ends, like an HTTP Range header: { start: 0, end: 0 } is the first byte. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface BlobRead {
  /** Size of the whole blob, whatever the range (for Content-Range). */
  readonly size: number;
  /**
   * The requested bytes. The blob is already open when read() resolves, so deleting it afterwards does not cut the
   * stream short. Consume it or destroy() it: an abandoned stream holds a file descriptor until it is collected.
   */
  readonly body: Readable;
}

export interface BlobStore {
  /** Creates what the store needs and removes the temp files of writes a crash interrupted. Idempotent. */
  open(): Promise<void>;
  /** Waits for running writes, then refuses every further call with a Closed BlobError. Idempotent. */
  close(): Promise<void>;
  /**
   * Streams source into a new blob, pulling the next chunk only when the previous one has been taken (so memory
   * stays bounded and the source is never read faster than the disk writes), and resolves once the blob is
   * durable. On any failure nothing is kept and the error is passed on unchanged: the source's own error, a
   * TooLarge BlobError, or the abort reason. Stopping early calls the source iterator's return(), as a for-await
   * loop would: a generator runs its finally blocks, and a Readable is destroyed (for an HTTP request, that closes
   * the connection), so pass `readable.iterator({ destroyOnReturn: false })` to keep it, e.g. to still answer the
   * client with an error. An abort does not wait for a stalled source: it stays pending until its owner ends it.
   */
  write(source: BlobSource, options?: WriteOptions): Promise<BlobInfo>;
  /**
   * Opens a blob for reading, or a range of it; rejects with NotFound (also for a malformed id) or InvalidRange
   * before any byte is produced, so an HTTP handler can still choose its status code.
   */
  read(id: string, range?: ByteRange): Promise<BlobRead>;
  /** The blob's size in bytes; rejects with NotFound. */
  size(id: string): Promise<number>;
  /**
   * A new blob holding the given blobs one after another (multipart completion), written like write(); the parts
   * are left as they are. Rejects with NotFound, keeping nothing, when a part is missing.
   */
  concat(ids: readonly string[], options?: WriteOptions): Promise<BlobInfo>;
  /** Removes a blob. Idempotent: a missing (or malformed) id is not an error. Readers already open keep reading. */
  delete(id: string): Promise<void>;
  /**
   * Removes every blob whose id is not in referenced and returns how many it removed: the orphans of writes whose
   * metadata was never committed. referenced must hold every id that may still be committed, so call this at
   * startup, after loading the metadata and before accepting requests; a blob written but not yet committed
   * while sweep runs would be removed.
   */
  sweep(referenced: ReadonlySet<string>): Promise<number>;
}

export type BlobErrorCode = 'NotFound' | 'TooLarge' | 'InvalidRange' | 'Closed';

/** Blob failures carry stable codes; use the guards below rather than instanceof across module copies. */
export class BlobError extends Error {
  constructor(
    readonly code: BlobErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BlobError';
  }
}

const hasCode = (err: unknown, code: BlobErrorCode): boolean => err instanceof BlobError && err.code === code;
export const isBlobNotFound = (err: unknown): boolean => hasCode(err, 'NotFound');
export const isBlobTooLarge = (err: unknown): boolean => hasCode(err, 'TooLarge');
export const isBlobInvalidRange = (err: unknown): boolean => hasCode(err, 'InvalidRange');
export const isBlobClosed = (err: unknown): boolean => hasCode(err, 'Closed');

const BLOB_ID = /^[0-9a-f]{32}$/;

/** 128 random bits: collisions are not a practical concern, so ids need no coordination between writers. */
export const newBlobId = (): string => randomBytes(16).toString('hex');

/** Only ids of our own form ever reach the file system, so a crafted id cannot name a path outside the store. */
export const isBlobId = (id: string): boolean => BLOB_ID.test(id);

export const blobNotFound = (id: string): BlobError =>
  new BlobError('NotFound', `blob ${JSON.stringify(id)} not found`);

/**
 * Checks a range against the blob's size. Clamping an over-long range and suffix ranges are HTTP's rules and
 * belong to the caller, which knows the size from the metadata; here a range must lie inside the blob.
 */
export function checkRange(range: ByteRange, size: number): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end >= size) {
    throw new BlobError('InvalidRange', `range ${start}-${end} is not within the blob's ${size} bytes`);
  }
}
