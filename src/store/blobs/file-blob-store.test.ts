/**
 * What only the file backend can promise, beyond the shared contract (test/store-blobs/contract.ts): the on-disk
 * layout, nothing left in tmp/ or data/ by a failed write, cleanup of a crash's temp files at open(), blobs that
 * outlive the process, and memory that stays flat however large the body.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isBlobTooLarge } from './blob-store.ts';
import { FileBlobStore } from './file-blob-store.ts';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-blobs-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const opened = async (dir = join(tempDir(), 'blobs')): Promise<FileBlobStore> => {
  const store = new FileBlobStore(dir);
  await store.open();
  return store;
};

/** Every regular file under dir, as paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(prefix, entry.name);
      if (entry.isDirectory()) return filesUnder(dir, path);
      return entry.isFile() ? [path] : [];
    })
    .sort();
}

describe('FileBlobStore', () => {
  it('creates its directories, nested, with 256 fan-out folders', async () => {
    const dir = join(tempDir(), 'a', 'b', 'blobs');
    const store = await opened(dir);
    try {
      assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
      const fanouts = readdirSync(join(dir, 'data'));
      assert.equal(fanouts.length, 256);
      assert.ok(fanouts.includes('00') && fanouts.includes('ff'));
    } finally {
      await store.close();
    }
  });

  it('keeps a blob at data/<first two digits>/<id> and nothing in tmp/', async () => {
    const store = await opened();
    try {
      const { id } = await store.write([Buffer.from('hello '), Buffer.from('world')]);
      assert.deepEqual(filesUnder(store.dir), [join('data', id.slice(0, 2), id)]);
      assert.equal(readFileSync(join(store.dir, 'data', id.slice(0, 2), id), 'utf8'), 'hello world');
    } finally {
      await store.close();
    }
  });

  it('open() removes temp files a crash left, and keeps the blobs', async () => {
    const dir = join(tempDir(), 'blobs');
    const first = await opened(dir);
    const { id } = await first.write([Buffer.from('durable')]);
    await first.close();
    writeFileSync(join(dir, 'tmp', `${'a'.repeat(32)}.tmp`), 'half a body');
    writeFileSync(join(dir, 'tmp', 'stray'), '');
    mkdirSync(join(dir, 'tmp', 'odd-dir', 'deeper'), { recursive: true });

    const second = await opened(dir);
    try {
      assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
      assert.equal(await second.size(id), 'durable'.length);
    } finally {
      await second.close();
    }
  });

  it('leaves no file in data/ or tmp/ when a write fails', async () => {
    const store = await opened();
    try {
      const boom = new Error('boom');
      await assert.rejects(
        store.write(
          (async function* () {
            yield Buffer.alloc(200_000, 1);
            throw boom;
          })(),
        ),
        (err) => err === boom,
      );
      await assert.rejects(
        store.write([Buffer.alloc(100_000), Buffer.alloc(100_000)], { maxBytes: 150_000 }),
        isBlobTooLarge,
      );
      const reason = new Error('aborted');
      const controller = new AbortController();
      const aborted = store.write(
        (async function* () {
          yield Buffer.alloc(100_000, 2);
          await sleep(10_000);
        })(),
        { signal: controller.signal },
      );
      await sleep(20);
      assert.equal(readdirSync(join(store.dir, 'tmp')).length, 1, 'the write in progress has its temp file');
      controller.abort(reason);
      await assert.rejects(aborted, (err) => err === reason);
      assert.deepEqual(filesUnder(store.dir), []);
    } finally {
      await store.close();
    }
  });

  it('removes its temp file when the rename into data/ fails', async () => {
    const store = await opened();
    try {
      rmSync(join(store.dir, 'data'), { recursive: true });
      await assert.rejects(store.write([Buffer.from('x')]), { code: 'ENOENT' });
      assert.deepEqual(readdirSync(join(store.dir, 'tmp')), []);
    } finally {
      await store.close();
    }
  });

  it('blobs outlive the store: a new instance on the same directory reads them', async () => {
    const dir = join(tempDir(), 'blobs');
    const first = await opened(dir);
    const body = Buffer.from('across a restart');
    const { id } = await first.write([body]);
    await first.close();
    const second = await opened(dir);
    try {
      const { body: stream } = await second.read(id, { start: 7, end: 15 });
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), 'a restart');
    } finally {
      await second.close();
    }
  });

  it('sweep leaves files that are not blobs of ours alone', async () => {
    const store = await opened();
    try {
      const { id } = await store.write([Buffer.from('orphan')]);
      const foreign = [join('data', 'ab', 'notes.txt'), join('data', 'ab', 'cd'.repeat(16)), join('data', 'README')];
      for (const path of foreign) writeFileSync(join(store.dir, path), 'not ours');
      assert.equal(await store.sweep(new Set()), 1);
      assert.equal(existsSync(join(store.dir, 'data', id.slice(0, 2), id)), false);
      assert.deepEqual(filesUnder(store.dir), foreign.sort());
    } finally {
      await store.close();
    }
  });

  it(
    'destroying a read body early releases its file descriptor',
    { skip: process.platform !== 'linux' && 'counts descriptors in /proc/self/fd (Linux only)' },
    async () => {
      const store = await opened();
      try {
        const { id } = await store.write([Buffer.alloc(1 << 20, 3)]);
        const before = readdirSync('/proc/self/fd').length;
        const { body } = await store.read(id);
        assert.equal(readdirSync('/proc/self/fd').length, before + 1);
        body.destroy();
        await new Promise((resolve) => body.once('close', resolve));
        assert.equal(readdirSync('/proc/self/fd').length, before);
      } finally {
        await store.close();
      }
    },
  );

  it('streams a 256 MiB body with bounded memory, pulling only as fast as it writes', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const store = await opened();
    try {
      const chunk = 256 * 1024;
      const chunks = 1024;
      const expected = createHash('md5');
      const used = (): number => {
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      gc();
      const baseline = used();
      let peak = 0;
      const info = await store.write(
        (async function* () {
          for (let i = 0; i < chunks; i++) {
            // A fresh buffer each time: a store that held on to chunks would show up as retained memory.
            const bytes = Buffer.alloc(chunk, i);
            expected.update(bytes);
            yield bytes;
            // Freed buffers leave the arrayBuffers count a little after a collection, so a sample can include up
            // to one interval's garbage (8 MiB here); retaining the body would show as 256 MiB.
            if (i % 32 === 31) {
              gc();
              peak = Math.max(peak, used() - baseline);
            }
          }
        })(),
      );
      assert.equal(info.size, chunk * chunks);
      assert.equal(info.md5Hex, expected.digest('hex'));
      assert.equal(await store.size(info.id), chunk * chunks);
      assert.ok(peak < 32 * 1024 * 1024, `memory grew by ${(peak / 1024 / 1024).toFixed(1)} MiB`);
      await store.delete(info.id);
    } finally {
      await store.close();
    }
  });
});
