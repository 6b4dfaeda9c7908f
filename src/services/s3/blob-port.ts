/**
 * What the S3 service needs from the blob store (src/store/blobs/): durable bodies written from a stream,
 * read back by range, joined for multipart uploads, deleted after the record that named them is gone.
 */
export interface BlobInfo {
  readonly id: string;
  readonly size: number;
  readonly md5Hex: string;
}

export interface Blobs {
  write(source: AsyncIterable<Uint8Array>, opts?: { maxBytes?: number }): Promise<BlobInfo>;
  /** Bytes start..end inclusive, or the whole blob. */
  read(id: string, range?: { start: number; end: number }): AsyncIterable<Uint8Array>;
  concat(ids: readonly string[]): Promise<BlobInfo>;
  delete(id: string): Promise<void>;
}
