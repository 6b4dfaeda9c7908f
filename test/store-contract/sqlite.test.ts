/**
 * Runs the shared Store contract against the SQLite backend, each store on a file in its own temp directory (so
 * WAL and the on-disk paths are exercised, not just ':memory:'), plus what only a durable backend can promise:
 * data survives a reopen, and the schema is versioned.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createStore } from '../../src/store/open-store.ts';
import { migrations } from '../../src/store/sqlite/migrations.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { StoreError } from '../../src/store/store.ts';
import { storeContract } from './contract.ts';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-store-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

storeContract('sqlite', async () => new SqliteStore({ file: join(tempDir(), 'rolecall.db') }));
storeContract('sqlite :memory:', async () => new SqliteStore({ file: ':memory:' }));

describe('SqliteStore', () => {
  const KIND = 'test.widget';
  const ACCOUNT = '111111111111';

  /** Reads the file with a separate connection, the way an operator (or a newer rolecall) would see it. */
  const inspect = <T>(file: string, fn: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };

  it('keeps data across close and reopen of the same file', async () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const first = createStore({ backend: 'sqlite', dataDir });
    await first.open();
    await first.transaction(async (tx) => {
      await tx.insert(KIND, ACCOUNT, 'a', { v: 1 });
      await tx.insert(KIND, ACCOUNT, 'b', { v: 2 });
    });
    await first.transaction((tx) => tx.delete(KIND, ACCOUNT, 'b'));
    await first.close();

    const second = createStore({ backend: 'sqlite', dataDir });
    await second.open();
    try {
      assert.deepEqual(await second.list(KIND), [{ kind: KIND, account: ACCOUNT, key: 'a', value: { v: 1 } }]);
    } finally {
      await second.close();
    }
  });

  it('runs the database in WAL mode', async () => {
    const file = join(tempDir(), 'rolecall.db');
    const store = new SqliteStore({ file });
    await store.open();
    try {
      assert.equal(
        inspect(file, (db) => db.pragma('journal_mode', { simple: true })),
        'wal',
      );
    } finally {
      await store.close();
    }
  });

  it('refuses a database written by a newer schema version', async () => {
    const file = join(tempDir(), 'rolecall.db');
    const store = new SqliteStore({ file });
    await store.open();
    await store.close();
    const known = migrations.length;
    inspect(file, (db) =>
      db.prepare("INSERT INTO schema_migrations VALUES (?, '2099-01-01T00:00:00Z')").run(known + 1),
    );

    const newer = new SqliteStore({ file });
    const expected = new StoreError(
      'Corrupt',
      `the data directory was written by a newer rolecall (schema version ${known + 1}; this build knows up to ${known})`,
    );
    await assert.rejects(newer.open(), expected);
    // Still refused on retry, and the refused store can be closed.
    await assert.rejects(newer.open(), expected);
    await newer.close();
  });

  it('applies each migration once and does not re-apply on reopen', async () => {
    const file = join(tempDir(), 'rolecall.db');
    const readApplied = (): unknown[] =>
      inspect(file, (db) => db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all());

    const store = new SqliteStore({ file });
    await store.open();
    await store.close();
    const applied = readApplied();
    assert.deepEqual(
      applied.map((row) => (row as { version: number }).version),
      migrations.map((m) => m.version),
    );

    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = new SqliteStore({ file });
    await again.open();
    await again.close();
    assert.deepEqual(readApplied(), applied);
  });

  it('reports a file that is not a database as corrupt', async () => {
    const file = join(tempDir(), 'rolecall.db');
    writeFileSync(file, 'this is not a sqlite database, just some text that is long enough to fill a header.');
    await assert.rejects(new SqliteStore({ file }).open(), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.equal(err.code, 'Corrupt');
      return true;
    });
  });
});
