/**
 * PutLogEvents, and appendEvents for rolecall's own writers (Lambda). The batch rules are the API reference's
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html, and the botocore
 * model's documentation):
 * - at most 1,048,576 bytes, counted as the UTF-8 bytes of every message plus 26 bytes per event; each event at
 *   most 1 MB (the limit was 256 KB until 2025; the message text is AWS's "Log event too large: …");
 * - events in chronological order, else the whole batch fails;
 * - events more than 2 hours in the future, older than 14 days, or older than the group's retention are rejected
 *   while the rest are accepted: rejectedLogEventsInfo.tooNewLogEventStartIndex (inclusive),
 *   tooOldLogEventEndIndex and expiredLogEventEndIndex (exclusive: the CloudWatch agent logs the end index as the
 *   number of events rejected, amazon-cloudwatch-agent's pusher);
 * - the accepted events may not span more than 24 hours, else the whole batch fails;
 * - "The sequence token is now ignored": never InvalidSequenceTokenException or DataAlreadyAcceptedException.
 */
import type { InputLogEvent, LogsOperations, PutLogEventsResponse } from '../../protocol/generated/logs.ts';
import type { Clock } from '../../model/clock.ts';
import type { Handlers } from '../service.ts';
import { DAY_MS, findGroup, findStream, HOUR_MS, retainedFrom } from './common.ts';
import {
  eventTooLarge,
  groupNotFound,
  notChronological,
  spansMoreThanADay,
  streamNotFound,
  uploadTooLarge,
} from './errors.ts';
import { utf8Length, type LogGroup, type LogsState, type NewEvent } from './state.ts';
import { sequenceToken } from './tokens.ts';

type PutOps = Pick<LogsOperations, 'PutLogEvents'>;

export const MAX_BATCH_BYTES = 1_048_576;
export const MAX_EVENT_BYTES = 1_048_576;
export const EVENT_OVERHEAD = 26;
export const MAX_BATCH_EVENTS = 10_000;
const TOO_NEW_MS = 2 * HOUR_MS;
const TOO_OLD_MS = 14 * DAY_MS;
const MAX_SPAN_MS = 24 * HOUR_MS;

/** Batch-wide checks that fail the whole request. */
function checkBatch(events: readonly InputLogEvent[]): void {
  let total = 0;
  for (const e of events) {
    const size = utf8Length(e.message) + EVENT_OVERHEAD;
    if (size > MAX_EVENT_BYTES) throw eventTooLarge(size, MAX_EVENT_BYTES);
    total += size;
  }
  if (total > MAX_BATCH_BYTES) throw uploadTooLarge(total, MAX_BATCH_BYTES);
  for (let i = 1; i < events.length; i++) {
    if ((events[i]?.timestamp ?? 0) < (events[i - 1]?.timestamp ?? 0)) throw notChronological();
  }
}

export interface Sorted {
  /** Events [from, to) are accepted. */
  readonly from: number;
  readonly to: number;
  readonly rejected: NonNullable<PutLogEventsResponse['rejectedLogEventsInfo']> | undefined;
}

/** Splits a chronological batch into too old / expired / accepted / too new, by index. */
export function sortOut(events: readonly NewEvent[], group: LogGroup | undefined, now: number): Sorted {
  const countBelow = (limit: number): number => {
    let n = 0;
    while (n < events.length && (events[n]?.timestamp ?? 0) < limit) n++;
    return n;
  };
  const tooOld = countBelow(now - TOO_OLD_MS);
  const retention = group?.record.retentionInDays;
  const expired = retention === undefined || !group ? 0 : countBelow(retainedFrom(group, now));
  let tooNew = events.length;
  while (tooNew > 0 && (events[tooNew - 1]?.timestamp ?? 0) > now + TOO_NEW_MS) tooNew--;
  const from = Math.min(Math.max(tooOld, expired), tooNew);
  const rejected = {
    ...(tooNew < events.length && { tooNewLogEventStartIndex: tooNew }),
    ...(tooOld > 0 && { tooOldLogEventEndIndex: tooOld }),
    ...(expired > 0 && { expiredLogEventEndIndex: expired }),
  };
  return { from, to: tooNew, rejected: Object.keys(rejected).length > 0 ? rejected : undefined };
}

