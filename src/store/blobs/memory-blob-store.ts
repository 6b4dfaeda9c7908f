/**
 * The in-memory BlobStore: for the memory record Store and for tests. It keeps the BlobStore contract as the file
 * backend does (the same source handling through pump, the same errors, a blob visible only once complete, readers
 * unaffected by a delete), so code tested against it behaves the same on disk. Bodies are held whole, so it is not
 * for large data.
 */
import { Readable } from 'node:stream';
import { BlobError, blobNotFound, checkRange, newBlobId } from './blob-store.ts';
import type { BlobInfo, BlobRead, BlobSource, BlobStore, ByteRange, WriteOptions } from './blob-store.ts';
import { pump } from './pump.ts';

/** Reads are cut into chunks like the file backend's, so consumers meet several chunks on both. */
const READ_CHUNK_BYTES = 64 * 1024;

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Buffer>();
  private state: 'new' | 'open' | 'closed' = 'new';
  private closing: Promise<void> | undefined;
  private readonly running = new Set<Promise<unknown>>();

  async open(): Promise<void> {
    if (this.state === 'closed') throw closedError();
    this.state = 'open';
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closed';
      await Promise.allSettled([...this.running]);
      this.blobs.clear();
    })();
    return this.closing;
  }

  write(source: BlobSource, options: WriteOptions = {}): Promise<BlobInfo> {
    return this.track(() => this.writeFrom(source, options));
  }

  concat(ids: readonly string[], options: WriteOptions = {}): Promise<BlobInfo> {
    return this.track(async () => {
      for (const id of ids) this.get(id);
      return this.writeFrom(this.partsOf(ids), options);
    });
  }

  async read(id: string, range?: ByteRange): Promise<BlobRead> {
    this.assertOpen();
    const blob = this.get(id);
    if (range !== undefined) checkRange(range, blob.byteLength);
    const start = range?.start ?? 0;
    const end = range === undefined ? blob.byteLength : range.end + 1;
    return { size: blob.byteLength, body: Readable.from(copies(blob, start, end), { objectMode: false }) };
  }

  async size(id: string): Promise<number> {
    this.assertOpen();
    return this.get(id).byteLength;
  }

  delete(id: string): Promise<void> {
    return this.track(async () => {
      this.blobs.delete(id);
    });
  }

  sweep(referenced: ReadonlySet<string>): Promise<number> {
    return this.track(async () => {
      let removed = 0;
      for (const id of [...this.blobs.keys()]) {
        if (!referenced.has(id) && this.blobs.delete(id)) removed++;
      }
      return removed;
    });
  }

  private async writeFrom(source: BlobSource, options: WriteOptions): Promise<BlobInfo> {
    const chunks: Buffer[] = [];
    // Copied as they arrive: the source may reuse its buffer once the next chunk is asked for.
    const { size, md5Hex } = await pump(source, options, (chunk) => void chunks.push(Buffer.from(chunk)));
    const id = newBlobId();
    this.blobs.set(id, Buffer.concat(chunks, size));
    return { id, size, md5Hex };
  }

  private async *partsOf(ids: readonly string[]): AsyncGenerator<Uint8Array> {
    for (const id of ids) {
      const blob = this.get(id);
      yield* copies(blob, 0, blob.byteLength);
    }
  }

  private get(id: string): Buffer {
    const blob = this.blobs.get(id);
    if (blob === undefined) throw blobNotFound(id);
    return blob;
  }

  private assertOpen(): void {
    if (this.state === 'closed') throw closedError();
    if (this.state === 'new') throw new BlobError('Closed', 'the blob store is not open; call open() first');
  }

  private track<T>(operation: () => Promise<T>): Promise<T> {
    try {
      this.assertOpen();
    } catch (err) {
      return Promise.reject(err);
    }
    const running = operation();
    this.running.add(running);
    const done = (): void => void this.running.delete(running);
    running.then(done, done);
    return running;
  }
}

/** Copies, so a consumer that writes into a chunk cannot change the stored blob. */
function* copies(blob: Buffer, start: number, end: number): Generator<Buffer> {
  for (let at = start; at < end; at += READ_CHUNK_BYTES) {
    yield Buffer.from(blob.subarray(at, Math.min(end, at + READ_CHUNK_BYTES)));
  }
}

const closedError = (): BlobError => new BlobError('Closed', 'the blob store is closed');
