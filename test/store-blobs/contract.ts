/**
 * The behaviour every BlobStore backend must share, written once against the interface. The S3 service is tested
 * on the memory backend and shipped on files, which is only sound if the two cannot be told apart through the
 * interface; each backend's test file runs this suite, and nothing here may know which one it is.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  isBlobClosed,
  isBlobId,
  isBlobInvalidRange,
  isBlobNotFound,
  isBlobTooLarge,
} from '../../src/store/blobs/blob-store.ts';
import type { BlobStore } from '../../src/store/blobs/blob-store.ts';
import { chunked, pattern } from './bodies.ts';

export async function collect(body: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');

/**
 * Registers the contract suite. `make` returns a new, unopened store with no blobs, independent of every other
 * store it has returned; the suite opens it and closes it after each test.
 */
export function blobStoreContract(name: string, make: () => Promise<BlobStore>): void {
  describe(`BlobStore contract: ${name}`, () => {
    const made: BlobStore[] = [];

    afterEach(async () => {
      await Promise.all(made.splice(0).map((s) => s.close()));
    });

    const fresh = async (): Promise<BlobStore> => {
      const store = await make();
      made.push(store);
      await store.open();
      return store;
    };

    const readAll = async (store: BlobStore, id: string, range?: { start: number; end: number }): Promise<Buffer> =>
      collect((await store.read(id, range)).body);

    /** No blob exists besides `kept`: sweeping everything else removes nothing. */
    const assertOnly = async (store: BlobStore, kept: readonly string[]): Promise<void> => {
      assert.equal(await store.sweep(new Set(kept)), 0);
    };

    it('open is idempotent, including concurrent calls', async () => {
      const store = await fresh();
      const { id } = await store.write([Buffer.from('kept')]);
      await store.open();
      await Promise.all([store.open(), store.open()]);
      assert.equal((await readAll(store, id)).toString(), 'kept');
    });

    it('rejects calls before open and after close with a closed error', async () => {
      const store = await make();
      made.push(store);
      await assert.rejects(store.write([Buffer.from('x')]), isBlobClosed);
      await assert.rejects(store.read('0'.repeat(32)), isBlobClosed);

      await store.open();
      const { id } = await store.write([Buffer.from('x')]);
      await store.close();
      await store.close();
      await assert.rejects(store.open(), isBlobClosed);
      await assert.rejects(store.write([Buffer.from('x')]), isBlobClosed);
      await assert.rejects(store.read(id), isBlobClosed);
      await assert.rejects(store.size(id), isBlobClosed);
      await assert.rejects(store.concat([id]), isBlobClosed);
      await assert.rejects(store.delete(id), isBlobClosed);
      await assert.rejects(store.sweep(new Set()), isBlobClosed);
    });

    it('close waits for a running write, which completes', async () => {
      const store = await fresh();
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const writing = store.write(
        (async function* () {
          yield Buffer.from('before ');
          await gate;
          yield Buffer.from('after');
        })(),
      );
      let closed = false;
      const closing = store.close().then(() => (closed = true));
      await sleep(20);
      assert.equal(closed, false);
      release();
      const info = await writing;
      await closing;
      assert.equal(info.size, 'before after'.length);
    });

    it('writes a body and reads it back with its size and MD5', async () => {
      const store = await fresh();
      const body = pattern(300_000, 1);
      const info = await store.write(chunked(body, 10_000));
      assert.ok(isBlobId(info.id), info.id);
      assert.equal(info.size, body.length);
      assert.equal(info.md5Hex, md5(body));
      assert.equal(await store.size(info.id), body.length);
      const read = await store.read(info.id);
      assert.equal(read.size, body.length);
      assert.ok((await collect(read.body)).equals(body));
    });

    it('keeps bytes in order across chunks of mixed sizes', async () => {
      const store = await fresh();
      const sizes = [1, 65_535, 65_536, 3, 70_000, 100, 131_077, 65_535, 2, 65_534, 1, 1, 200_000, 7];
      const total = sizes.reduce((a, b) => a + b, 0);
      const body = pattern(total, 23);
      const info = await store.write(
        (async function* () {
          let at = 0;
          for (const size of sizes) {
            yield body.subarray(at, at + size);
            at += size;
          }
        })(),
      );
      assert.equal(info.md5Hex, md5(body));
      assert.ok((await readAll(store, info.id)).equals(body));
    });

    it('stores an empty body', async () => {
      const store = await fresh();
      const info = await store.write([]);
      assert.deepEqual(
        { size: info.size, md5Hex: info.md5Hex },
        { size: 0, md5Hex: 'd41d8cd98f00b204e9800998ecf8427e' },
      );
      assert.equal(await store.size(info.id), 0);
      assert.equal((await readAll(store, info.id)).length, 0);
    });

    it('gives each write its own random id, even for equal bodies', async () => {
      const store = await fresh();
      const ids = new Set<string>();
      for (let i = 0; i < 20; i++) ids.add((await store.write([Buffer.from('same')])).id);
      assert.equal(ids.size, 20);
      for (const id of ids) assert.ok(isBlobId(id));
    });

    it('accepts sync iterables, Readables, zero-length chunks and a source that reuses its buffer', async () => {
      const store = await fresh();
      const a = await store.write([Buffer.from('ab'), new Uint8Array(0), new Uint8Array([99])]);
      assert.equal((await readAll(store, a.id)).toString(), 'abc');

      const body = pattern(200_000, 2);
      const b = await store.write(Readable.from(chunked(body, 7_000)));
      assert.ok((await readAll(store, b.id)).equals(body));

      // One buffer refilled for every chunk: correct only if the store copies or writes a chunk before the next.
      const reused = Buffer.alloc(1000);
      const c = await store.write(
        (async function* () {
          for (let i = 0; i < 100; i++) {
            reused.fill(i);
            yield reused;
          }
        })(),
      );
      const back = await readAll(store, c.id);
      assert.equal(back.length, 100_000);
      for (let i = 0; i < 100; i++) assert.equal(back[i * 1000 + 999], i);
    });

    it('feeds every byte to the requested hashers', async () => {
      const store = await fresh();
      const body = pattern(150_000, 3);
      const sha256 = createHash('sha256');
      const sha1 = createHash('sha1');
      await store.write(chunked(body, 4_096), { hashers: [sha256, sha1] });
      assert.equal(sha256.digest('hex'), createHash('sha256').update(body).digest('hex'));
      assert.equal(sha1.digest('hex'), createHash('sha1').update(body).digest('hex'));
    });

    it('passes the source error on unchanged and keeps nothing', async () => {
      const store = await fresh();
      const kept = await store.write([Buffer.from('kept')]);
      const boom = new Error('client went away');
      let finished = false;
      await assert.rejects(
        store.write(
          (async function* () {
            try {
              yield pattern(100_000, 4);
              yield pattern(100_000, 5);
              throw boom;
            } finally {
              finished = true;
            }
          })(),
        ),
        (err) => err === boom,
      );
      assert.equal(finished, true);
      await assertOnly(store, [kept.id]);
    });

    it('refuses a chunk that is not a Uint8Array and keeps nothing', async () => {
      const store = await fresh();
      await assert.rejects(
        store.write(
          (async function* () {
            yield Buffer.from('ok');
            yield 'text' as unknown as Uint8Array;
          })(),
        ),
        TypeError,
      );
      await assertOnly(store, []);
    });

    it('accepts exactly maxBytes, refuses one byte more, and finishes the source', async () => {
      const store = await fresh();
      const exact = await store.write(chunked(pattern(1000, 6), 300), { maxBytes: 1000 });
      assert.equal(exact.size, 1000);

      let finished = false;
      let pulled = 0;
      await assert.rejects(
        store.write(
          (async function* () {
            try {
              for (;;) {
                pulled++;
                yield pattern(300, pulled);
              }
            } finally {
              finished = true;
            }
          })(),
          { maxBytes: 1000 },
        ),
        isBlobTooLarge,
      );
      assert.equal(pulled, 4, 'stops at the chunk that crosses the limit');
      await sleep(0);
      assert.equal(finished, true);
      await assertOnly(store, [exact.id]);
    });

    it('rejects with the abort reason before starting and while the source is stalled', async () => {
      const store = await fresh();
      const reason = new Error('caller gave up');
      let touched = false;
      await assert.rejects(
        store.write(
          (function* () {
            touched = true;
            yield Buffer.from('x');
          })(),
          { signal: AbortSignal.abort(reason) },
        ),
        (err) => err === reason,
      );
      assert.equal(touched, false);

      const controller = new AbortController();
      const stalled = store.write(
        (async function* () {
          yield pattern(100_000, 7);
          await new Promise(() => undefined);
        })(),
        { signal: controller.signal },
      );
      await sleep(20);
      controller.abort(reason);
      await assert.rejects(stalled, (err) => err === reason);
      await assertOnly(store, []);
    });

    it('an abort rejects at once while a Readable source is stalled, and leaves the source to its owner', async () => {
      const store = await fresh();
      const source = new Readable({ read() {} });
      source.push(pattern(1000, 19));
      const controller = new AbortController();
      const writing = store.write(source, { signal: controller.signal });
      await sleep(20);
      controller.abort();
      await assert.rejects(writing, { name: 'AbortError' });
      await assertOnly(store, []);
      // Its owner (the HTTP layer) ends it; the read the store left pending must not surface as an error.
      source.destroy();
      await sleep(10);
    });

    it('a Readable source is destroyed when the write stops early, unless passed through iterator()', async () => {
      const store = await fresh();
      const destroyed = new Readable({ read() {} });
      destroyed.push(pattern(2000, 21));
      await assert.rejects(store.write(destroyed, { maxBytes: 1000 }), isBlobTooLarge);
      await sleep(0);
      assert.equal(destroyed.destroyed, true);

      const kept = new Readable({ read() {} });
      kept.push(pattern(2000, 22));
      await assert.rejects(store.write(kept.iterator({ destroyOnReturn: false }), { maxBytes: 1000 }), isBlobTooLarge);
      await sleep(0);
      assert.equal(kept.destroyed, false);
      kept.destroy();
    });

    it('a reader cannot change the blob by writing into the chunks it gets', async () => {
      const store = await fresh();
      const body = pattern(100_000, 20);
      const { id } = await store.write([body]);
      for await (const chunk of (await store.read(id)).body) (chunk as Buffer).fill(0);
      assert.ok((await readAll(store, id)).equals(body));
    });

    it('reads byte ranges: first, single middle, last, and the whole blob', async () => {
      const store = await fresh();
      const body = pattern(200_000, 8);
      const { id } = await store.write(chunked(body, 65_536));
      const cases: [number, number][] = [
        [0, 0],
        [1234, 1234],
        [199_999, 199_999],
        [0, 199_999],
        [65_530, 131_080],
        [150_000, 199_999],
      ];
      for (const [start, end] of cases) {
        const read = await store.read(id, { start, end });
        assert.equal(read.size, body.length);
        assert.ok((await collect(read.body)).equals(body.subarray(start, end + 1)), `${start}-${end}`);
      }
    });

    it('refuses ranges outside the blob, and ranges of an empty blob', async () => {
      const store = await fresh();
      const { id } = await store.write([pattern(100, 9)]);
      for (const range of [
        { start: 0, end: 100 },
        { start: 100, end: 100 },
        { start: 5, end: 4 },
        { start: -1, end: 4 },
        { start: 0.5, end: 4 },
        { start: 0, end: Number.NaN },
      ]) {
        await assert.rejects(store.read(id, range), isBlobInvalidRange, JSON.stringify(range));
      }
      const empty = await store.write([]);
      await assert.rejects(store.read(empty.id, { start: 0, end: 0 }), isBlobInvalidRange);
    });

    it('reports a missing or malformed id as not found', async () => {
      const store = await fresh();
      for (const id of ['0'.repeat(32), '../../etc/passwd', '', 'A'.repeat(32)]) {
        await assert.rejects(store.read(id), isBlobNotFound, id);
        await assert.rejects(store.read(id, { start: 0, end: 0 }), isBlobNotFound, id);
        await assert.rejects(store.size(id), isBlobNotFound, id);
      }
    });

    it('concatenates parts in order into a new blob and leaves the parts', async () => {
      const store = await fresh();
      const parts = [pattern(100_000, 10), pattern(1, 11), pattern(0, 12), pattern(70_000, 13)];
      const ids: string[] = [];
      for (const part of parts) ids.push((await store.write([part])).id);
      const whole = Buffer.concat([...parts, parts[0] as Buffer]);
      const sha256 = createHash('sha256');
      const info = await store.concat([...ids, ids[0] as string], { hashers: [sha256] });
      assert.ok(!ids.includes(info.id));
      assert.deepEqual({ size: info.size, md5Hex: info.md5Hex }, { size: whole.length, md5Hex: md5(whole) });
      assert.equal(sha256.digest('hex'), createHash('sha256').update(whole).digest('hex'));
      assert.ok((await readAll(store, info.id)).equals(whole));
      for (const [i, id] of ids.entries()) assert.ok((await readAll(store, id)).equals(parts[i] as Buffer));

      const none = await store.concat([]);
      assert.equal(none.size, 0);
    });

    it('concat with a missing part is not found and keeps nothing new', async () => {
      const store = await fresh();
      const a = await store.write([pattern(1000, 14)]);
      const b = await store.write([pattern(1000, 15)]);
      await store.delete(b.id);
      await assert.rejects(store.concat([a.id, b.id]), isBlobNotFound);
      await assert.rejects(store.concat([a.id, 'not-an-id']), isBlobNotFound);
      await assertOnly(store, [a.id]);
    });

    it('delete removes a blob, and is idempotent', async () => {
      const store = await fresh();
      const a = await store.write([Buffer.from('a')]);
      const b = await store.write([Buffer.from('b')]);
      await store.delete(a.id);
      await assert.rejects(store.read(a.id), isBlobNotFound);
      await assert.rejects(store.size(a.id), isBlobNotFound);
      await store.delete(a.id);
      await store.delete('0'.repeat(32));
      await store.delete('../nope');
      assert.equal((await readAll(store, b.id)).toString(), 'b');
    });

    it('a reader opened before a delete reads the whole blob', async () => {
      const store = await fresh();
      const body = pattern(1 << 20, 16);
      const { id } = await store.write(chunked(body, 65_536));
      const { body: stream } = await store.read(id);
      const iterator = stream[Symbol.asyncIterator]();
      const first = await iterator.next();
      assert.equal(first.done, false);
      await store.delete(id);
      await assert.rejects(store.read(id), isBlobNotFound);
      const rest: Buffer[] = [Buffer.from(first.value as Uint8Array)];
      for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) {
        rest.push(Buffer.from(step.value as Uint8Array));
      }
      assert.ok(Buffer.concat(rest).equals(body));
    });

    it('a reader opened before a delete can also be abandoned', async () => {
      const store = await fresh();
      const { id } = await store.write([pattern(300_000, 17)]);
      const { body } = await store.read(id);
      await store.delete(id);
      body.destroy();
      await new Promise((resolve) => body.once('close', resolve));
    });

    it('runs concurrent writes, and writes during reads, without mixing bodies', async () => {
      const store = await fresh();
      const existing = pattern(500_000, 18);
      const { id: existingId } = await store.write([existing]);
      const reading = (async () => {
        const { body } = await store.read(existingId);
        const chunks: Buffer[] = [];
        for await (const chunk of body) {
          chunks.push(Buffer.from(chunk as Uint8Array));
          await sleep(0);
        }
        return Buffer.concat(chunks);
      })();

      const bodies = Array.from({ length: 8 }, (_, i) => pattern(50_000 + i * 9_973, 100 + i));
      const infos = await Promise.all(
        bodies.map((body, i) =>
          store.write(
            (async function* () {
              for (let at = 0; at < body.length; at += 3_000 + i * 100) {
                yield body.subarray(at, at + 3_000 + i * 100);
                await sleep(0);
              }
            })(),
          ),
        ),
      );
      assert.ok((await reading).equals(existing));
      for (const [i, info] of infos.entries()) {
        const body = bodies[i] as Buffer;
        assert.equal(info.md5Hex, md5(body));
        assert.ok((await readAll(store, info.id)).equals(body));
      }
    });

    it('sweep removes every blob not referenced and returns the count', async () => {
      const store = await fresh();
      assert.equal(await store.sweep(new Set()), 0);
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push((await store.write([pattern(100 + i, 200 + i)])).id);
      const kept = ids.filter((_, i) => i % 3 === 0);
      assert.equal(await store.sweep(new Set([...kept, '0'.repeat(32), 'not-an-id'])), ids.length - kept.length);
      for (const id of ids) {
        if (kept.includes(id)) assert.equal(await store.size(id), 100 + ids.indexOf(id));
        else await assert.rejects(store.size(id), isBlobNotFound);
      }
      assert.equal(await store.sweep(new Set(kept)), 0);
    });
  });
}
