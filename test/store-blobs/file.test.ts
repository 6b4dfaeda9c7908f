// Runs the shared BlobStore contract against the file backend, each store in its own temp directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.ts';
import { blobStoreContract } from './contract.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

blobStoreContract('file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-blobs-'));
  dirs.push(dir);
  return new FileBlobStore(join(dir, 'blobs'));
});
