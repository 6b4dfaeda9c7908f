/** Log stream operations: create, delete, describe. */
import type { LogStream as LogStreamView, LogsOperations } from '../../protocol/generated/logs.ts';
import type { Handlers } from '../service.ts';
import { chooseGroup, findGroup, findStream, streamArn } from './common.ts';
import { orderByWithPrefix, streamExists } from './errors.ts';
import { compareNames, type LogStream, type LogsState } from './state.ts';
import { invalidToken, sequenceToken } from './tokens.ts';

type StreamOps = Pick<LogsOperations, 'CreateLogStream' | 'DeleteLogStream' | 'DescribeLogStreams'>;

/** DescribeLogStreams: "If you don't specify a value, the default is up to 50 items" (API reference). */
const DEFAULT_LIMIT = 50;

function streamView(stream: LogStream, account: string): LogStreamView {
  const r = stream.record;
  const log = stream.events;
  const has = log.length > 0;
  return {
    logStreamName: r.name,
    creationTime: r.creationTime,
    ...(has && { firstEventTimestamp: log.timestampAt(0), lastEventTimestamp: log.timestampAt(log.length - 1) }),
    ...(stream.lastIngestionTime !== undefined && { lastIngestionTime: stream.lastIngestionTime }),
    ...(stream.lastSeq !== undefined && { uploadSequenceToken: sequenceToken(stream.lastSeq + 1) }),
    arn: streamArn(account, r.region, r.group, r.name),
    // "As of June 17, 2019, this parameter is no longer supported for log streams, and is always reported as zero."
    storedBytes: 0,
  };
}

/** The time a stream sorts by under orderBy=LastEventTime; a stream without events sorts first. */
const lastEventTime = (s: LogStream): number => (s.events.length > 0 ? s.events.timestampAt(s.events.length - 1) : 0);

interface Position {
  readonly time: number;
  readonly name: string;
}

/** The page token: the sort key of the last stream returned, in the order of the request that returned it. */
function streamToken(order: string, descending: boolean, p: Position): string {
  return Buffer.from(JSON.stringify([order, descending, p.time, p.name])).toString('base64url');
}

function parseStreamToken(token: string, order: string, descending: boolean): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw invalidToken();
  const [o, d, time, name] = parsed as unknown[];
  if (o !== order || d !== descending || typeof time !== 'number' || typeof name !== 'string') throw invalidToken();
  return { time, name };
}

export function streamHandlers(state: LogsState): Handlers<StreamOps> {
  return {
    CreateLogStream: (input, ctx) =>
      state.write(async (w) => {
        const group = findGroup(state, input.logGroupName, ctx);
        if (group.streams.has(input.logStreamName)) throw streamExists();
        await w.createStream(ctx.account, {
          region: ctx.region,
          group: group.record.name,
          name: input.logStreamName,
          creationTime: ctx.now.getTime(),
        });
      }),

    DeleteLogStream: (input, ctx) =>
      state.write(async (w) => {
        const group = findGroup(state, input.logGroupName, ctx);
        findStream(group, input.logStreamName);
        await w.deleteStream(ctx.account, ctx.region, group.record.name, input.logStreamName);
      }),

    DescribeLogStreams: (input, ctx) => {
      const group = chooseGroup(state, input, ctx);
      const order = input.orderBy ?? 'LogStreamName';
      // "If orderBy is LastEventTime, you cannot specify this parameter" (logStreamNamePrefix, API reference).
      if (order === 'LastEventTime' && input.logStreamNamePrefix !== undefined) throw orderByWithPrefix();
      const descending = input.descending === true;
      const key = (s: LogStream): Position => ({
        time: order === 'LastEventTime' ? lastEventTime(s) : 0,
        name: s.record.name,
      });
      const compare = (a: Position, b: Position): number => {
        const c = a.time - b.time || compareNames(a.name, b.name);
        return descending ? -c : c;
      };
      const after = input.nextToken === undefined ? undefined : parseStreamToken(input.nextToken, order, descending);
      const prefix = input.logStreamNamePrefix;
      const matching = [...group.streams.values()]
        .filter((s) => prefix === undefined || s.record.name.startsWith(prefix))
        .filter((s) => after === undefined || compare(key(s), after) > 0)
        .sort((a, b) => compare(key(a), key(b)));
      const limit = input.limit ?? DEFAULT_LIMIT;
      const page = matching.slice(0, limit);
      const last = page[page.length - 1];
      return {
        logStreams: page.map((s) => streamView(s, ctx.account)),
        ...(matching.length > limit && last && { nextToken: streamToken(order, descending, key(last)) }),
      };
    },
  };
}
