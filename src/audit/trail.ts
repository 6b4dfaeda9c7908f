/**
 * The audit trail: every record in memory (bounded by count and age) and in the Store, so events survive a
 * restart. Recording costs the request almost nothing: the pipeline hands over a builder that only holds
 * references, and the trail builds, redacts and serializes the records in batches, on a short timer, off the
 * request's path. close() writes what is pending, so a clean shutdown loses nothing; a crash loses at most the
 * last batch interval. Records are kept in memory as their JSON lines plus a small index of what filters read,
 * and parsed only when a search returns them: one flat string per event instead of a graph of objects keeps both
 * the serialization and the garbage collector's share of a request small.
 *
 * Records are stored through the Store's generic record API, so any backend — a PostgreSQL one included — holds
 * them without a schema of its own: one record per written batch (kind `audit.batch`, key the zero-padded
 * sequence number of its first event), because one write per batch rather than per event is what keeps auditing
 * cheap. The batch holds its records as JSON lines, deflated (on libuv's thread pool, off the event loop) and
 * base64-encoded: CloudTrail records repeat themselves so much that a batch shrinks about twentyfold, and writing
 * twenty times fewer bytes is what makes the store's share of the cost small. A batch record is removed once
 * retention has let go of all its events; until then the events retention let go are skipped when the trail loads.
 */
