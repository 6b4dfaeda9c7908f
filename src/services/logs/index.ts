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
import { AwsError } from '../../protocol/errors.ts';
import { defineService, type ServiceDefinition } from '../service.ts';
import { logsResources } from './resources.ts';
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

/**
 * Creating a group with tags also needs permission to tag it (API Reference, CreateLogGroup: "you must have the
 * logs:TagResource permission").
 */
const EXTRA_ACTIONS: Readonly<Record<string, (input: Readonly<Record<string, unknown>>) => string[]>> = {
  CreateLogGroup: (input) => (input['tags'] !== undefined ? ['logs:TagResource'] : []),
};

export function createLogsService(deps: LogsDeps): ServiceDefinition {
  const { state } = deps;
  return defineService<LogsOperations>(
    logsModel,
    {
      ...groupHandlers(state),
      ...streamHandlers(state),
      ...putHandlers(state),
      ...readHandlers(state),
      ...tagHandlers(state),
    },
    // A malformed resourceArn (such as a group ARN ending in `:*`, as DescribeLogGroups returns it) is
    // ValidationException "Invalid resourceArn" (boto3#4104, gruntwork-io/cloud-nuke#1150).
    (problems) =>
      problems.some((p) => p.path === 'resourceArn')
        ? new AwsError('ValidationException', 400, 'Invalid resourceArn')
        : undefined,
    {
      // The resources come from the log groups themselves (their tags are aws:ResourceTag), not the catalogue.
      authorization: (operation, input, principal, region) => {
        const { arns, tags } = logsResources(state, principal.account, region, operation, input);
        const actions = [`logs:${operation}`, ...(EXTRA_ACTIONS[operation]?.(input) ?? [])];
        return {
          checks: actions.flatMap((action) =>
            arns.map((resource) => ({
              action,
              resource,
              resourceAccount: principal.account,
              ...(tags && { resourceTags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
            })),
          ),
        };
      },
    },
  );
}

export { createLogsState, LogsState, LOG_EVENTS_KIND, LOG_GROUP_KIND, LOG_STREAM_KIND } from './state.ts';
export { logsResources, type LogsResources } from './resources.ts';
export { appendEvents, type AppendRequest, type AppendResult } from './put-events.ts';
export { compileFilterPattern, FilterPatternError } from './filter-pattern.ts';
