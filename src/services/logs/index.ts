/**
 * The CloudWatch Logs service: log groups, streams, events (PutLogEvents, GetLogEvents, FilterLogEvents),
 * retention and tags, as handlers typed by the generated model. Wiring:
 *
 *   const logs = await createLogsState(store);          // loads every group, stream and event batch
 *   const service = createLogsService({ state: logs, clock });
 *   logsResources(logs, account, region, operation, input)   // ARNs and tags for authorization
 *   appendEvents({ state: logs, clock }, { account, region, group, stream, events, create: true })   // Lambda
 */
import { logsModel, type LogsOperations } from '../../protocol/generated/logs.ts';
import type { Clock } from '../../model/clock.ts';
import { defineService, type ServiceDefinition } from '../service.ts';
import { groupHandlers } from './groups.ts';
import { putHandlers } from './put-events.ts';
import { readHandlers } from './read-events.ts';
import type { LogsState } from './state.ts';
import { streamHandlers } from './streams.ts';
import { tagHandlers } from './tags.ts';

export interface LogsDeps {
  readonly state: LogsState;
  /** Rolecall's one clock; handlers read the request's ctx.now, internal writers (appendEvents) this. */
  readonly clock: Clock;
}

export function createLogsService(deps: LogsDeps): ServiceDefinition {
  const { state } = deps;
  return defineService<LogsOperations>(logsModel, {
    ...groupHandlers(state),
    ...streamHandlers(state),
    ...putHandlers(state),
    ...readHandlers(state),
    ...tagHandlers(state),
  });
}

export { createLogsState, LogsState, LOG_EVENTS_KIND, LOG_GROUP_KIND, LOG_STREAM_KIND } from './state.ts';
export { logsResources, type LogsResources } from './resources.ts';
export { appendEvents, type AppendRequest, type AppendResult } from './put-events.ts';
export { compileFilterPattern, FilterPatternError } from './filter-pattern.ts';
