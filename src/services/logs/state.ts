/**
 * CloudWatch Logs state of every account and region: log groups, their streams and events, in memory for reads and
 * written through the Store (as src/state/iam-state.ts does for IAM). A write runs under one lock, goes to the store
 * in one transaction, and changes memory only after the commit, so a failed write leaves both as they were and a
 * restart (LogsState.load) sees exactly what was acknowledged.
 *
 * Records: `logs.group` (key `region:name`), `logs.stream` (`region:group:stream`) and `logs.events`, one record per
 * accepted PutLogEvents batch (`region:group:stream:<first sequence number>`), so an append is one insert however
 * many events it carries. Names cannot hold `:` (the model's LogGroupName and LogStreamName patterns), so keys are
 * unambiguous. Every event gets a sequence number from its log group's counter: with the timestamp it orders a
 * stream (GetLogEvents) and the group (FilterLogEvents sorts by timestamp, then ingestion, then request: the
 * FilterLogEvents API reference), and it makes event ids and tokens stable.
 */
import type { Store, StoreTx } from '../../store/store.ts';
import { EventLog, type StoredEvent } from './event-log.ts';

export const LOG_GROUP_KIND = 'logs.group';
export const LOG_STREAM_KIND = 'logs.stream';
export const LOG_EVENTS_KIND = 'logs.events';

export type LogGroupClass = 'STANDARD' | 'INFREQUENT_ACCESS' | 'DELIVERY';

export interface GroupRecord {
  readonly region: string;
  readonly name: string;
  /** Milliseconds since the epoch. */
  readonly creationTime: number;
  readonly logGroupClass: LogGroupClass;
  readonly tags: Readonly<Record<string, string>>;
  readonly retentionInDays?: number;
  readonly kmsKeyId?: string;
  readonly deletionProtection?: boolean;
}

export interface StreamRecord {
  readonly region: string;
  readonly group: string;
  readonly name: string;
  readonly creationTime: number;
}

/** One accepted batch: event i has sequence number firstSeq + i; all share the batch's ingestion time. */
export interface BatchRecord {
  readonly region: string;
  readonly group: string;
  readonly stream: string;
  readonly firstSeq: number;
  readonly ingestionTime: number;
  readonly events: readonly (readonly [timestamp: number, message: string])[];
}

export interface NewEvent {
  readonly timestamp: number;
  readonly message: string;
}

const groupKey = (region: string, name: string): string => `${region}:${name}`;
const streamKey = (region: string, group: string, name: string): string => `${region}:${group}:${name}`;
const batchKey = (region: string, group: string, stream: string, firstSeq: number): string =>
  `${streamKey(region, group, stream)}:${String(firstSeq).padStart(16, '0')}`;
const scopeKey = (account: string, region: string): string => `${account}/${region}`;

export const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

export class LogStream {
  readonly events = new EventLog();
  /** Store keys of this stream's batches, so deleting the stream deletes them. */
  readonly batchKeys: string[] = [];
  lastIngestionTime: number | undefined;
  lastSeq: number | undefined;

  constructor(readonly record: StreamRecord) {}

  addBatch(key: string, batch: BatchRecord): void {
    const events: StoredEvent[] = batch.events.map(([timestamp, message], i) => ({
      timestamp,
      message,
      seq: batch.firstSeq + i,
      ingestionTime: batch.ingestionTime,
      bytes: utf8Length(message),
    }));
    this.events.add(events);
    this.batchKeys.push(key);
    if (this.lastIngestionTime === undefined || batch.ingestionTime > this.lastIngestionTime)
      this.lastIngestionTime = batch.ingestionTime;
    const last = batch.firstSeq + batch.events.length - 1;
    if (this.lastSeq === undefined || last > this.lastSeq) this.lastSeq = last;
  }
}

export class LogGroup {
  readonly streams = new Map<string, LogStream>();
  /** The next sequence number to hand out; numbers start at 1. */
  nextSeq = 1;

  constructor(public record: GroupRecord) {}

  /** Streams ordered by name, as DescribeLogStreams lists them by default. */
  sortedStreams(): LogStream[] {
    return [...this.streams.values()].sort((a, b) => compareNames(a.record.name, b.record.name));
  }
}

/** Code-unit order: names are ASCII (model patterns), and AWS lists log groups "ASCII-sorted by log group name". */
export const compareNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A write in progress: store writes now, memory changes queued until the commit. */
export interface LogsWrite {
  createGroup(account: string, record: GroupRecord): Promise<void>;
  updateGroup(account: string, record: GroupRecord): Promise<void>;
  /** Deletes the group, its streams and their events. */
  deleteGroup(account: string, region: string, name: string): Promise<void>;
  createStream(account: string, record: StreamRecord): Promise<void>;
  /** Deletes the stream and its events. */
  deleteStream(account: string, region: string, group: string, name: string): Promise<void>;
  /** Stores events (already in timestamp order) as one batch; returns the batch's sequence numbers. */
  appendBatch(
    account: string,
    region: string,
    group: string,
    stream: string,
    events: readonly NewEvent[],
    ingestionTime: number,
  ): Promise<{ firstSeq: number; lastSeq: number }>;
}

