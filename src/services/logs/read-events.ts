/**
 * GetLogEvents (one stream, both directions, `f/…` and `b/…` tokens) and FilterLogEvents (a group's streams
 * interleaved in time order, with a filter pattern). Both find their start by binary search and walk only what
 * they return, so paging through 100k events costs what the pages hold. Pages stop at the limit or at 1 MB
 * ("Each page returned can contain up to 1 MB of log events or up to 10,000 log events", API reference), counting
 * an event as its UTF-8 message bytes plus the 26 bytes PutLogEvents counts.
 */
import {
  InvalidParameterException,
  type FilteredLogEvent,
  type LogsOperations,
  type OutputLogEvent,
} from '../../protocol/generated/logs.ts';
import type { Handlers } from '../service.ts';
import { chooseGroup, findStream, retainedFrom } from './common.ts';
import type { EventLog } from './event-log.ts';
import { namesAndPrefix } from './errors.ts';
import { compileFilterPattern, FilterPatternError, type EventMatcher } from './filter-pattern.ts';
import { EVENT_OVERHEAD } from './put-events.ts';
import { compareNames, type LogStream, type LogsState } from './state.ts';
import {
  backwardToken,
  BEFORE_ALL,
  eventId,
  filterToken,
  forwardToken,
  parseFilterToken,
  parseStreamToken,
  type EventKey,
} from './tokens.ts';

type ReadOps = Pick<LogsOperations, 'GetLogEvents' | 'FilterLogEvents'>;

const PAGE_BYTES = 1_048_576;
/** GetLogEvents: "up to 10,000 log events"; FilterLogEvents: "The default is 10,000 events" (API reference). */
const DEFAULT_LIMIT = 10_000;

const size = (log: EventLog, i: number): number => log.bytesBetween(i, i + 1) + EVENT_OVERHEAD;

/** The key a forward read must pass to start at index i. */
const keyBefore = (log: EventLog, i: number): EventKey => (i > 0 ? log.keyAt(i - 1) : BEFORE_ALL);

/** The key a backward read must stay under to end at index i (exclusive). */
const keyAt = (log: EventLog, i: number): EventKey =>
  i < log.length
    ? log.keyAt(i)
    : log.length > 0
      ? { timestamp: log.timestampAt(log.length - 1), seq: Number.MAX_SAFE_INTEGER }
      : BEFORE_ALL;

function outputEvent(log: EventLog, i: number): OutputLogEvent {
  const e = log.at(i);
  return { timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime };
}

function compile(pattern: string | undefined): EventMatcher {
  try {
    return compileFilterPattern(pattern);
  } catch (err) {
    if (err instanceof FilterPatternError) throw new InvalidParameterException(err.message);
    throw err;
  }
}

/** A binary heap of stream cursors ordered by their next event's key: FilterLogEvents' k-way merge. */
class CursorHeap {
  private readonly items: { log: EventLog; stream: string; i: number; end: number }[] = [];

  push(item: { log: EventLog; stream: string; i: number; end: number }): void {
    if (item.i >= item.end) return;
    this.items.push(item);
    let c = this.items.length - 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (this.less(p, c)) break;
      this.swap(p, c);
      c = p;
    }
  }

  peek(): { log: EventLog; stream: string; i: number; end: number } | undefined {
    return this.items[0];
  }

  /** Moves the top cursor one event on, dropping it when its range is done. */
  advance(): void {
    const top = this.items[0];
    if (!top) return;
    top.i++;
    if (top.i >= top.end) {
      const last = this.items.pop();
      if (this.items.length === 0 || !last) return;
      this.items[0] = last;
    }
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < this.items.length && this.less(l, m)) m = l;
      if (r < this.items.length && this.less(r, m)) m = r;
      if (m === p) return;
      this.swap(p, m);
      p = m;
    }
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a];
    const y = this.items[b];
    if (!x || !y) return false;
    const tx = x.log.timestampAt(x.i);
    const ty = y.log.timestampAt(y.i);
    return tx < ty || (tx === ty && x.log.seqAt(x.i) < y.log.seqAt(y.i));
  }

  private swap(a: number, b: number): void {
    const x = this.items[a];
    const y = this.items[b];
    if (!x || !y) return;
    this.items[a] = y;
    this.items[b] = x;
  }
}

