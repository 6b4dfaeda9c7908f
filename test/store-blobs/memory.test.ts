// Runs the shared BlobStore contract against the in-memory backend.
import { MemoryBlobStore } from '../../src/store/blobs/memory-blob-store.ts';
import { blobStoreContract } from './contract.ts';

blobStoreContract('memory', async () => new MemoryBlobStore());