export class LogsState {
  /** `account/region` → group name → group. */
  private readonly scopes = new Map<string, Map<string, LogGroup>>();
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(private readonly store: Store) {}

  /** Loads every log group, stream and event batch from the store. */
  static async load(store: Store): Promise<LogsState> {
    const state = new LogsState(store);
    for (const r of await store.list<GroupRecord>(LOG_GROUP_KIND)) state.setGroup(r.account, r.value);
    for (const r of await store.list<StreamRecord>(LOG_STREAM_KIND)) state.setStream(r.account, r.value);
    const batches = await store.list<BatchRecord>(LOG_EVENTS_KIND);
    // Oldest batch first per group, so each one's sequence numbers are above those already added.
    batches.sort((a, b) => a.value.firstSeq - b.value.firstSeq);
    for (const r of batches) state.setBatch(r.account, r.key, r.value);
    return state;
  }

  group(account: string, region: string, name: string): LogGroup | undefined {
    return this.scopes.get(scopeKey(account, region))?.get(name);
  }

  stream(account: string, region: string, group: string, name: string): LogStream | undefined {
    return this.group(account, region, group)?.streams.get(name);
  }

  /** An account's log groups in a region, ordered by name. */
  groups(account: string, region: string): LogGroup[] {
    const scope = this.scopes.get(scopeKey(account, region));
    if (!scope) return [];
    return [...scope.values()].sort((a, b) => compareNames(a.record.name, b.record.name));
  }

  /**
   * Runs fn with exclusive write access. fn reads memory for its checks and writes through the LogsWrite; memory
   * changes apply only when the store transaction commits.
   */
  write<T>(fn: (w: LogsWrite) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      const applied: (() => void)[] = [];
      const result = await this.store.transaction((tx) => fn(this.writer(tx, applied)));
      for (const apply of applied) apply();
      return result;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private writer(tx: StoreTx, applied: (() => void)[]): LogsWrite {
    // Sequence numbers handed out earlier in this transaction, not yet in memory.
    const pendingSeq = new Map<string, number>();
    return {
      createGroup: async (account, record) => {
        await tx.insert(LOG_GROUP_KIND, account, groupKey(record.region, record.name), record);
        applied.push(() => this.setGroup(account, record));
      },
      updateGroup: async (account, record) => {
        await tx.update(LOG_GROUP_KIND, account, groupKey(record.region, record.name), record);
        applied.push(() => {
          const group = this.group(account, record.region, record.name);
          if (group) group.record = record;
        });
      },
      deleteGroup: async (account, region, name) => {
        const group = this.group(account, region, name);
        for (const stream of group?.streams.values() ?? []) {
          for (const key of stream.batchKeys) await tx.delete(LOG_EVENTS_KIND, account, key);
          await tx.delete(LOG_STREAM_KIND, account, streamKey(region, name, stream.record.name));
        }
        await tx.delete(LOG_GROUP_KIND, account, groupKey(region, name));
        applied.push(() => this.scopes.get(scopeKey(account, region))?.delete(name));
      },
      createStream: async (account, record) => {
        await tx.insert(LOG_STREAM_KIND, account, streamKey(record.region, record.group, record.name), record);
        applied.push(() => this.setStream(account, record));
      },
      deleteStream: async (account, region, group, name) => {
        for (const key of this.stream(account, region, group, name)?.batchKeys ?? []) {
          await tx.delete(LOG_EVENTS_KIND, account, key);
        }
        await tx.delete(LOG_STREAM_KIND, account, streamKey(region, group, name));
        applied.push(() => this.group(account, region, group)?.streams.delete(name));
      },
      appendBatch: async (account, region, group, stream, events, ingestionTime) => {
        const scope = `${scopeKey(account, region)}:${group}`;
        const firstSeq = pendingSeq.get(scope) ?? this.group(account, region, group)?.nextSeq ?? 1;
        const lastSeq = firstSeq + events.length - 1;
        pendingSeq.set(scope, lastSeq + 1);
        const record: BatchRecord = {
          region,
          group,
          stream,
          firstSeq,
          ingestionTime,
          events: events.map((e) => [e.timestamp, e.message] as const),
        };
        const key = batchKey(region, group, stream, firstSeq);
        await tx.insert(LOG_EVENTS_KIND, account, key, record);
        applied.push(() => this.setBatch(account, key, record));
        return { firstSeq, lastSeq };
      },
    };
  }

  private setGroup(account: string, record: GroupRecord): void {
    const key = scopeKey(account, record.region);
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = new Map();
      this.scopes.set(key, scope);
    }
    scope.set(record.name, new LogGroup(record));
  }

  private setStream(account: string, record: StreamRecord): void {
    this.group(account, record.region, record.group)?.streams.set(record.name, new LogStream(record));
  }

  private setBatch(account: string, key: string, batch: BatchRecord): void {
    if (batch.events.length === 0) return;
    const group = this.group(account, batch.region, batch.group);
    const stream = group?.streams.get(batch.stream);
    if (!group || !stream) return;
    stream.addBatch(key, batch);
    group.nextSeq = Math.max(group.nextSeq, batch.firstSeq + batch.events.length);
  }
}

/** Loads the Logs state from the store (at startup; a restart sees every acknowledged write). */
export const createLogsState = (store: Store): Promise<LogsState> => LogsState.load(store);
