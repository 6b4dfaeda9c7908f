/**
 * Drains a body source into a backend's sink. Both backends go through here, so limits, aborts, hashing and the
 * errors a caller sees are the same whichever one is configured.
 */
import { createHash } from 'node:crypto';
import { BlobError } from './blob-store.ts';
import type { BlobSource, WriteOptions } from './blob-store.ts';

export interface Pumped {
  readonly size: number;
  readonly md5Hex: string;
}

/**
 * Pulls one chunk at a time and waits for sink to take it before pulling the next: that wait is the backpressure
 * (an HTTP request stops being read while the disk is busy) and what keeps memory bounded. When it stops early
 * (error, limit, abort) it tells the source to finish, without waiting: a stalled source may never answer.
 */
export async function pump(
  source: BlobSource,
  options: WriteOptions,
  sink: (chunk: Uint8Array) => Promise<void> | void,
): Promise<Pumped> {
  const { maxBytes = Number.POSITIVE_INFINITY, signal, hashers = [] } = options;
  signal?.throwIfAborted();
  const iterator: AsyncIterator<unknown> | Iterator<unknown> =
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();

  // A pending next() of a stalled source would never settle, so an abort must reject the wait itself. One
  // listener per write, pointed at the current wait, rather than a race per chunk that would pile up reactions.
  let rejectWait: ((reason: unknown) => void) | undefined;
  const onAbort = (): void => rejectWait?.(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const next = (): Promise<IteratorResult<unknown>> =>
    new Promise((resolve, reject) => {
      rejectWait = reject;
      Promise.resolve(iterator.next()).then(resolve, reject);
    });

  const md5 = createHash('md5');
  let size = 0;
  let finished = false;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const step = await next();
      signal?.throwIfAborted();
      if (step.done === true) {
        finished = true;
        break;
      }
      const chunk = step.value;
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`a blob source must yield Uint8Array chunks, got ${typeof chunk}`);
      }
      if (chunk.byteLength === 0) continue;
      size += chunk.byteLength;
      if (size > maxBytes) throw new BlobError('TooLarge', `the body is larger than the limit of ${maxBytes} bytes`);
      md5.update(chunk);
      for (const hasher of hashers) hasher.update(chunk);
      await sink(chunk);
    }
  } finally {
    rejectWait = undefined;
    signal?.removeEventListener('abort', onAbort);
    if (!finished) finish(iterator);
  }
  return { size, md5Hex: md5.digest('hex') };
}

/** Lets a generator run its finally blocks and a Readable destroy itself; its answer is of no use to us. */
function finish(iterator: AsyncIterator<unknown> | Iterator<unknown>): void {
  try {
    Promise.resolve(iterator.return?.()).catch(ignore);
  } catch {
    // A source that throws while finishing has already failed the write; there is nothing left to tell it.
  }
}

const ignore = (): void => undefined;
