/**
 * The audit trail: every record in memory (bounded by count and age) and in the Store, so events survive a
 * restart. Recording costs the request almost nothing: the pipeline hands over a builder that only holds
 * references, and the trail builds, redacts and serializes the records in batches, on a short timer, off the
 * request's path. close() writes what is pending, so a clean shutdown loses nothing; a crash loses at most the
 * last batch interval. Records are kept in memory as bytes, in the same compressed chunks the store holds
 * (chunk.ts), not as strings or objects: what a search reads is decoded when it reads it.
 *
 * Records are stored through the Store's generic record API, so any backend — a PostgreSQL one included — holds
 * them without a schema of its own: one record per written batch (kind `audit.batch`, key the zero-padded
 * sequence number of its first event), because one write per batch rather than per event is what keeps auditing
 * cheap. The batch holds its records as JSON lines, deflated (on libuv's thread pool, off the event loop) and
 * base64-encoded: CloudTrail records repeat themselves so much that a batch shrinks about twentyfold, and writing
 * twenty times fewer bytes is what makes the store's share of the cost small. A batch record is removed once
 * retention has let go of all its events; until then the events retention let go are let go again when the trail
 * loads.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import { batchLines, Chunk, eventSeconds, type StoredBatch } from './chunk.ts';
import { indexOf, requestEventLine, type EventIndex, type RequestCapture } from './record.ts';
import type { AuditEvent, AuditFilter, AuditTrail } from './types.ts';

export const AUDIT_KIND = 'audit.batch';
export const DEFAULT_MAX_EVENTS = 100_000;
export const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600_000;
const DEFAULT_FLUSH_MS = 250;
/** How long a request's capture waits for its record to be written (see enqueue). */
const ABSORB_MS = 20;

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

/**
 * Text every record that matches `f` contains (in JSON's escaping), checked before a record is parsed: most records
 * of a search are ruled out by a substring test rather than a parse.
 */
function needlesOf(f: AuditFilter & ExtraFilter): string[] {
  const values = [f.account, f.eventId, f.eventName, f.eventSource, f.accessKeyId, f.userName, f.principalArn];
  return [...values, f.resourceName, f.resourceType]
    .filter((v): v is string => v !== undefined)
    .map((v) => JSON.stringify(v).slice(1, -1));
}

/** Every denied record names its denial: a decision `…Denied`, or one of the denial error codes (record.ts). */
const mayBeDenied = (line: string): boolean => line.includes('Denied') || line.includes('UnauthorizedOperation');

/** A kept record as a search sees it: its line and its eventTime in milliseconds. */
interface Kept {
  readonly line: string;
  readonly time: number;
}

/**
 * Decoded chunks are kept for a search's next page (LookupEvents and `rolecall audit` page through the same ones),
 * and forgotten soon after the last search: kept as strings, they would cost every later request garbage collection.
 */
const DECODED_CHUNKS = 64;
const FORGET_DECODED_MS = 2000;

