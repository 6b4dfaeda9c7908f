/**
 * A function's output in rolecall's CloudWatch Logs, as Lambda delivers it: to the log group `/aws/lambda/<name>`,
 * one stream per execution environment (the runner names it: `YYYY/MM/DD/[$LATEST]<32 hex>`), written with the
 * execution role's permissions. Lambda creates the group and the stream when they are missing and puts the events;
 * a role without logs:CreateLogGroup / logs:CreateLogStream / logs:PutLogEvents (AWSLambdaBasicExecutionRole grants
 * all three) gets no logs, silently, as on AWS ("Lambda can't send logs to CloudWatch Logs if the execution role
 * doesn't have the required permissions": Lambda Developer Guide, "Sending Lambda function logs to CloudWatch
 * Logs"). Each permission is asked only when it is needed: CreateLogGroup when the group is missing,
 * CreateLogStream when the stream is, PutLogEvents always.
 *
 * The checks run as the role's session through the pipeline's own authorizer (deps.authorizeAs), so identity
 * policies, permissions boundaries, session policies and the enforcement mode apply as to any request.
 */
import type { AuthorizationCheck } from '../../auth/authorize.ts';
import type { InvocationResult } from '../../lambda/types.ts';
import { appendEvents } from '../logs/put-events.ts';
import { logsResources } from '../logs/resources.ts';
import type { LambdaDeps } from './deps.ts';
import type { FunctionRecord } from './state.ts';
import { logGroupOf } from './views.ts';

export type Delivery = 'delivered' | 'denied' | 'empty';

export async function deliverLogs(
  deps: LambdaDeps,
  account: string,
  f: FunctionRecord,
  result: InvocationResult,
): Promise<Delivery> {
  if (result.logLines.length === 0) return 'empty';
  const group = logGroupOf(f.name);
  const stream = result.logStreamName;
  const { claims } = deps.credentials.session(account, f.arn, f.name, f.role);
  const principal = deps.sessionPrincipal(claims);
  if (!principal) return 'denied';
  const existingGroup = deps.logs.group(account, f.region, group);
  const operations = [
    ...(existingGroup ? [] : ['CreateLogGroup']),
    ...(existingGroup?.streams.has(stream) === true ? [] : ['CreateLogStream']),
    'PutLogEvents',
  ];
  const checks: AuthorizationCheck[] = operations.flatMap((operation) => {
    const { arns, tags } = logsResources(deps.logs, account, f.region, operation, {
      logGroupName: group,
      logStreamName: stream,
    });
    return arns.map((resource) => ({
      action: `logs:${operation}`,
      resource,
      resourceAccount: account,
      ...(tags && { resourceTags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
    }));
  });
  if (!deps.authorizeAs(principal, { checks }, f.region)) return 'denied';
  await appendEvents(
    { state: deps.logs, clock: deps.clock },
    { account, region: f.region, group, stream, events: result.logLines, create: true },
  );
  return 'delivered';
}

/** The last 4 KB of an invocation's log, base64, as Invoke's LogResult with LogType Tail (API reference). */
export function logTail(result: InvocationResult): string {
  const text = result.logLines.map((l) => (l.message.endsWith('\n') ? l.message : `${l.message}\n`)).join('');
  const bytes = Buffer.from(text, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - 4096)).toString('base64');
}