export function readHandlers(state: LogsState): Handlers<ReadOps> {
  return {
    GetLogEvents: (input, ctx) => {
      const group = chooseGroup(state, input, ctx);
      const log = findStream(group, input.logStreamName).events;
      const now = ctx.now.getTime();
      // startTime is inclusive, endTime exclusive ("Events with a timestamp equal to or later than this time are
      // not included", GetLogEvents API reference); expired events are out of range.
      const lo = log.firstAtOrAfter(Math.max(input.startTime ?? 0, retainedFrom(group, now)));
      const hi = Math.max(lo, input.endTime === undefined ? log.length : log.firstAtOrAfter(input.endTime));
      const limit = input.limit ?? DEFAULT_LIMIT;
      const cursor = input.nextToken === undefined ? undefined : parseStreamToken(input.nextToken);
      const forward = cursor ? cursor.direction === 'forward' : input.startFromHead === true;

      let from: number;
      let to: number;
      if (forward) {
        from = cursor ? Math.max(lo, Math.min(hi, log.upperBound(cursor.key))) : lo;
        to = from;
        let bytes = 0;
        while (to < hi && to - from < limit && (to === from || bytes + size(log, to) <= PAGE_BYTES)) {
          bytes += size(log, to);
          to++;
        }
      } else {
        to = cursor ? Math.min(hi, Math.max(lo, log.lowerBound(cursor.key))) : hi;
        from = to;
        let bytes = 0;
        while (from > lo && to - from < limit && (to === from || bytes + size(log, from - 1) <= PAGE_BYTES)) {
          bytes += size(log, from - 1);
          from--;
        }
      }
      const events: OutputLogEvent[] = [];
      for (let i = from; i < to; i++) events.push(outputEvent(log, i));
      // At the end of the stream the token passed in comes back unchanged, so a poll loop sees it and stops
      // ("If you have reached the end of the stream, it returns the same token you passed in").
      const empty = from === to;
      return {
        events,
        nextForwardToken:
          empty && cursor?.direction === 'forward' && input.nextToken
            ? input.nextToken
            : forwardToken(keyBefore(log, to)),
        nextBackwardToken:
          empty && cursor?.direction === 'backward' && input.nextToken
            ? input.nextToken
            : backwardToken(keyAt(log, from)),
      };
    },

    FilterLogEvents: (input, ctx) => {
      const group = chooseGroup(state, input, ctx);
      if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) throw namesAndPrefix();
      let streams: LogStream[];
      if (input.logStreamNames !== undefined) {
        // A named stream that does not exist is ResourceNotFoundException (percona/rds_exporter#81).
        streams = [...new Set(input.logStreamNames)].map((name) => findStream(group, name));
      } else {
        const prefix = input.logStreamNamePrefix;
        streams = [...group.streams.values()].filter((s) => prefix === undefined || s.record.name.startsWith(prefix));
      }
      streams.sort((a, b) => compareNames(a.record.name, b.record.name));
      const matches = compile(input.filterPattern);
      const after = input.nextToken === undefined ? undefined : parseFilterToken(input.nextToken);
      const now = ctx.now.getTime();
      const start = Math.max(input.startTime ?? 0, retainedFrom(group, now));
      const heap = new CursorHeap();
      for (const s of streams) {
        const log = s.events;
        let i = log.firstAtOrAfter(start);
        if (after) i = Math.max(i, log.upperBound(after));
        // endTime is inclusive here: "Events with a timestamp later than this time are not returned".
        const end = input.endTime === undefined ? log.length : log.firstAtOrAfter(input.endTime + 1);
        heap.push({ log: s.events, stream: s.record.name, i, end });
      }
      const limit = input.limit ?? DEFAULT_LIMIT;
      const events: FilteredLogEvent[] = [];
      let bytes = 0;
      let lastKey: EventKey | undefined;
      for (let top = heap.peek(); top; top = heap.peek()) {
        if (events.length >= limit) break;
        const e = top.log.at(top.i);
        if (matches(e.message)) {
          const cost = e.bytes + EVENT_OVERHEAD;
          if (events.length > 0 && bytes + cost > PAGE_BYTES) break;
          bytes += cost;
          const key = { timestamp: e.timestamp, seq: e.seq };
          events.push({
            logStreamName: top.stream,
            timestamp: e.timestamp,
            message: e.message,
            ingestionTime: e.ingestionTime,
            eventId: eventId(key),
          });
          lastKey = key;
        }
        heap.advance();
      }
      return {
        events,
        // "As of May 15, 2020, this parameter is no longer supported. This parameter returns an empty list."
        searchedLogStreams: [],
        // "If the results don't include a nextToken, then pagination is finished."
        ...(heap.peek() && lastKey && { nextToken: filterToken(lastKey) }),
      };
    },
  };
}
