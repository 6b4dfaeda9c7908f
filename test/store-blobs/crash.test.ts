/**
 * Kills a process in the middle of writing blobs and checks what a restart finds: every blob the process
 * acknowledged reads back complete and byte-exact, every blob on disk is a whole body, open() removes the
 * interrupted writes' temp files, and sweep() with the acknowledged ids removes exactly the blobs that were
 * finished but never acknowledged.
 * SIGKILL tests a crash of the process, not of the machine: the fsyncs that guard against power loss cannot be
 * observed from here.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.ts';
import { crashBody } from './bodies.ts';
import { collect, md5 } from './contract.ts';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const ACKS_BEFORE_KILL = 40;

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Blob ids present under data/, whatever the store thinks. */
const blobsOnDisk = (dir: string): Set<string> =>
  new Set(readdirSync(join(dir, 'data')).flatMap((fanout) => readdirSync(join(dir, 'data', fanout))));

describe('FileBlobStore after a SIGKILL', () => {
  it('keeps every acknowledged blob, and open() plus sweep() clean up the rest', { timeout: 120_000 }, async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rolecall-blobs-crash-')), 'blobs');
    dirs.push(dir);

    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<number, string>();
    let stalled = false;
    let stdout = '';
    let stderr = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    let enough: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (enough = resolve));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      // Only whole lines count: a line cut by the kill acknowledged nothing.
      const lines = stdout.split('\n');
      stdout = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'stalled') stalled = true;
        else {
          const [n, id] = line.split(' ');
          acked.set(Number(n), id as string);
        }
      }
      if (stalled && acked.size >= ACKS_BEFORE_KILL) enough();
    });
    const failed = exited.then((signal) => {
      throw new Error(`the child exited by itself (signal ${signal}): ${stderr}`);
    });
    await Promise.race([ready, failed]);
    // A little later than the threshold, so the kill lands at no fixed point of a write.
    await sleep(Math.floor(Math.random() * 30));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    assert.ok(readdirSync(join(dir, 'tmp')).length >= 1, 'the stalled write left its temp file');
    const onDisk = blobsOnDisk(dir);

    const store = new FileBlobStore(dir);
    await store.open();
    try {
      assert.deepEqual(readdirSync(join(dir, 'tmp')), [], 'open() removed every temp file');
      for (const [n, id] of acked) {
        const expected = crashBody(n);
        assert.ok(onDisk.has(id), `blob ${n} (${id}) is on disk`);
        assert.equal(await store.size(id), expected.length, `size of blob ${n}`);
        const back = await collect((await store.read(id)).body);
        assert.equal(md5(back), md5(expected), `content of blob ${n}`);
      }

      // The unacknowledged blobs are whole too: a rename only ever publishes a complete body. Their sequence
      // numbers lie just past the last acknowledged one (four writers), well within this margin.
      const last = Math.max(...acked.keys());
      const complete = new Set(Array.from({ length: last + 50 }, (_, n) => md5(crashBody(n))));
      for (const id of onDisk) {
        assert.ok(complete.has(md5(await collect((await store.read(id)).body))), `blob ${id} is a whole body`);
      }

      const referenced = new Set(acked.values());
      const removed = await store.sweep(referenced);
      assert.equal(removed, onDisk.size - referenced.size, 'sweep removed exactly the unacknowledged blobs');
      assert.deepEqual([...blobsOnDisk(dir)].sort(), [...referenced].sort());
    } finally {
      await store.close();
    }
  });
});
