/**
 * S3's buckets, objects and multipart uploads in memory, written through the Store like IamState: a write runs
 * under one lock, goes to the store in a transaction, and changes memory only after the commit. Keys of each
 * bucket are kept in S3's listing order (UTF-8 binary), sorted again only after they change.
 */
import type { Store, StoreTx } from '../store/store.ts';
import {
  compareKeys,
  S3_KINDS,
  type BucketRecord,
  type ObjectRecord,
  type S3Entities,
  type S3Kind,
  type UploadRecord,
} from '../model/s3.ts';

interface BucketEntry {
  record: BucketRecord;
  readonly objects: Map<string, ObjectRecord>;
  sorted: string[] | undefined;
  readonly uploads: Map<string, UploadRecord>;
}

export interface S3Write {
  put<K extends S3Kind>(kind: K, value: S3Entities[K]): Promise<void>;
  delete<K extends S3Kind>(kind: K, value: S3Entities[K]): Promise<void>;
}

const GLOBAL = '';

function keyOf<K extends S3Kind>(kind: K, value: S3Entities[K]): string {
  if (kind === 's3.bucket') return (value as BucketRecord).name;
  if (kind === 's3.object') return `${(value as ObjectRecord).bucket}/${(value as ObjectRecord).key}`;
  return (value as UploadRecord).uploadId;
}

export class S3State {
  private readonly buckets = new Map<string, BucketEntry>();
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(private readonly store: Store) {}

  static async load(store: Store): Promise<S3State> {
    const state = new S3State(store);
    for (const kind of S3_KINDS) {
      for (const record of await store.list<S3Entities[typeof kind]>(kind)) state.apply(kind, record.value, false);
    }
    return state;
  }

  private apply<K extends S3Kind>(kind: K, value: S3Entities[K], removed: boolean): void {
    if (kind === 's3.bucket') {
      const bucket = value as BucketRecord;
      if (removed) this.buckets.delete(bucket.name);
      else {
        const entry = this.buckets.get(bucket.name);
        if (entry) entry.record = bucket;
        else this.buckets.set(bucket.name, { record: bucket, objects: new Map(), sorted: [], uploads: new Map() });
      }
      return;
    }
    const bucketName = (value as ObjectRecord | UploadRecord).bucket;
    const entry = this.buckets.get(bucketName);
    if (!entry) return;
    if (kind === 's3.object') {
      const object = value as ObjectRecord;
      const existed = entry.objects.has(object.key);
      if (removed) entry.objects.delete(object.key);
      else entry.objects.set(object.key, object);
      if (removed || !existed) entry.sorted = undefined;
    } else {
      const upload = value as UploadRecord;
      if (removed) entry.uploads.delete(upload.uploadId);
      else entry.uploads.set(upload.uploadId, upload);
    }
  }

  bucket(name: string): BucketRecord | undefined {
    return this.buckets.get(name)?.record;
  }

  /** Buckets of one account, by name. */
  bucketsOf(account: string): BucketRecord[] {
    return [...this.buckets.values()]
      .map((e) => e.record)
      .filter((b) => b.owner === account)
      .sort((a, b) => compareKeys(a.name, b.name));
  }

  object(bucket: string, key: string): ObjectRecord | undefined {
    return this.buckets.get(bucket)?.objects.get(key);
  }

  objectCount(bucket: string): number {
    return this.buckets.get(bucket)?.objects.size ?? 0;
  }

  /** The bucket's keys in listing order. */
  keys(bucket: string): readonly string[] {
    const entry = this.buckets.get(bucket);
    if (!entry) return [];
    entry.sorted ??= [...entry.objects.keys()].sort(compareKeys);
    return entry.sorted;
  }

  upload(bucket: string, uploadId: string): UploadRecord | undefined {
    return this.buckets.get(bucket)?.uploads.get(uploadId);
  }

  uploads(bucket: string): UploadRecord[] {
    return [...(this.buckets.get(bucket)?.uploads.values() ?? [])];
  }

  /** Every blob a record names (objects and the parts of open uploads), for sweeping orphans at startup. */
  referencedBlobs(): Set<string> {
    const ids = new Set<string>();
    for (const entry of this.buckets.values()) {
      for (const o of entry.objects.values()) ids.add(o.blobId);
      for (const u of entry.uploads.values()) for (const p of u.parts) ids.add(p.blobId);
    }
    return ids;
  }

  /** Runs fn with exclusive write access; memory changes apply when the store transaction commits. */
  write<T>(fn: (w: S3Write) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      const applied: (() => void)[] = [];
      const result = await this.store.transaction(async (tx: StoreTx) => {
        const w: S3Write = {
          put: async (kind, value) => {
            await tx.put(kind, GLOBAL, keyOf(kind, value), value);
            applied.push(() => this.apply(kind, value, false));
          },
          delete: async (kind, value) => {
            await tx.delete(kind, GLOBAL, keyOf(kind, value));
            applied.push(() => this.apply(kind, value, true));
          },
        };
        return fn(w);
      });
      for (const apply of applied) apply();
      return result;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
