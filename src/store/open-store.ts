/**
 * Picks the Store backend from configuration, so the rest of rolecall depends only on the Store interface and
 * never imports a backend directly. PostgreSQL will be added here once its backend exists.
 */
import { join } from 'node:path';
import { MemoryStore } from './memory/memory-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export interface CreateStoreOptions {
  readonly backend: 'sqlite' | 'memory';
  /** Directory holding the durable state; the SQLite backend keeps `rolecall.db` there. */
  readonly dataDir: string;
}

/** Returns an unopened store; call open() before use. */
export function createStore(options: CreateStoreOptions): Store {
  switch (options.backend) {
    case 'sqlite':
      return new SqliteStore({ file: join(options.dataDir, 'rolecall.db') });
    case 'memory':
      return new MemoryStore();
    default: {
      // Configuration arrives as untyped strings (flags, env), so the type alone does not rule this out.
      const backend: never = options.backend;
      throw new Error(`unknown store backend ${JSON.stringify(backend)}; expected "sqlite" or "memory"`);
    }
  }
}
