/**
 * The in-memory Store backend: for tests and throwaway servers that need no durability. It keeps the Store's
 * contract exactly as the durable backends do (serialized transactions, full rollback, JSON copies), so code that
 * passes against memory does not start failing on SQLite or PostgreSQL.
 *
 * Values are kept as JSON text rather than as objects: that gives deep copies for free (a caller holding a
 * reference cannot change stored state) and the same JSON round-trip semantics as the SQL backends.
 * A transaction writes to an overlay that is merged into the tables in one synchronous step on commit, so
 * rollback is simply dropping the overlay and plain reads never see uncommitted writes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { StoreError } from '../store.ts';
import type { Store, StoredRecord, StoreTx } from '../store.ts';

interface Entry {
  readonly account: string;
  readonly key: string;
  readonly json: string;
}

/** Records of one kind by slot(account, key). In an overlay, null marks a record deleted by the transaction. */
type Table<E> = Map<string, E>;

/** JSON of an array cannot collide the way a joined string could if an account or key held the separator. */
const slot = (account: string, key: string): string => JSON.stringify([account, key]);

/** Same rules as the SQLite backend: whatever JSON.stringify accepts, with its round-trip semantics. */
function encode(value: unknown): string {
  const json: string | undefined = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`store values must be JSON-serializable, got ${typeof value}`);
  return json;
}

/**
 * Orders strings by Unicode code point, which is what SQLite's BINARY collation does on UTF-8 text. Plain `<`
 * compares UTF-16 code units and would put U+1F600 before U+FF21, so list() order would differ between backends.
 */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    // A surrogate starts a code point above U+FFFF, so it sorts after every other BMP unit.
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function tableOf<E>(tables: Map<string, Table<E>>, kind: string): Table<E> {
  let table = tables.get(kind);
  if (table === undefined) {
    table = new Map();
    tables.set(kind, table);
  }
  return table;
}

interface TxState {
  active: boolean;
}

export class MemoryStore implements Store {
  readonly backend = 'memory' as const;
  private readonly tables = new Map<string, Table<Entry>>();
  private state: 'new' | 'open' | 'closing' = 'new';
  private closed: Promise<void> | undefined;
  /** Tail of the transaction queue; each transaction starts when the previous one has settled. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Lets us refuse store calls made inside a transaction, which would otherwise wait on themselves forever. */
  private readonly txContext = new AsyncLocalStorage<TxState>();

  async open(): Promise<void> {
    if (this.state === 'closing') throw new StoreError('Closed', 'the store is closed');
    this.state = 'open';
  }

  close(): Promise<void> {
    if (this.closed === undefined) {
      this.state = 'closing';
      // Transactions queued before close() still run; everything called afterwards is refused.
      this.closed = this.serialize(async () => {
        this.tables.clear();
      });
    }
    return this.closed;
  }

  async list<T = unknown>(kind: string): Promise<StoredRecord<T>[]> {
    this.assertUsable('list');
    const entries = [...(this.tables.get(kind)?.values() ?? [])];
    entries.sort((a, b) => compareCodePoints(a.account, b.account) || compareCodePoints(a.key, b.key));
    return entries.map((e) => ({ kind, account: e.account, key: e.key, value: JSON.parse(e.json) as T }));
  }

  async get<T = unknown>(kind: string, account: string, key: string): Promise<T | undefined> {
    this.assertUsable('get');
    const entry = this.tables.get(kind)?.get(slot(account, key));
    return entry === undefined ? undefined : (JSON.parse(entry.json) as T);
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.assertUsable('transaction');
    return this.serialize(async () => {
      const overlay = new Map<string, Table<Entry | null>>();
      const state: TxState = { active: true };
      try {
        const result = await this.txContext.run(state, () => fn(this.makeTx(overlay, state)));
        for (const [kind, writes] of overlay) {
          const table = tableOf(this.tables, kind);
          for (const [s, entry] of writes) {
            if (entry === null) table.delete(s);
            else table.set(s, entry);
          }
        }
        return result;
      } finally {
        state.active = false;
      }
    });
  }

  private makeTx(overlay: Map<string, Table<Entry | null>>, state: TxState): StoreTx {
    const read = (kind: string, account: string, key: string): Entry | undefined => {
      const s = slot(account, key);
      const pending = overlay.get(kind)?.get(s);
      if (pending !== undefined) return pending ?? undefined;
      return this.tables.get(kind)?.get(s);
    };
    const write = (kind: string, account: string, key: string, entry: Entry | null): void => {
      tableOf(overlay, kind).set(slot(account, key), entry);
    };
    const check = (): void => {
      if (!state.active) throw new Error('this transaction has finished; use its tx only inside the callback');
    };
    return {
      get: async <T>(kind: string, account: string, key: string): Promise<T | undefined> => {
        check();
        const entry = read(kind, account, key);
        return entry === undefined ? undefined : (JSON.parse(entry.json) as T);
      },
      insert: async (kind, account, key, value) => {
        check();
        const json = encode(value);
        if (read(kind, account, key) !== undefined) {
          throw new StoreError('Conflict', `${kind} ${JSON.stringify(key)} already exists in account "${account}"`);
        }
        write(kind, account, key, { account, key, json });
      },
      update: async (kind, account, key, value) => {
        check();
        const json = encode(value);
        if (read(kind, account, key) === undefined) {
          throw new StoreError('NotFound', `${kind} ${JSON.stringify(key)} does not exist in account "${account}"`);
        }
        write(kind, account, key, { account, key, json });
      },
      put: async (kind, account, key, value) => {
        check();
        write(kind, account, key, { account, key, json: encode(value) });
      },
      delete: async (kind, account, key) => {
        check();
        const existed = read(kind, account, key) !== undefined;
        if (existed) write(kind, account, key, null);
        return existed;
      },
    };
  }

  private assertUsable(method: string): void {
    if (this.state === 'closing') throw new StoreError('Closed', 'the store is closed');
    if (this.state === 'new') throw new StoreError('Closed', 'the store is not open; call open() first');
    if (this.txContext.getStore()?.active === true) {
      throw new Error(`store.${method}() was called inside a transaction; use the tx argument instead`);
    }
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