export class StoredAuditTrail implements AuditTrail {
  /** Oldest first; the last one is open for new records. */
  private chunks: Chunk[];
  private open: Chunk;
  private kept = 0;
  private nextSeq: number;
  /** Recorded but not built yet: a request's capture (references only), or a builder. */
  private pending: (RequestCapture | (() => AuditEvent))[] = [];
  /** Set while the pending records' writing is scheduled. */
  private absorbing: NodeJS.Timeout | undefined;
  /** Stored batches whose events retention has all let go, to delete from the store. */
  private emptied: number[] = [];
  private readonly decoded = new Map<Chunk, string[]>();
  private forgetting: NodeJS.Timeout | undefined;
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
    loaded: Chunk[],
    nextSeq: number,
  ) {
    this.maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.now = options.now ?? (() => new Date());
    this.nextSeq = nextSeq;
    this.open = new Chunk(nextSeq, 'open');
    this.chunks = [...loaded, this.open];
    this.kept = loaded.reduce((n, c) => n + c.count, 0);
  }

  /** Loads the stored events (oldest first), applying retention to them at once. */
  static async load(store: Store, options: TrailOptions = {}): Promise<StoredAuditTrail> {
    const batches = (await store.list<StoredBatch>(AUDIT_KIND)).map((r) => r.value).sort((a, b) => a.first - b.first);
    const loaded: Chunk[] = [];
    let nextSeq = 1;
    for (const batch of batches) {
      try {
        loaded.push(Chunk.fromStored(batch, batchLines(batch)));
      } catch (err) {
        options.log?.error({ err, first: batch.first }, 'an audit batch in the store cannot be read; it is skipped');
        continue;
      }
      nextSeq = Math.max(nextSeq, batch.first + batch.count);
    }
    const trail = new StoredAuditTrail(store, options, loaded, nextSeq);
    trail.retain();
    if (trail.emptied.length > 0) await trail.flush();
    return trail;
  }

  get size(): number {
    this.absorb();
    this.retain();
    return this.kept;
  }

  record(event: AuditEvent): void {
    this.enqueue(() => event);
  }

  /** Records the event `build` returns; it is called later, off the request's path, and must not throw. */
  defer(build: () => AuditEvent): void {
    this.enqueue(build);
  }

  /** The pipeline's path: the capture is kept as it is, and its record written once its response is on its way. */
  recordRequest(capture: RequestCapture): void {
    this.enqueue(capture);
  }

  byRequestId(requestId: string): AuditEvent | undefined {
    const needle = `"requestID":${JSON.stringify(requestId)}`;
    for (const kept of this.newestFirst()) {
      if (!kept.line.includes(needle)) continue;
      const event = JSON.parse(kept.line) as AuditEvent;
      if (event.requestID === requestId) return event;
    }
    return undefined;
  }

  /** Newest first; `after` is the eventID of the last event of the previous page. */
  find(filter: AuditFilter & ExtraFilter, limit: number, after?: string): readonly AuditEvent[] {
    const needles = needlesOf(filter);
    const since = filter.since?.getTime() ?? -Infinity;
    const until = filter.until?.getTime() ?? Infinity;
    const out: AuditEvent[] = [];
    let skipping = after !== undefined;
    for (const kept of this.newestFirst()) {
      if (out.length >= limit) break;
      if (skipping) {
        skipping = !this.isEvent(kept.line, after ?? '');
        continue;
      }
      if (kept.time < since || kept.time > until || !needles.every((n) => kept.line.includes(n))) continue;
      if (filter.deniedOnly && !mayBeDenied(kept.line)) continue;
      const event = JSON.parse(kept.line) as AuditEvent;
      if (matches(indexOf(event), filter, kept.time)) out.push(event);
    }
    return out;
  }

  /** Whether an event id is still kept (a page token naming one that retention let go is stale). */
  has(eventId: string): boolean {
    for (const kept of this.newestFirst()) if (this.isEvent(kept.line, eventId)) return true;
    return false;
  }

  flush(): Promise<void> {
    this.absorb();
    this.retain();
    const chunk = this.open.kept > 0 ? this.open : undefined;
    if (chunk) {
      this.open = new Chunk(this.nextSeq, 'open');
      this.chunks.push(this.open);
    } else if (this.open.count > 0) {
      // Every record in it was let go before it was written: it starts again empty.
      this.chunks.pop();
      this.open = new Chunk(this.nextSeq, 'open');
      this.chunks.push(this.open);
    }
    const gone = this.emptied;
    this.emptied = [];
    if (!chunk && gone.length === 0) return this.writing;
    // Compressed at once (on the thread pool); stored in order, after every earlier write.
    const closing = chunk?.close();
    const write = async () => {
      try {
        const stored = await closing;
        // A chunk retention let go of while it was compressed is not stored at all.
        const put = stored && chunk && !chunk.dropped ? stored : undefined;
        if (chunk && put) chunk.state = 'storing';
        await this.store.transaction(async (tx) => {
          if (put) await tx.put(AUDIT_KIND, '', key(put.first), put);
          for (const g of gone) await tx.delete(AUDIT_KIND, '', key(g));
        });
        if (chunk && put) chunk.state = 'stored';
      } catch (err) {
        this.options.log?.error({ err, events: chunk?.count ?? 0 }, 'could not write audit events to the store');
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
    if (this.forgetting) clearTimeout(this.forgetting);
    this.forgetting = undefined;
    await this.flush();
  }

  private enqueue(item: RequestCapture | (() => AuditEvent)): void {
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

  /** Writes what is pending into the open chunk (not yet into the store). */
  private absorb(): void {
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    for (const item of pending) {
      let line: string;
      let seconds: number;
      try {
        if (typeof item === 'function') {
          line = JSON.stringify(item());
          seconds = eventSeconds(line);
        } else {
          line = requestEventLine(item);
          // eventTime is to the second; filters compare the same instant whether the event was just made or loaded.
          seconds = Math.floor(item.time.getTime() / 1000);
        }
      } catch (err) {
        this.options.log?.error({ err }, 'could not build an audit event');
        continue;
      }
      this.open.append(line, seconds);
      this.nextSeq++;
      this.kept++;
    }
    this.retain();
  }

  /** Every kept record, newest first; decodes chunks as it reaches them. */
  private *newestFirst(): Generator<Kept> {
    this.absorb();
    this.retain();
    // A copy: a search may run while a flush swaps the open chunk.
    for (const chunk of [...this.chunks].reverse()) {
      if (chunk.kept === 0) continue;
      const lines = this.linesOf(chunk);
      for (let at = chunk.count - 1; at >= chunk.skip; at--) {
        yield { line: lines[at] ?? '', time: (chunk.seconds[at] ?? 0) * 1000 };
      }
    }
  }

  private linesOf(chunk: Chunk): string[] {
    if (chunk.state === 'open') return chunk.lines();
    let lines = this.decoded.get(chunk);
    if (lines) {
      this.decoded.delete(chunk);
    } else {
      lines = chunk.lines();
      if (this.decoded.size >= DECODED_CHUNKS) this.decoded.delete(this.decoded.keys().next().value as Chunk);
    }
    this.decoded.set(chunk, lines);
    if (this.forgetting) this.forgetting.refresh();
    else {
      this.forgetting = setTimeout(() => {
        this.forgetting = undefined;
        this.decoded.clear();
      }, FORGET_DECODED_MS);
      this.forgetting.unref();
    }
    return lines;
  }

  private isEvent(line: string, eventId: string): boolean {
    return (
      line.includes(`"eventID":${JSON.stringify(eventId)}`) && (JSON.parse(line) as AuditEvent).eventID === eventId
    );
  }

  /** Lets go of events beyond the count bound or older than the age bound, oldest first. */
  private retain(): void {
    const oldest = this.now().getTime() - this.maxAgeMs;
    // Ends at the open chunk at the latest: it is the last one, and it never goes.
    for (;;) {
      const chunk = this.chunks[0] as Chunk;
      if (chunk.kept === 0) {
        if (chunk === this.open) return;
        this.drop(chunk);
      } else if (this.kept > this.maxEvents || (chunk.seconds[chunk.skip] ?? 0) * 1000 < oldest) {
        chunk.skip++;
        this.kept--;
      } else {
        return;
      }
    }
  }

  private drop(chunk: Chunk): void {
    this.chunks.shift();
    this.decoded.delete(chunk);
    chunk.dropped = true;
    if (chunk.state === 'storing' || chunk.state === 'stored') this.emptied.push(chunk.first);
  }
}
