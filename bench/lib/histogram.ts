/**
 * A latency histogram with bounded memory, whatever the request count: values are whole microseconds, exact below
 * 256 µs and within 1/128 (0.8 %) above, up to about 35 minutes. Workers send theirs to the parent as sparse
 * [bucket, count] pairs, and the parent merges them before reading percentiles.
 */

const EXACT = 256;
const SUB_BUCKETS = 128;
const MAX_SHIFT = 24;
const BUCKETS = EXACT + MAX_SHIFT * SUB_BUCKETS;
const MAX_VALUE = 2 ** 31 - 1;

/** Sparse form for IPC and JSON: [bucket index, count] for every non-empty bucket. */
export type HistogramData = readonly (readonly [number, number])[];

export interface LatencySummary {
  /** Milliseconds. */
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

function bucketOf(micros: number): number {
  const v = Math.min(MAX_VALUE, Math.max(0, Math.round(micros)));
  if (v < EXACT) return v;
  const msb = 31 - Math.clz32(v);
  const shift = msb - 7;
  return EXACT + (shift - 1) * SUB_BUCKETS + ((v >>> shift) - SUB_BUCKETS);
}

/** The middle of a bucket, in microseconds. */
function valueOf(bucket: number): number {
  if (bucket < EXACT) return bucket;
  const shift = Math.floor((bucket - EXACT) / SUB_BUCKETS) + 1;
  const mantissa = ((bucket - EXACT) % SUB_BUCKETS) + SUB_BUCKETS;
  return mantissa * 2 ** shift + 2 ** (shift - 1);
}

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sum = 0;
  private maximum = 0;

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const micros = ms * 1000;
    this.counts[bucketOf(micros)]! += 1;
    this.total++;
    this.sum += micros;
    if (micros > this.maximum) this.maximum = micros;
  }

  get count(): number {
    return this.total;
  }

  toData(): { buckets: HistogramData; sum: number; max: number } {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const n = this.counts[i]!;
      if (n > 0) buckets.push([i, n]);
    }
    return { buckets, sum: this.sum, max: this.maximum };
  }

  merge(data: { buckets: HistogramData; sum: number; max: number }): void {
    for (const [bucket, n] of data.buckets) {
      if (bucket < 0 || bucket >= BUCKETS) continue;
      this.counts[bucket]! += n;
      this.total += n;
    }
    this.sum += data.sum;
    if (data.max > this.maximum) this.maximum = data.max;
  }

  /** The latency (ms) below which `p` percent of the recorded requests completed; 0 when nothing was recorded. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(valueOf(i), this.maximum) / 1000;
    }
    return this.maximum / 1000;
  }

  summary(): LatencySummary {
    return {
      mean: this.total === 0 ? 0 : this.sum / this.total / 1000,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      max: this.maximum / 1000,
    };
  }
}
