/**
 * The SQLite Store backend: rolecall's default durable storage, one file in the data directory.
 *
 * better-sqlite3 is synchronous and a transaction here spans awaits (the caller's fn is async), so the store owns a
 * single connection and runs transactions one at a time behind an async queue. Plain reads queue too: on a shared
 * connection they would otherwise see another caller's uncommitted writes. WAL with synchronous=NORMAL keeps
 * commits cheap while still surviving a crash of the process (only an OS crash can lose the last commits).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../store.ts';
import type { Store, StoredRecord, StoreTx } from '../store.ts';
import { applyMigrations } from './migrations.ts';

export interface SqliteStoreOptions {
  /** Path of the database file; ':memory:' for a private in-memory database. */
  readonly file: string;
}

type Key = [kind: string, account: string, key: string];

/** Statements are prepared once per connection; preparing on every call would dominate small transactions. */
function prepareStatements(db: Database.Database) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    get: db.prepare<Key, string>('SELECT value FROM records WHERE kind = ? AND account = ? AND key = ?').pluck(),
    list: db.prepare<[string], { account: string; key: string; value: string }>(
      'SELECT account, key, value FROM records WHERE kind = ? ORDER BY account, key',
    ),
    insert: db.prepare<[...Key, string]>('INSERT INTO records (kind, account, key, value) VALUES (?, ?, ?, ?)'),
    update: db.prepare<[string, ...Key]>('UPDATE records SET value = ? WHERE kind = ? AND account = ? AND key = ?'),
    put: db.prepare<[...Key, string]>(
      `INSERT INTO records (kind, account, key, value) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, account, key) DO UPDATE SET value = excluded.value`,
    ),
    delete: db.prepare<Key>('DELETE FROM records WHERE kind = ? AND account = ? AND key = ?'),
  };
}

interface Connection {
  readonly db: Database.Database;
  readonly sql: ReturnType<typeof prepareStatements>;
}

interface TxState {
  active: boolean;
}

/** Same rules as the memory backend: whatever JSON.stringify accepts, with its round-trip semantics. */
function encode(value: unknown): string {
  const json: string | undefined = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`store values must be JSON-serializable, got ${typeof value}`);
  return json;
}

type SqliteError = InstanceType<typeof Database.SqliteError>;

const isSqliteError = (err: unknown, ...codes: string[]): err is SqliteError =>
  err instanceof Database.SqliteError && codes.includes(err.code);

export class SqliteStore implements Store {
  readonly backend = 'sqlite' as const;
  private readonly file: string;
  private conn: Connection | undefined;
  private opening: Promise<void> | undefined;
  private closed: Promise<void> | undefined;
  /** Tail of the queue of reads and transactions; each starts when the previous one has settled. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Lets us refuse store calls made inside a transaction, which would otherwise wait on themselves forever. */
  private readonly txContext = new AsyncLocalStorage<TxState>();

  constructor(options: SqliteStoreOptions) {
    this.file = options.file;
  }

  open(): Promise<void> {
    if (this.closed !== undefined) return Promise.reject(new StoreError('Closed', 'the store is closed'));
    // Concurrent open() calls share one attempt; a failed attempt may be retried.
    this.opening ??= this.connect().catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  close(): Promise<void> {
    // Reads and transactions queued before close() still run; everything called afterwards is refused.
    this.closed ??= (this.opening ?? Promise.resolve())
      .catch(() => undefined)
      .then(() =>
        this.serialize(async () => {
          this.conn?.db.close();
          this.conn = undefined;
        }),
      );
    return this.closed;
  }

  async list<T = unknown>(kind: string): Promise<StoredRecord<T>[]> {
    const { sql } = this.usable('list');
    return this.serialize(async () =>
      sql.list.all(kind).map((r) => ({ kind, account: r.account, key: r.key, value: JSON.parse(r.value) as T })),
    );
  }

  async get<T = unknown>(kind: string, account: string, key: string): Promise<T | undefined> {
    const { sql } = this.usable('get');
    return this.serialize(async () => {
      const json = sql.get.get(kind, account, key);
      return json === undefined ? undefined : (JSON.parse(json) as T);
    });
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const { db, sql } = this.usable('transaction');
    return this.serialize(async () => {
      const state: TxState = { active: true };
      sql.begin.run();
      try {
        const result = await this.txContext.run(state, () => fn(this.makeTx(sql, state)));
        state.active = false;
        sql.commit.run();
        return result;
      } catch (err) {
        state.active = false;
        // SQLite rolls back by itself after some errors (e.g. a full disk); a second ROLLBACK would throw.
        if (db.inTransaction) sql.rollback.run();
        throw err;
      }
    });
  }

  private async connect(): Promise<void> {
    if (this.file !== ':memory:' && this.file !== '') mkdirSync(dirname(this.file), { recursive: true });
    const db = new Database(this.file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      applyMigrations(db);
      this.conn = { db, sql: prepareStatements(db) };
    } catch (err) {
      db.close();
      if (isSqliteError(err, 'SQLITE_NOTADB', 'SQLITE_CORRUPT')) {
        throw new StoreError('Corrupt', `${this.file} is not a usable SQLite database: ${err.message}`);
      }
      throw err;
    }
  }

  private makeTx(sql: Connection['sql'], state: TxState): StoreTx {
    const check = (): void => {
      if (!state.active) throw new Error('this transaction has finished; use its tx only inside the callback');
    };
    return {
      get: async <T>(kind: string, account: string, key: string): Promise<T | undefined> => {
        check();
        const json = sql.get.get(kind, account, key);
        return json === undefined ? undefined : (JSON.parse(json) as T);
      },
      insert: async (kind, account, key, value) => {
        check();
        try {
          sql.insert.run(kind, account, key, encode(value));
        } catch (err) {
          if (!isSqliteError(err, 'SQLITE_CONSTRAINT_PRIMARYKEY')) throw err;
          throw new StoreError('Conflict', `${kind} ${JSON.stringify(key)} already exists in account "${account}"`);
        }
      },
      update: async (kind, account, key, value) => {
        check();
        if (sql.update.run(encode(value), kind, account, key).changes === 0) {
          throw new StoreError('NotFound', `${kind} ${JSON.stringify(key)} does not exist in account "${account}"`);
        }
      },
      put: async (kind, account, key, value) => {
        check();
        sql.put.run(kind, account, key, encode(value));
      },
      delete: async (kind, account, key) => {
        check();
        return sql.delete.run(kind, account, key).changes > 0;
      },
    };
  }

  private usable(method: string): Connection {
    if (this.closed !== undefined) throw new StoreError('Closed', 'the store is closed');
    if (this.conn === undefined) throw new StoreError('Closed', 'the store is not open; call open() first');
    if (this.txContext.getStore()?.active === true) {
      throw new Error(`store.${method}() was called inside a transaction; use the tx argument instead`);
    }
    return this.conn;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
