/**
 * The durable BlobStore: one file per blob under a directory that belongs to it alone (one process at a time).
 *
 *   <dir>/tmp/<id>.tmp    a write in progress; anything here at open() is a crash's leftover and is removed
 *   <dir>/data/<aa>/<id>  a finished blob; <aa> is the id's first two hex digits, so no directory grows past
 *                         1/256 of the blobs
 *
 * A write streams into its temp file, fsyncs it, renames it into data/ and fsyncs that directory, so a blob either
 * exists complete and durable under its id or not at all. The order and what a crash leaves are in README.md.
 */
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BlobError, blobNotFound, checkRange, isBlobId, newBlobId } from './blob-store.ts';
import type { BlobInfo, BlobRead, BlobSource, BlobStore, ByteRange, WriteOptions } from './blob-store.ts';
import { pump } from './pump.ts';

/** Small chunks are gathered up to this size before a write call, so a trickle of tiny chunks is not a syscall each. */
const STAGE_BYTES = 64 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;
const FANOUT = /^[0-9a-f]{2}$/;

export class FileBlobStore implements BlobStore {
  readonly dir: string;
  private readonly tmpDir: string;
  private readonly dataDir: string;
  private state: 'new' | 'open' | 'closed' = 'new';
  private opening: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** Writes, concats, deletes and sweeps under way, which close() waits for. Reads own their streams. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.tmpDir = join(this.dir, 'tmp');
    this.dataDir = join(this.dir, 'data');
  }

  open(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(closedError());
    // Concurrent open() calls share one attempt; a failed attempt may be retried.
    this.opening ??= this.prepare().then(
      () => {
        if (this.state === 'new') this.state = 'open';
      },
      (err: unknown) => {
        this.opening = undefined;
        throw err;
      },
    );
    return this.opening;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closed';
      await this.opening?.catch(ignore);
      await Promise.allSettled([...this.running]);
    })();
    return this.closing;
  }

  write(source: BlobSource, options: WriteOptions = {}): Promise<BlobInfo> {
    return this.track(() => this.writeFrom(source, options));
  }

  concat(ids: readonly string[], options: WriteOptions = {}): Promise<BlobInfo> {
    return this.track(async () => {
      // Fail before writing anything when a part is already missing; one deleted later is still caught while
      // streaming, by the same NotFound.
      for (const id of ids) await this.statBlob(id);
      return this.writeFrom(this.partsOf(ids), options);
    });
  }

  async read(id: string, range?: ByteRange): Promise<BlobRead> {
    this.assertOpen();
    const file = await this.openBlob(id);
    try {
      const { size } = await file.stat();
      if (range !== undefined) checkRange(range, size);
      // The stream owns the handle from here (autoClose), and an open handle keeps reading after an unlink.
      const body = file.createReadStream({
        highWaterMark: READ_CHUNK_BYTES,
        ...(range === undefined ? {} : { start: range.start, end: range.end }),
      });
      return { size, body };
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  async size(id: string): Promise<number> {
    this.assertOpen();
    return (await this.statBlob(id)).size;
  }

  delete(id: string): Promise<void> {
    return this.track(async () => {
      // No directory fsync: a delete lost in a crash leaves an orphan, which the next sweep removes.
      if (isBlobId(id)) await removeIfPresent(this.pathOf(id));
    });
  }

  sweep(referenced: ReadonlySet<string>): Promise<number> {
    return this.track(async () => {
      let removed = 0;
      for (const fanout of await readdir(this.dataDir)) {
        if (!FANOUT.test(fanout)) continue;
        for (const name of await readdir(join(this.dataDir, fanout))) {
          // Files that are not ours by name are left alone: sweeping is for our own orphans only.
          if (!isBlobId(name) || !name.startsWith(fanout) || referenced.has(name)) continue;
          if (await removeIfPresent(join(this.dataDir, fanout, name))) removed++;
        }
      }
      return removed;
    });
  }

  private async prepare(): Promise<void> {
    await mkdirDurable(this.tmpDir);
    await mkdirDurable(this.dataDir);
    // All 256 fan-out directories up front, so a write never creates one and fsyncs data/ for it.
    let created = false;
    for (let i = 0; i < 256; i++) {
      const name = join(this.dataDir, i.toString(16).padStart(2, '0'));
      created = (await mkdir(name, { recursive: true })) !== undefined || created;
    }
    if (created) await fsyncDir(this.dataDir);
    // Nobody else writes here, so every temp file is an interrupted write of an earlier process.
    for (const name of await readdir(this.tmpDir)) {
      await rm(join(this.tmpDir, name), { recursive: true, force: true });
    }
  }

  private async writeFrom(source: BlobSource, options: WriteOptions): Promise<BlobInfo> {
    options.signal?.throwIfAborted();
    const id = newBlobId();
    const temp = join(this.tmpDir, `${id}.tmp`);
    const final = this.pathOf(id);
    const file = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
    let fileOpen = true;
    let renamed = false;
    try {
      const stage = new Stage(file);
      const { size, md5Hex } = await pump(source, options, (chunk) => stage.add(chunk));
      await stage.flush();
      await file.sync();
      fileOpen = false;
      await file.close();
      options.signal?.throwIfAborted();
      await rename(temp, final);
      renamed = true;
      await fsyncDir(dirname(final));
      return { id, size, md5Hex };
    } catch (err) {
      if (fileOpen) await file.close().catch(ignore);
      // Best effort: should this fail too, the temp file goes at the next open() and a renamed blob at the next
      // sweep, since nothing will reference an id the caller never received.
      await rm(renamed ? final : temp, { force: true }).catch(ignore);
      throw err;
    }
  }

  /** The parts' bytes in order. Each part is opened only when reached, so thousands of parts need one descriptor. */
  private async *partsOf(ids: readonly string[]): AsyncGenerator<Uint8Array> {
    for (const id of ids) {
      const file = await this.openBlob(id);
      // Iterating the stream closes the handle on completion, error, and on return() when the write stops early.
      yield* file.createReadStream({ highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Uint8Array>;
    }
  }

  private pathOf(id: string): string {
    return join(this.dataDir, id.slice(0, 2), id);
  }

  private async openBlob(id: string): Promise<FileHandle> {
    if (!isBlobId(id)) throw blobNotFound(id);
    try {
      return await open(this.pathOf(id), 'r');
    } catch (err) {
      throw isErrno(err, 'ENOENT') ? blobNotFound(id) : err;
    }
  }

  private async statBlob(id: string): Promise<{ size: number }> {
    if (!isBlobId(id)) throw blobNotFound(id);
    try {
      return await stat(this.pathOf(id));
    } catch (err) {
      throw isErrno(err, 'ENOENT') ? blobNotFound(id) : err;
    }
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

/**
 * Gathers chunks smaller than STAGE_BYTES into one buffer and writes large ones straight through. Every chunk is
 * copied or written before add() returns, so the source may reuse its buffer for the next chunk.
 */
class Stage {
  /** Allocated at the first small chunk: a source of large chunks never needs it. */
  private buffer: Buffer | undefined;
  private used = 0;

  constructor(private readonly file: FileHandle) {}

  async add(chunk: Uint8Array): Promise<void> {
    if (chunk.byteLength >= STAGE_BYTES) {
      await this.flush();
      await writeAll(this.file, chunk);
      return;
    }
    if (this.used + chunk.byteLength > STAGE_BYTES) await this.flush();
    this.buffer ??= Buffer.allocUnsafe(STAGE_BYTES);
    this.buffer.set(chunk, this.used);
    this.used += chunk.byteLength;
  }

  async flush(): Promise<void> {
    if (this.buffer === undefined || this.used === 0) return;
    await writeAll(this.file, this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

/** write(2) may take fewer bytes than offered (a full disk reports itself on the next call), so loop. */
async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}

/**
 * Makes a rename or a new entry in path durable. Windows cannot open a directory for fsync; NTFS journals its
 * metadata, so skipping it there is the best Node can do. (macOS's fsync does not flush the drive's cache either,
 * and F_FULLFSYNC is not reachable from Node: man 2 fsync, https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/fsync.2.html)
 */
async function fsyncDir(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** mkdir -p, then fsync the parent of every directory it created, so the new tree survives a power loss. */
async function mkdirDurable(path: string): Promise<void> {
  const first = await mkdir(path, { recursive: true });
  if (first === undefined) return;
  const top = dirname(first);
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    await fsyncDir(dir);
    if (dir === top || dir === dirname(dir)) break;
  }
}

async function removeIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

const isErrno = (err: unknown, code: string): boolean =>
  err instanceof Error && (err as NodeJS.ErrnoException).code === code;

const closedError = (): BlobError => new BlobError('Closed', 'the blob store is closed');

const ignore = (): void => undefined;
