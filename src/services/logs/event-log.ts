/**
 * One log stream's events in memory, ordered by (timestamp, sequence number) as GetLogEvents returns them. Columns
 * in parallel arrays keep 100k events cheap; appends in time order are pushes, a late batch merges only the tail
 * it lands in; positions are found by binary search, so paging through a stream is linear in what is returned.
 * A running sum of message bytes answers storedBytes for any retention cut-off in O(log n).
 */
import type { EventKey } from './tokens.ts';

export interface StoredEvent {
  readonly timestamp: number;
  readonly seq: number;
  readonly message: string;
  readonly ingestionTime: number;
  /** UTF-8 length of the message. */
  readonly bytes: number;
}

export class EventLog {
  private timestamps: number[] = [];
  private seqs: number[] = [];
  private messages: string[] = [];
  private ingestionTimes: number[] = [];
  private byteCounts: number[] = [];
  /** cumulative[i] is the byte total of events [0, i). */
  private cumulative: number[] = [0];

  get length(): number {
    return this.timestamps.length;
  }

  /** Adds a batch already in key order whose sequence numbers are above every stored one. */
  add(batch: readonly StoredEvent[]): void {
    const first = batch[0];
    if (first === undefined) return;
    // Sequence numbers only grow, so the batch goes after every stored event of the same timestamp.
    const at = this.upperBound({ timestamp: first.timestamp, seq: Number.MAX_SAFE_INTEGER });
    if (at === this.length) {
      for (const e of batch) this.push(e);
      return;
    }
    const tail: StoredEvent[] = [];
    for (let i = at; i < this.length; i++) tail.push(this.at(i));
    this.truncate(at);
    let a = 0;
    let b = 0;
    while (a < tail.length || b < batch.length) {
      const x = tail[a];
      const y = batch[b];
      if (y === undefined || (x !== undefined && (x.timestamp - y.timestamp || x.seq - y.seq) < 0)) {
        if (x) this.push(x);
        a++;
      } else {
        this.push(y);
        b++;
      }
    }
  }

  at(i: number): StoredEvent {
    return {
      timestamp: this.timestamps[i] ?? 0,
      seq: this.seqs[i] ?? 0,
      message: this.messages[i] ?? '',
      ingestionTime: this.ingestionTimes[i] ?? 0,
      bytes: this.byteCounts[i] ?? 0,
    };
  }

  timestampAt(i: number): number {
    return this.timestamps[i] ?? 0;
  }

  seqAt(i: number): number {
    return this.seqs[i] ?? 0;
  }

  keyAt(i: number): EventKey {
    return { timestamp: this.timestamps[i] ?? 0, seq: this.seqs[i] ?? 0 };
  }

  /** Index of the first event whose key is ≥ key. */
  lowerBound(key: EventKey): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.timestamps[mid] ?? 0;
      if (t < key.timestamp || (t === key.timestamp && (this.seqs[mid] ?? 0) < key.seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first event whose key is > key. */
  upperBound(key: EventKey): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.timestamps[mid] ?? 0;
      if (t < key.timestamp || (t === key.timestamp && (this.seqs[mid] ?? 0) <= key.seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first event with a timestamp ≥ t. */
  firstAtOrAfter(t: number): number {
    return this.lowerBound({ timestamp: t, seq: 0 });
  }

  /** Message bytes of events [from, to). */
  bytesBetween(from: number, to: number): number {
    return (this.cumulative[to] ?? 0) - (this.cumulative[from] ?? 0);
  }

  private push(e: StoredEvent): void {
    this.timestamps.push(e.timestamp);
    this.seqs.push(e.seq);
    this.messages.push(e.message);
    this.ingestionTimes.push(e.ingestionTime);
    this.byteCounts.push(e.bytes);
    this.cumulative.push((this.cumulative[this.cumulative.length - 1] ?? 0) + e.bytes);
  }

  private truncate(n: number): void {
    this.timestamps.length = n;
    this.seqs.length = n;
    this.messages.length = n;
    this.ingestionTimes.length = n;
    this.byteCounts.length = n;
    this.cumulative.length = n + 1;
  }
}
