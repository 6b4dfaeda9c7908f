/**
 * The Store: where rolecall's durable state lives. The domain model is served from memory; every mutation is
 * written here first, inside a transaction, so the store's unique constraints decide races (a second CreateRole
 * with the same name fails here, not in memory). The interface is async so a PostgreSQL backend fits unchanged.
 *
 * Records are JSON documents addressed by (kind, account, key). `kind` names an entity type ("iam.role"),
 * `account` is the 12-digit owning account ("" for global records), `key` is the entity's identity within the
 * account (for IAM names, the lower-cased name, because IAM names are unique case-insensitively).
 */

/** A stored JSON document. */
export interface StoredRecord<T = unknown> {
  readonly kind: string;
  readonly account: string;
  readonly key: string;
  readonly value: T;
}

/** Operations available inside a transaction. All are atomic with the transaction that holds them. */
export interface StoreTx {
  get<T = unknown>(kind: string, account: string, key: string): Promise<T | undefined>;
  /** Adds a record; rejects with StoreConflictError when (kind, account, key) exists. */
  insert(kind: string, account: string, key: string, value: unknown): Promise<void>;
  /** Replaces an existing record; rejects with StoreNotFoundError when it does not exist. */
  update(kind: string, account: string, key: string, value: unknown): Promise<void>;
  /** Inserts or replaces. */
  put(kind: string, account: string, key: string, value: unknown): Promise<void>;
  /** Removes a record; resolves false when there was none. */
  delete(kind: string, account: string, key: string): Promise<boolean>;
}

export type StoreBackend = 'sqlite' | 'memory' | 'postgres';

export interface Store {
  readonly backend: StoreBackend;
  /** Opens the store and applies pending migrations. Idempotent. */
  open(): Promise<void>;
  /** Waits for running transactions, then releases the store. Further calls reject with StoreClosedError. */
  close(): Promise<void>;
  /** Every record of one kind, in every account, ordered by (account, key). Used to load memory at startup. */
  list<T = unknown>(kind: string): Promise<StoredRecord<T>[]>;
  get<T = unknown>(kind: string, account: string, key: string): Promise<T | undefined>;
  /**
   * Runs fn in a transaction: committed when fn resolves, rolled back (no change visible at all) when it
   * rejects, and the rejection is passed on. Transactions never interleave their writes.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
}

/** Store failures carry stable codes; use the guards below rather than instanceof across module copies. */
export class StoreError extends Error {
  constructor(
    readonly code: 'Conflict' | 'NotFound' | 'Closed' | 'Corrupt',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export const isStoreConflict = (err: unknown): boolean => err instanceof StoreError && err.code === 'Conflict';
export const isStoreNotFound = (err: unknown): boolean => err instanceof StoreError && err.code === 'NotFound';
export const isStoreClosed = (err: unknown): boolean => err instanceof StoreError && err.code === 'Closed';