export function putHandlers(state: LogsState): Handlers<PutOps> {
  return {
    PutLogEvents: async (input, ctx) => {
      const events = input.logEvents;
      checkBatch(events);
      const now = ctx.now.getTime();
      return state.write(async (w) => {
        const group = findGroup(state, input.logGroupName, ctx);
        const stream = findStream(group, input.logStreamName);
        const { from, to, rejected } = sortOut(events, group, now);
        const accepted = events.slice(from, to);
        const first = accepted[0];
        const last = accepted[accepted.length - 1];
        if (first && last && last.timestamp - first.timestamp > MAX_SPAN_MS) throw spansMoreThanADay();
        let lastSeq = stream.lastSeq;
        if (accepted.length > 0) {
          const written = await w.appendBatch(
            ctx.account,
            ctx.region,
            group.record.name,
            stream.record.name,
            accepted,
            now,
          );
          lastSeq = written.lastSeq;
        }
        return {
          nextSequenceToken: sequenceToken((lastSeq ?? 0) + 1),
          ...(rejected && { rejectedLogEventsInfo: rejected }),
        };
      });
    },
  };
}

export interface AppendRequest {
  readonly account: string;
  readonly region: string;
  readonly group: string;
  readonly stream: string;
  readonly events: readonly NewEvent[];
  /** Create the log group and stream when missing (as Lambda does for `/aws/lambda/<function>`). */
  readonly create?: boolean;
}

export interface AppendResult {
  readonly accepted: number;
  readonly rejected: number;
}

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/**
 * Appends events as rolecall's own services do (Lambda's function logs), with PutLogEvents' acceptance rules but
 * without its request limits: events are put in time order and written in as many batches as the 10,000-event,
 * 1 MB and 24-hour limits need, all in one transaction. Throws ResourceNotFoundException when the group or
 * stream is missing and `create` is not set.
 */
export async function appendEvents(
  deps: { readonly state: LogsState; readonly clock: Clock },
  request: AppendRequest,
): Promise<AppendResult> {
  const { state, clock } = deps;
  const { account, region, group: groupName, stream: streamName } = request;
  if (!GROUP_NAME.test(groupName)) throw new RangeError(`invalid log group name: ${groupName}`);
  if (streamName.length === 0 || streamName.length > 512 || /[:*]/.test(streamName)) {
    throw new RangeError(`invalid log stream name: ${streamName}`);
  }
  const ms = clock.now().getTime();
  const sorted = [...request.events].sort((a, b) => a.timestamp - b.timestamp);
  return state.write(async (w) => {
    const group = state.group(account, region, groupName);
    if (!group && !request.create) throw groupNotFound();
    if (!group) {
      await w.createGroup(account, { region, name: groupName, creationTime: ms, logGroupClass: 'STANDARD', tags: {} });
    }
    const hasStream = group?.streams.has(streamName) === true;
    if (!hasStream && !request.create) throw streamNotFound();
    if (!hasStream) await w.createStream(account, { region, group: groupName, name: streamName, creationTime: ms });
    const { from, to } = sortOut(sorted, group, ms);
    let start = from;
    while (start < to) {
      let end = start;
      let bytes = 0;
      const first = sorted[start]?.timestamp ?? 0;
      while (end < to && end - start < MAX_BATCH_EVENTS) {
        const e = sorted[end];
        if (!e) break;
        const size = utf8Length(e.message) + EVENT_OVERHEAD;
        if (end > start && (bytes + size > MAX_BATCH_BYTES || e.timestamp - first > MAX_SPAN_MS)) break;
        bytes += size;
        end++;
      }
      await w.appendBatch(account, region, groupName, streamName, sorted.slice(start, end), ms);
      start = end;
    }
    return { accepted: to - from, rejected: sorted.length - (to - from) };
  });
}
