/**
 * The IAM state of every account, held in memory for fast reads and written through the Store. A write runs
 * under one lock (so a handler's checks and its writes are not interleaved with another's), goes to the store
 * in a transaction first, and only after the commit changes memory: a failed write leaves both untouched.
 */
import type { Store, StoreTx } from '../store/store.ts';
import { IAM_KINDS, type IamEntities, type IamKind } from '../model/iam.ts';

type Table<K extends IamKind> = Map<string, Map<string, IamEntities[K]>>;

/** A write in progress: store writes now, memory changes queued until commit. */
export interface IamWrite {
  insert<K extends IamKind>(kind: K, account: string, key: string, value: IamEntities[K]): Promise<void>;
  update<K extends IamKind>(kind: K, account: string, key: string, value: IamEntities[K]): Promise<void>;
  delete(kind: IamKind, account: string, key: string): Promise<void>;
}

/** Records written by earlier versions lack fields added since; they get their empty defaults on load. */
function upgrade<K extends IamKind>(kind: K, value: IamEntities[K]): IamEntities[K] {
  if (kind === 'iam.role') return { inlinePolicies: [], attachedPolicyArns: [], ...value };
  return value;
}

export class IamState {
  private readonly tables = new Map<IamKind, Table<IamKind>>();
  /** Access key id → owning account: keys are looked up on every request, across accounts. */
  private readonly keyAccounts = new Map<string, string>();
  private tail: Promise<unknown> = Promise.resolve();
  private readonly listeners: (() => void)[] = [];

  private constructor(private readonly store: Store) {
    for (const kind of IAM_KINDS) this.tables.set(kind, new Map());
  }

  /** Loads every IAM record from the store into memory. */
  static async load(store: Store): Promise<IamState> {
    const state = new IamState(store);
    for (const kind of IAM_KINDS) {
      for (const record of await store.list<IamEntities[typeof kind]>(kind)) {
        state.set(kind, record.account, record.key, upgrade(kind, record.value));
      }
    }
    return state;
  }

  private table<K extends IamKind>(kind: K): Table<K> {
    return this.tables.get(kind) as Table<K>;
  }

  private accountTable<K extends IamKind>(kind: K, account: string): Map<string, IamEntities[K]> {
    const table = this.table(kind);
    let entries = table.get(account);
    if (!entries) {
      entries = new Map();
      table.set(account, entries);
    }
    return entries;
  }

  private set<K extends IamKind>(kind: K, account: string, key: string, value: IamEntities[K]): void {
    this.accountTable(kind, account).set(key, value);
    if (kind === 'iam.access-key') this.keyAccounts.set(key, account);
  }

  private remove(kind: IamKind, account: string, key: string): void {
    this.table(kind).get(account)?.delete(key);
    if (kind === 'iam.access-key') this.keyAccounts.delete(key);
  }

  /** Calls fn after every committed write (for followers of the state, such as the metadata service). */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Every account that holds records of a kind. */
  accounts(kind: IamKind): string[] {
    return [...this.table(kind).keys()];
  }

  /** An access key issued by IAM, wherever its account. */
  findAccessKey(accessKeyId: string): { account: string; key: IamEntities['iam.access-key'] } | undefined {
    const account = this.keyAccounts.get(accessKeyId);
    if (account === undefined) return undefined;
    const key = this.get('iam.access-key', account, accessKeyId);
    return key && { account, key };
  }

  get<K extends IamKind>(kind: K, account: string, key: string): IamEntities[K] | undefined {
    return this.table(kind).get(account)?.get(key);
  }

  /** All records of a kind in an account, ordered by key. */
  list<K extends IamKind>(kind: K, account: string): IamEntities[K][] {
    const entries = this.table(kind).get(account);
    if (!entries) return [];
    return [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }

  /**
   * Runs fn with exclusive write access. fn reads memory for its checks and writes through the IamWrite;
   * memory changes apply only when the store transaction commits.
   */
  write<T>(fn: (w: IamWrite) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      const applied: (() => void)[] = [];
      const result = await this.store.transaction(async (tx: StoreTx) => {
        const w: IamWrite = {
          insert: async (kind, account, key, value) => {
            await tx.insert(kind, account, key, value);
            applied.push(() => this.set(kind, account, key, value));
          },
          update: async (kind, account, key, value) => {
            await tx.update(kind, account, key, value);
            applied.push(() => this.set(kind, account, key, value));
          },
          delete: async (kind, account, key) => {
            await tx.delete(kind, account, key);
            applied.push(() => this.remove(kind, account, key));
          },
        };
        return fn(w);
      });
      for (const apply of applied) apply();
      if (applied.length > 0) for (const listener of this.listeners) listener();
      return result;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
