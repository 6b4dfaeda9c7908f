/**
 * A run of consecutive audit records held as bytes rather than as JavaScript strings. A record kept as a string (or
 * as an object) outlives the young generation and is copied and then marked by the garbage collector for as long as
 * retention keeps it, which cost more than building the record did; bytes in a Buffer live outside the heap. A chunk
 * is open while the trail appends records to it, then closed, compressed and stored as one batch record; a
 * search decodes it again (searches are rare next to requests).
 */
import { promisify } from 'node:util';
import { deflateRaw, inflateRawSync } from 'node:zlib';
import type { AuditEvent } from './types.ts';

/** One batch record in the store: `count` records with consecutive sequence numbers from `first`, oldest first. */
export interface StoredBatch {
  readonly first: number;
  readonly count: number;
  readonly encoding: 'jsonl+deflate-raw+base64';
  readonly data: string;
}

const deflate = promisify(deflateRaw);

export function batchLines(batch: StoredBatch): string[] {
  if (batch.encoding !== 'jsonl+deflate-raw+base64') throw new Error(`unknown audit batch encoding ${batch.encoding}`);
  return inflateRawSync(Buffer.from(batch.data, 'base64')).toString('utf8').split('\n');
}

const EVENT_TIME = '"eventTime":"';

/**
 * A record's eventTime in whole seconds, read without parsing the record: every record is written with its
 * top-level eventTime before any member that could hold a nested one (a quote inside a string is escaped, so the
 * key's text cannot come from a value).
 */
export function eventSeconds(line: string): number {
  const at = line.indexOf(EVENT_TIME);
  const text =
    at < 0
      ? (JSON.parse(line) as { eventTime?: string }).eventTime
      : line.slice(at + EVENT_TIME.length, line.indexOf('"', at + EVENT_TIME.length));
  return Math.floor(Date.parse(text ?? '') / 1000);
}

export type ChunkState = 'open' | 'closed' | 'storing' | 'stored';

export class Chunk {
  /** Each record's eventTime, in seconds: retention by age and time filters read it without decoding. */
  readonly seconds: number[];
  /** Records at the front that retention has let go. */
  skip = 0;
  state: ChunkState;
  /** Let go entirely; a chunk let go before it was stored is never stored. */
  dropped = false;
  /** The records as newline-terminated JSON lines, until compressed. */
  private raw: Buffer | undefined;
  private used = 0;
  /** The records deflated (raw deflate, level 1), as stored. */
  private deflated: Buffer | undefined;

  constructor(
    public first: number,
    state: ChunkState,
    seconds: number[] = [],
    deflated?: Buffer,
  ) {
    this.state = state;
    this.seconds = seconds;
    this.deflated = deflated;
    if (state === 'open') this.raw = Buffer.allocUnsafe(64 * 1024);
  }

  static fromStored(batch: StoredBatch, lines: readonly string[]): Chunk {
    return new Chunk(batch.first, 'stored', lines.map(eventSeconds), Buffer.from(batch.data, 'base64'));
  }

  get count(): number {
    return this.seconds.length;
  }

  get kept(): number {
    return this.seconds.length - this.skip;
  }

  append(line: string, seconds: number): void {
    let raw = this.raw as Buffer;
    // UTF-8 takes at most three bytes per UTF-16 unit.
    const most = line.length * 3 + 1;
    if (this.used + most > raw.length) {
      const grown = Buffer.allocUnsafe(Math.max(raw.length * 2, this.used + most));
      raw.copy(grown, 0, 0, this.used);
      this.raw = raw = grown;
    }
    this.used += raw.write(line, this.used);
    raw[this.used++] = 0x0a;
    this.seconds.push(seconds);
  }

  /**
   * Ends the chunk: the records retention already let go are cut off (they are never stored), and the rest is
   * compressed off the event loop. Resolves to the batch record to store.
   */
  async close(): Promise<StoredBatch> {
    this.state = 'closed';
    if (this.skip > 0) {
      let at = 0;
      for (let i = 0; i < this.skip; i++) at = (this.raw as Buffer).indexOf(0x0a, at) + 1;
      this.raw = (this.raw as Buffer).subarray(at, this.used);
      this.used -= at;
      this.first += this.skip;
      this.seconds.splice(0, this.skip);
      this.skip = 0;
    }
    // Without the last newline: a batch's lines are joined by newlines.
    const deflated = await deflate((this.raw as Buffer).subarray(0, this.used - 1), { level: 1 });
    this.deflated = deflated;
    this.raw = undefined;
    this.used = 0;
    return {
      first: this.first,
      count: this.count,
      encoding: 'jsonl+deflate-raw+base64',
      data: deflated.toString('base64'),
    };
  }

  /** Every record's line, oldest first (records retention let go included: `skip` says how many). */
  lines(): string[] {
    if (this.raw)
      return this.raw
        .toString('utf8', 0, Math.max(0, this.used - 1))
        .split('\n')
        .slice(0, this.count);
    return inflateRawSync(this.deflated as Buffer)
      .toString('utf8')
      .split('\n');
  }
}

/** A stored batch's records (tests and tools read the store with it). */
export function decodeBatch(batch: StoredBatch): AuditEvent[] {
  return batchLines(batch).map((line) => JSON.parse(line) as AuditEvent);
}