import { promisify } from 'node:util';
import { deflateRaw, inflateRawSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import { indexOf, serializeRequestEvent, type EventIndex, type RequestCapture } from './record.ts';
import type { AuditEvent, AuditFilter, AuditTrail } from './types.ts';

export const AUDIT_KIND = 'audit.batch';
export const DEFAULT_MAX_EVENTS = 100_000;
export const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600_000;
const DEFAULT_FLUSH_MS = 250;
/** How long a request's capture waits for its record to be written (see enqueue). */
const ABSORB_MS = 20;

/** One written batch: `count` events with consecutive sequence numbers from `first`, oldest first. */
export interface StoredBatch {
  readonly first: number;
  readonly count: number;
  readonly encoding: 'jsonl+deflate-raw+base64';
  readonly data: string;
}

const deflate = promisify(deflateRaw);

async function encodeBatch(first: number, lines: readonly string[]): Promise<StoredBatch> {
  // Written straight into one buffer: joining the lines into a string first and encoding that costs more.
  let size = lines.length - 1;
  for (const line of lines) size += Buffer.byteLength(line);
  const text = Buffer.allocUnsafe(size);
  let at = 0;
  for (const line of lines) {
    if (at > 0) text[at++] = 0x0a;
    at += text.write(line, at);
  }
  const data = (await deflate(text, { level: 1 })).toString('base64');
  return { first, count: lines.length, encoding: 'jsonl+deflate-raw+base64', data };
}

function batchLines(batch: StoredBatch): string[] {
  if (batch.encoding !== 'jsonl+deflate-raw+base64') throw new Error(`unknown audit batch encoding ${batch.encoding}`);
  return inflateRawSync(Buffer.from(batch.data, 'base64')).toString('utf8').split('\n');
}

export function decodeBatch(batch: StoredBatch): AuditEvent[] {
  return batchLines(batch).map((line) => JSON.parse(line) as AuditEvent);
}

/** A record as the pipeline hands it over, serialized, with its index. */
export interface SerializedEvent {
  readonly line: string;
  readonly index: EventIndex;
  /** eventTime in milliseconds. */
  readonly time: number;
}

interface Entry {
  readonly seq: number;
  readonly line: string;
  readonly index: EventIndex;
  /** eventTime in milliseconds. */
  readonly time: number;
  /** The stored batch holding it; undefined until written. */
  batch?: number;
  /** Let go by retention before it was written. */
  gone?: boolean;
}

export interface TrailOptions {
  readonly maxEvents?: number;
  readonly maxAgeMs?: number;
  readonly flushMs?: number;
  readonly now?: () => Date;
  readonly log?: Logger;
}

const key = (seq: number): string => String(seq).padStart(16, '0');

/** Filters LookupEvents needs beyond the shared AuditFilter. */
export interface ExtraFilter {
  /** Only events of this recipient account (CloudTrail's event history is per account). */
  readonly account?: string;
  readonly eventId?: string;
  readonly userName?: string;
  readonly resourceType?: string;
}

function matches(x: EventIndex, f: AuditFilter & ExtraFilter, time: number): boolean {
  if (f.since && time < f.since.getTime()) return false;
  if (f.until && time > f.until.getTime()) return false;
  if (f.account !== undefined && x.account !== f.account) return false;
  if (f.eventId !== undefined && x.eventID !== f.eventId) return false;
  if (f.eventName !== undefined && x.eventName !== f.eventName) return false;
  if (f.eventSource !== undefined && x.eventSource !== f.eventSource) return false;
  if (f.readOnly !== undefined && x.readOnly !== f.readOnly) return false;
  if (f.accessKeyId !== undefined && x.accessKeyId !== f.accessKeyId) return false;
  if (f.userName !== undefined && x.userName !== f.userName) return false;
  if (f.deniedOnly && !x.denied) return false;
  if (f.principalArn !== undefined && x.arn !== f.principalArn && x.issuerArn !== f.principalArn) return false;
  if (f.resourceName !== undefined) {
    const name = f.resourceName;
    const hit = x.resources?.some((r) => r.ARN === name || r.ARN.endsWith(`/${name}`) || r.ARN.endsWith(`:${name}`));
    if (!hit) return false;
  }
  if (f.resourceType !== undefined && !x.resources?.some((r) => r.type === f.resourceType)) return false;
  return true;
}

const serialize = (event: AuditEvent): SerializedEvent => ({
  line: JSON.stringify(event),
  index: indexOf(event),
  time: Date.parse(event.eventTime),
});

// eventTime is to the second; filters compare the same instant whether the event was just made or loaded.
function serializeCapture(c: RequestCapture): SerializedEvent {
  const made = serializeRequestEvent(c);
  return { line: made.line, index: made.index, time: Math.floor(c.time.getTime() / 1000) * 1000 };
}

export class StoredAuditTrail implements AuditTrail {
  private entries: Entry[] = [];
  /** Index in `entries` of the oldest kept entry; the array is compacted once half of it is let go. */
  private start = 0;
  private nextSeq = 1;
  /** Recorded but not built yet: a request's capture (references only), or a builder. */
  private pending: (RequestCapture | (() => SerializedEvent))[] = [];
  /** Set while the pending records' writing is scheduled. */
  private absorbing: NodeJS.Timeout | undefined;
  /** Built but not in the store yet. */
  private unwritten: Entry[] = [];
  /** Events still kept, per stored batch (by its first sequence number). */
  private readonly batchLive = new Map<number, number>();
  /** Stored batches whose events retention has all let go. */
  private emptied: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly maxEvents: number;
  private readonly maxAgeMs: number;
  private readonly flushMs: number;
  private readonly now: () => Date;

  private constructor(
    private readonly store: Store,
    private readonly options: TrailOptions,
  ) {
    this.maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.now = options.now ?? (() => new Date());
  }

  /** Loads the stored events (oldest first), applying retention to them at once. */
  static async load(store: Store, options: TrailOptions = {}): Promise<StoredAuditTrail> {
    const trail = new StoredAuditTrail(store, options);
    const batches = (await store.list<StoredBatch>(AUDIT_KIND)).map((r) => r.value).sort((a, b) => a.first - b.first);
    for (const batch of batches) {
      let lines: string[];
      try {
        lines = batchLines(batch);
      } catch (err) {
        options.log?.error({ err, first: batch.first }, 'an audit batch in the store cannot be read; it is skipped');
        continue;
      }
      trail.batchLive.set(batch.first, lines.length);
      lines.forEach((line, i) => {
        const event = JSON.parse(line) as AuditEvent;
        trail.append({
          seq: batch.first + i,
          line,
          index: indexOf(event),
          time: Date.parse(event.eventTime),
          batch: batch.first,
        });
      });
      trail.nextSeq = batch.first + lines.length;
    }
    trail.retain();
    if (trail.emptied.length > 0) await trail.flush();
    return trail;
  }

  get size(): number {
    this.absorb();
    return this.entries.length - this.start;
  }

  record(event: AuditEvent): void {
    this.enqueue(() => serialize(event));
  }

  /** Records the event `build` returns; it is called later, off the request's path, and must not throw. */
  defer(build: () => AuditEvent): void {
    this.enqueue(() => serialize(build()));
  }

  /** Records an event serialized later by `build`. */
  deferSerialized(build: () => SerializedEvent): void {
    this.enqueue(build);
  }

  /** The pipeline's path: the capture is kept as it is, and its record written once its response is on its way. */
  recordRequest(capture: RequestCapture): void {
    this.enqueue(capture);
  }

  /** Scans from the newest: asked rarely (`rolecall explain`), so no index is kept on every request's path. */
  byRequestId(requestId: string): AuditEvent | undefined {
    this.absorb();
    for (let i = this.entries.length - 1; i >= this.start; i--) {
      const entry = this.entries[i] as Entry;
      if (entry.index.requestID === requestId) return JSON.parse(entry.line) as AuditEvent;
    }
    return undefined;
  }

  find(filter: AuditFilter & ExtraFilter, limit: number, after?: string): readonly AuditEvent[] {
    this.absorb();
    let from = this.entries.length - 1;
    if (after !== undefined) {
      const at = this.positionOf(after);
      if (at < 0) return [];
      from = at - 1;
    }
    const out: AuditEvent[] = [];
    for (let i = from; i >= this.start && out.length < limit; i--) {
      const entry = this.entries[i] as Entry;
      if (matches(entry.index, filter, entry.time)) out.push(JSON.parse(entry.line) as AuditEvent);
    }
    return out;
  }

  /** Whether an event id is still kept (a page token naming one that retention let go is stale). */
  has(eventId: string): boolean {
    this.absorb();
    return this.positionOf(eventId) >= 0;
  }

  flush(): Promise<void> {
    this.absorb();
    this.retain();
    // Retention lets go of the oldest first, so what is left of the unwritten events is still consecutive.
    const batch = this.unwritten.filter((e) => e.gone !== true);
    const gone = this.emptied;
    this.unwritten = [];
    this.emptied = [];
    if (batch.length === 0 && gone.length === 0) return this.writing;
    const first = batch[0]?.seq;
    if (first !== undefined) {
      for (const e of batch) e.batch = first;
      this.batchLive.set(first, batch.length);
    }
    const write = async () => {
      try {
        const stored =
          first === undefined
            ? undefined
            : await encodeBatch(
                first,
                batch.map((e) => e.line),
              );
        await this.store.transaction(async (tx) => {
          if (stored) await tx.put(AUDIT_KIND, '', key(stored.first), stored);
          for (const g of gone) await tx.delete(AUDIT_KIND, '', key(g));
        });
      } catch (err) {
        this.options.log?.error({ err, events: batch.length }, 'could not write audit events to the store');
      }
    };
    this.writing = this.writing.then(write);
    return this.writing;
  }

  /** Stops the timer and writes everything recorded so far. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.absorbing) clearTimeout(this.absorbing);
    this.absorbing = undefined;
    await this.flush();
  }

  private enqueue(item: RequestCapture | (() => SerializedEvent)): void {
    this.pending.push(item);
    // Records are written every few milliseconds rather than when the batch is stored: a capture holds the
    // request's whole object graph (its input, output and authorization), and holding hundreds of them for a batch's
    // 250 ms made them outlive the young generation, which cost more in garbage collection than writing the records
    // does. Not one by one either: writing records in runs of dozens keeps the writer's code and caches warm.
    if (this.absorbing === undefined) {
      this.absorbing = setTimeout(() => {
        this.absorbing = undefined;
        this.absorb();
      }, ABSORB_MS);
      this.absorbing.unref();
    }
    if (this.timer === undefined && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.flushMs);
      this.timer.unref();
    }
  }

  /** Builds what is pending into memory (not yet into the store). */
  private absorb(): void {
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    for (const item of pending) {
      let made: SerializedEvent;
      try {
        made = typeof item === 'function' ? item() : serializeCapture(item);
      } catch (err) {
        this.options.log?.error({ err }, 'could not build an audit event');
        continue;
      }
      const entry: Entry = { seq: this.nextSeq++, line: made.line, index: made.index, time: made.time };
      this.append(entry);
      this.unwritten.push(entry);
    }
    this.retain();
  }

  private append(entry: Entry): void {
    this.entries.push(entry);
  }

  /**
   * Where a kept event is in `entries`, or -1. A scan from the newest: page tokens are asked for rarely, and a map
   * of event ids, kept up to date on every request's path, cost more than all the scans it saved.
   */
  private positionOf(eventId: string): number {
    for (let i = this.entries.length - 1; i >= this.start; i--) {
      if ((this.entries[i] as Entry).index.eventID === eventId) return i;
    }
    return -1;
  }

  /** Lets go of events beyond the count bound or older than the age bound. */
  private retain(): void {
    const oldest = this.now().getTime() - this.maxAgeMs;
    while (this.start < this.entries.length) {
      const entry = this.entries[this.start] as Entry;
      if (this.entries.length - this.start <= this.maxEvents && entry.time >= oldest) break;
      this.start++;
      if (entry.batch === undefined) {
        entry.gone = true;
      } else {
        const live = (this.batchLive.get(entry.batch) ?? 1) - 1;
        if (live > 0) this.batchLive.set(entry.batch, live);
        else {
          this.batchLive.delete(entry.batch);
          this.emptied.push(entry.batch);
        }
      }
    }
    if (this.start > 1024 && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }
}
