// Runs the shared Store contract against the in-memory backend.
import { MemoryStore } from '../../src/store/memory/memory-store.ts';
import { storeContract } from './contract.ts';

storeContract('memory', async () => new MemoryStore());
